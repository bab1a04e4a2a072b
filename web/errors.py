"""Domain errors and HTTP errors on web pages: a translated page, an HTMX alert, or sign-in."""

import logging
from urllib.parse import quote, urlsplit

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from archive_api.api.deps import NotAuthenticated
from archive_api.errors import N_, DiwanError, NotFound
from web.rendering import is_htmx, render, translator

logger = logging.getLogger(__name__)

# The element in the page layout where HTMX requests show their errors.
ALERT_TARGET = "#flash"


class PageNotFound(NotFound):
    pass


class RequestRejected(DiwanError):
    """An HTTP error raised by the framework itself, such as a wrong method."""


def login_redirect(request: Request) -> Response:
    """Send a visitor who is not signed in to the sign-in page, then back to where they were."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if is_htmx(request) or request.method not in ("GET", "HEAD"):
        # After sign-in, come back to the page rather than to a fragment or a form action.
        page = urlsplit(request.headers.get("HX-Current-URL", ""))
        target = page.path or "/"
        if page.path and page.query:
            target += f"?{page.query}"
    location = f"/login?next={quote(target, safe='/')}"

    if request.headers.get("HX-Request") == "true":
        return Response(status_code=401, headers={"HX-Redirect": location})
    return RedirectResponse(location, status_code=303)


def web_error_response(request: Request, error: DiwanError) -> Response:
    """Show a domain error to a web user in their language, naming what to do next."""
    if isinstance(error, NotAuthenticated):
        return login_redirect(request)

    message = error.render(translator(request))
    if error.http_status >= 500:
        logger.error("page failed code=%s path=%s", error.code, request.url.path)
    else:
        logger.info("page request rejected code=%s status=%s path=%s", error.code, error.http_status, request.url.path)

    if is_htmx(request):
        return render(
            request, "_alert.html", {"message": message}, status_code=error.http_status,
            headers={"HX-Retarget": ALERT_TARGET, "HX-Reswap": "innerHTML"},
        )
    return render(request, "error.html", {"message": message, "status": error.http_status},
                  status_code=error.http_status)


async def http_error_response(request: Request, error: StarletteHTTPException) -> Response:
    """Render framework HTTP errors (unknown page, wrong method) as pages outside /api/."""
    if request.url.path.startswith("/api/"):
        from fastapi.exception_handlers import http_exception_handler

        return await http_exception_handler(request, error)

    if error.status_code == 404:
        problem: DiwanError = PageNotFound(
            N_("There is no page at %(path)s; check the address or use the menu."), path=request.url.path
        )
    else:
        problem = RequestRejected(
            N_("The request could not be handled (HTTP %(status)d); go back and try again."),
            status=error.status_code,
        )
        problem.http_status = error.status_code
    return web_error_response(request, problem)
