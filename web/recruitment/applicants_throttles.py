"""Limits on applicants' sign-in, password-reset and sign-up attempts, per client address.

They reuse the staff sign-in throttle (web.throttle.LoginThrottle), so they live in this
process's memory: a restart clears them and each server process counts on its own. Behind a
reverse proxy the client address is the proxy's, unless uvicorn is configured to trust its
forwarded headers.
"""

import logging

from fastapi import Request

from archive_api.errors import N_
from recruitment.applicants.errors import TooManyRequests
from web.throttle import LoginThrottle, TooManyFailures

logger = logging.getLogger(__name__)

SIGN_UP_KEY = "sign-up"
# Each sign-up sends an SMS, so one address may create this many accounts (or hit existing
# ones) per hour. A family or an internet café sharing an address stays well below it.
MAX_SIGN_UPS_PER_HOUR = 10

sign_in_throttle = LoginThrottle()
reset_throttle = LoginThrottle()
sign_up_throttle = LoginThrottle(max_failures=MAX_SIGN_UPS_PER_HOUR, lockout_s=3600)


def client_of(request: Request) -> str:
    return request.client.host if request.client else "-"


def check_sign_in(national_id: str, request: Request) -> None:
    """Raise TooManyRequests after too many failed sign-ins with this national ID from this address."""
    try:
        sign_in_throttle.check(national_id, client_of(request))
    except TooManyFailures as error:
        raise TooManyRequests(
            N_("Too many failed sign-ins with this national ID number; wait %(minutes)d minutes, "
               "or reset your password."),
            minutes=error.params["minutes"],
        ) from error


def check_reset(national_id: str, request: Request) -> None:
    """Raise TooManyRequests after too many wrong reset codes for this national ID from this address."""
    try:
        reset_throttle.check(national_id, client_of(request))
    except TooManyFailures as error:
        raise TooManyRequests(
            N_("Too many wrong codes for this national ID number; wait %(minutes)d minutes and ask for a new code."),
            minutes=error.params["minutes"],
        ) from error


def check_sign_up(request: Request) -> None:
    """Raise TooManyRequests once this address has reached the hourly number of sign-ups."""
    try:
        sign_up_throttle.check(SIGN_UP_KEY, client_of(request))
    except TooManyFailures as error:
        raise TooManyRequests(
            N_("Too many accounts were created from this connection; wait %(minutes)d minutes and try again."),
            minutes=error.params["minutes"],
        ) from error


def count_sign_up(request: Request) -> None:
    sign_up_throttle.failed(SIGN_UP_KEY, client_of(request))
