"""The signed-in applicant for web pages: their own cookie and CSRF token, never a staff session.

Use `CurrentApplicant` on every applicant page. It returns an applicant whose mobile number is
confirmed and checks the CSRF token on unsafe methods. Otherwise it raises
ApplicantSignInRequired, which applicant_redirect (installed by web.recruitment.applicants)
turns into a redirect to the sign-in page, or to the confirmation page for MobileNotConfirmed.
Render applicant pages with render_applicant, so forms carry the applicant's CSRF token.
"""

import logging
from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from archive_api.api.deps import ArchiveDep, check_csrf_token
from archive_api.context import Archive
from archive_api.errors import N_, DiwanError
from recruitment.applicants.accounts import find_session
from recruitment.applicants.models import Applicant, ApplicantSession
from web.rendering import is_htmx, render

logger = logging.getLogger(__name__)

APPLICANT_COOKIE = "diwan_applicant"
SIGN_IN_PATH = "/applicant/sign-in"
CONFIRM_PATH = "/applicant/confirm"
HOME_PATH = "/applicant/profile"
LANGUAGE_PATH = "/applicant/language"


class ApplicantSignInRequired(DiwanError):
    http_status = 401
    code = "applicant_sign_in_required"


class MobileNotConfirmed(ApplicantSignInRequired):
    http_status = 403
    code = "mobile_not_confirmed"


async def _check_csrf(request: Request, row: ApplicantSession) -> None:
    await check_csrf_token(request, row.csrf_token, f"applicant={row.applicant_id}")


def _live_session(archive: Archive, cookie: str) -> ApplicantSession | None:
    with archive.db.session(write=False) as session:
        return find_session(session, cookie)


async def signed_in_applicant(request: Request, archive: ArchiveDep) -> Applicant:
    """Return the signed-in applicant, confirmed or not (for the confirmation pages only)."""
    cookie = request.cookies.get(APPLICANT_COOKIE)
    row = await run_in_threadpool(_live_session, archive, cookie) if cookie else None
    if row is None:
        raise ApplicantSignInRequired(N_("Sign in to your applicant account to continue."))

    await _check_csrf(request, row)
    request.state.applicant_session = row
    request.state.applicant = row.applicant
    return row.applicant


async def current_applicant(applicant: Annotated[Applicant, Depends(signed_in_applicant)]) -> Applicant:
    """Return the signed-in applicant whose mobile number is confirmed; raises MobileNotConfirmed."""
    if applicant.mobile_confirmed_at is None:
        raise MobileNotConfirmed(N_("Confirm your mobile number with the code sent to it first."))
    return applicant


async def optional_applicant(request: Request, archive: ArchiveDep) -> Applicant | None:
    """Return the signed-in applicant for a page that visitors may also see, or None."""
    try:
        return await signed_in_applicant(request, archive)
    except ApplicantSignInRequired:
        return None


PendingApplicant = Annotated[Applicant, Depends(signed_in_applicant)]
CurrentApplicant = Annotated[Applicant, Depends(current_applicant)]
OptionalApplicant = Annotated[Applicant | None, Depends(optional_applicant)]


def render_applicant(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """Render a page for an applicant: their CSRF token in forms, and `applicant` for the menu."""
    row = getattr(request.state, "applicant_session", None)
    page: dict[str, Any] = {"applicant": getattr(request.state, "applicant", None)}
    if row is not None:
        page["csrf_token"] = row.csrf_token
        # The staff language switch checks another token, so a signed-in applicant has their own.
        page["language_action"] = LANGUAGE_PATH
    page.update(context or {})
    return render(request, template, page, status_code=status_code, headers=headers)


def _page_path(request: Request) -> str:
    """Return the page to come back to after sign-in: the page itself, not an HTMX fragment or form action."""
    if is_htmx(request) or request.method not in ("GET", "HEAD"):
        page = urlsplit(request.headers.get("HX-Current-URL", ""))
        if not page.path:
            return HOME_PATH
        return page.path + (f"?{page.query}" if page.query else "")
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


def applicant_redirect(request: Request, error: ApplicantSignInRequired) -> Response:
    """Send a visitor to the applicant sign-in page, or an unconfirmed applicant to the confirmation page."""
    if isinstance(error, MobileNotConfirmed):
        location = CONFIRM_PATH
    else:
        location = f"{SIGN_IN_PATH}?next={quote(_page_path(request), safe='/')}"
    logger.info("applicant redirected code=%s path=%s", error.code, request.url.path)

    if request.headers.get("HX-Request") == "true":
        return Response(status_code=401, headers={"HX-Redirect": location})
    return RedirectResponse(location, status_code=303)

