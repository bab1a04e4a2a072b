"""Password reset by a code sent by SMS, with the same response whether or not the national ID has an account.

Asking for a code never reveals whether an account exists. A failed reset returns one message
for an unknown ID, a wrong code, an expired code and a locked code alike.
"""

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from archive_api.accounts.passwords import hash_password
from archive_api.errors import N_
from archive_api.timeutil import to_local, utcnow
from recruitment.applicants.accounts import end_all_sessions, find_by_national_id
from recruitment.applicants.codes import PURPOSE_RESET_PASSWORD, check_code, issue_code
from recruitment.applicants.errors import CodeRejected, TooManyRequests
from recruitment.applicants.models import Applicant
from recruitment.notify.service import queue_sms

logger = logging.getLogger(__name__)

STAGE_PASSWORD_RESET = "password_reset"  # noqa: S105 - a stage name, not a password


def reset_failed() -> CodeRejected:
    return CodeRejected(
        N_("The national ID number or the code is wrong, or the code has expired; check the SMS or ask for a new code.")
    )


def request_reset(session: Session, national_id: str, now: datetime | None = None) -> None:
    """Send a reset code to the account's mobile when the ID has an active account; otherwise do nothing.

    Returns nothing and raises nothing about the account, so callers cannot tell the cases apart.
    A request inside the resend cooldown or over the day's quota sends no SMS, silently.
    """
    applicant = find_by_national_id(session, national_id)
    if applicant is None or not applicant.active:
        logger.info("password reset asked for an unknown or closed account")
        return
    try:
        issued = issue_code(session, applicant, PURPOSE_RESET_PASSWORD, now)
    except TooManyRequests:
        logger.info("password reset code not sent during cooldown applicant=%s", applicant.id)
        return
    expires = to_local(issued.row.expires_at).strftime("%H:%M")
    queue_sms(session, applicant, "password_reset_code", {"code": issued.code, "expires": expires},
              STAGE_PASSWORD_RESET)
    logger.info("password reset code sent applicant=%s", applicant.id)


def check_reset_code(session: Session, national_id: str, typed_code: str) -> tuple[Applicant | None, bool]:
    """Check a reset code; return the account and whether the code matched (then it is used up).

    A wrong try is counted on the code, so the caller commits whatever the outcome.
    """
    applicant = find_by_national_id(session, national_id)
    if applicant is None or not applicant.active:
        return None, False
    problem = check_code(session, applicant, PURPOSE_RESET_PASSWORD, typed_code)
    return applicant, problem is None


def set_new_password(session: Session, applicant: Applicant, password: str) -> None:
    """Store the new password, close every session and tell the applicant by SMS.

    The reset code arrived on the account's mobile, so a mobile not yet confirmed counts as
    confirmed from now on. The caller checks the password with check_applicant_password first.
    """
    applicant.password_hash = hash_password(password)
    if applicant.mobile_confirmed_at is None:
        applicant.mobile_confirmed_at = utcnow()
    end_all_sessions(session, applicant)
    queue_sms(session, applicant, "password_changed", {}, STAGE_PASSWORD_RESET)
    logger.info("applicant password reset id=%s", applicant.id)
