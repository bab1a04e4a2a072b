"""Request dependencies: the archive, a database session, and the signed-in user.

API clients send `Authorization: Bearer <token>`. The web UI uses a session cookie, and every
state-changing request it makes must carry the session's CSRF token (header X-CSRF-Token or form
field csrf_token), so another site cannot act with the user's cookie.
"""

import hmac
import logging
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from archive_api.accounts.models import User, WebSession
from archive_api.accounts.service import find_session, user_for_token
from archive_api.context import Archive, get_archive
from archive_api.errors import N_, DiwanError, PermissionDenied

logger = logging.getLogger(__name__)

SESSION_COOKIE = "diwan_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class NotAuthenticated(DiwanError):
    http_status = 401
    code = "not_authenticated"


class CsrfFailed(DiwanError):
    http_status = 403
    code = "csrf_failed"


def archive_dependency() -> Archive:
    return get_archive()


def session_dependency(archive: Annotated[Archive, Depends(archive_dependency)]) -> Iterator[Session]:
    with archive.db.session() as session:
        yield session


ArchiveDep = Annotated[Archive, Depends(archive_dependency)]
SessionDep = Annotated[Session, Depends(session_dependency)]


def web_session_of(request: Request, session: Session) -> WebSession | None:
    cookie = request.cookies.get(SESSION_COOKIE)
    return find_session(session, cookie) if cookie else None


async def check_csrf_token(request: Request, expected: str, account: str) -> None:
    """Raise CsrfFailed when a state-changing request lacks the session's CSRF token.

    The token comes in the X-CSRF-Token header (HTMX) or the csrf_token form field. `account`
    names the signed-in account in the log line.
    """
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER)
    if not sent and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        sent = (await request.form()).get("csrf_token")
    if not sent or not hmac.compare_digest(str(sent), expected):
        logger.warning("csrf check failed path=%s %s", request.url.path, account)
        raise CsrfFailed(N_("The form has expired or did not come from Diwan; reload the page and try again."))


async def _check_csrf(request: Request, web_session: WebSession) -> None:
    await check_csrf_token(request, web_session.csrf_token, f"user={web_session.user_id}")


async def current_user(request: Request, session: SessionDep) -> User:
    # The lookup may wait for SQLite's write lock, so it runs in the thread pool: waiting on the
    # event loop would stop the request that holds the lock from finishing and releasing it.
    user, web_session = await run_in_threadpool(_authenticated_user, request, session)
    if web_session is not None:
        await _check_csrf(request, web_session)
        request.state.web_session = web_session
    return user


def _authenticated_user(request: Request, session: Session) -> tuple[User, WebSession | None]:
    """Return the user of the bearer token or session cookie, and the web session if any.

    The transaction ends here: on SQLite it holds the write lock, and handlers such as uploads
    do their work in sessions of their own.
    """
    authorization = request.headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        user = user_for_token(session, authorization[7:].strip())
        if user is None:
            raise NotAuthenticated(
                N_("The API token is invalid or revoked; create a new one with `diwan token create`.")
            )
        session.commit()
        return user, None

    web_session = web_session_of(request, session)
    if web_session is None:
        raise NotAuthenticated(N_("You are not signed in; sign in and try again."))
    user = web_session.user
    session.commit()
    return user, web_session


UserDep = Annotated[User, Depends(current_user)]


def require_admin(user: UserDep) -> User:
    if user.role != "admin":
        raise PermissionDenied(N_("This page is for administrators only."))
    return user


AdminDep = Annotated[User, Depends(require_admin)]
