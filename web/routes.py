"""Mounting the web UI on the FastAPI app: pages, static files, HTTP errors, security headers."""

import logging

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from web.admin import router as admin_router
from web.errors import http_error_response
from web.rendering import STATIC_DIR
from web.views import auth, documents, ingestion, search, uploads

logger = logging.getLogger(__name__)

# Pages load scripts, styles and images from this site only. The API docs page at /api/docs
# loads Swagger UI from elsewhere, so the policy is not sent under /api/.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def install_web(app: FastAPI) -> None:
    """Add the web pages, /static and the page error handler to the app."""
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for router in (auth.router, search.router, uploads.router, ingestion.router, documents.router,
                   admin_router.router):
        app.include_router(router)
    app.add_exception_handler(StarletteHTTPException, http_error_response)

    @app.middleware("http")
    async def _security_headers(request: Request, call_next):
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if not request.url.path.startswith("/api/"):
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
            response.headers.setdefault("X-Frame-Options", "DENY")
        return response
