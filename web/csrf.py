"""CSRF tokens for forms shown before sign-in (the sign-in form and the language switch).

A signed-in user's forms carry the CSRF token of their web session, checked by
archive_api.api.deps. Before sign-in there is no session, so a random cookie is set with the
form and the form carries an HMAC of it under the server's secret key: another site can make
the browser send the cookie, but it cannot read it or compute the token.
"""

import hashlib
import hmac
import logging
import secrets

from fastapi import Request, Response

from archive_api.api.deps import CSRF_HEADER, CsrfFailed
from archive_api.context import get_archive
from archive_api.errors import N_

logger = logging.getLogger(__name__)

PRESESSION_COOKIE = "diwan_presession"
PRESESSION_MAX_AGE_S = 12 * 3600


def _presession_value(request: Request) -> str:
    """Return the pre-session cookie value, creating one for this response when it is missing."""
    existing = request.cookies.get(PRESESSION_COOKIE)
    if existing:
        return existing
    created = getattr(request.state, "new_presession", None)
    if created is None:
        created = secrets.token_urlsafe(32)
        request.state.new_presession = created
    return created


def _sign(value: str) -> str:
    key = get_archive().settings.resolved_secret_key().encode()
    return hmac.new(key, f"presession:{value}".encode(), hashlib.sha256).hexdigest()


def token_for(request: Request) -> str:
    """Return the CSRF token that forms on this page must send back."""
    web_session = getattr(request.state, "web_session", None)
    if web_session is not None:
        return web_session.csrf_token
    return _sign(_presession_value(request))


def set_cookie_if_new(request: Request, response: Response) -> None:
    created = getattr(request.state, "new_presession", None)
    if created is None:
        return
    response.set_cookie(
        PRESESSION_COOKIE, created, max_age=PRESESSION_MAX_AGE_S, httponly=True, samesite="lax",
        secure=request.url.scheme == "https",
    )


def check_presession_token(request: Request, sent: str | None) -> None:
    """Raise CsrfFailed unless `sent` matches the pre-session cookie of this browser."""
    sent = sent or request.headers.get(CSRF_HEADER)
    cookie = request.cookies.get(PRESESSION_COOKIE)
    if not sent or not cookie or not hmac.compare_digest(str(sent), _sign(cookie)):
        logger.warning("pre-session csrf check failed path=%s", request.url.path)
        raise CsrfFailed(
            N_("The form has expired or did not come from Diwan; reload the page and try again.")
        )
