"""Mounting the web UI on the FastAPI app: pages, static files, HTTP errors, security headers."""

import logging

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from web.admin import router as admin_router
from web.errors import http_error_response
from web.recruitment import announcements as recruitment_announcements
from web.recruitment import applications as recruitment_applications
from web.recruitment import dashboard as recruitment_dashboard
from web.recruitment import outbox as recruitment_outbox
from web.recruitment import public as recruitment_public
from web.recruitment import public_feed as recruitment_feed
from web.recruitment import screening as recruitment_screening
from web.recruitment import screening_committee as recruitment_screening_committee
from web.recruitment import screening_decision as recruitment_screening_decision
from web.recruitment import screening_reasons as recruitment_screening_reasons
from web.recruitment import screening_sessions as recruitment_screening_sessions
from web.recruitment import staff_applications as recruitment_staff_applications
from web.recruitment import staff_applications_export as recruitment_applications_export
from web.recruitment import statistics as recruitment_statistics
from web.recruitment.applicants import install_applicant_pages
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
    app.include_router(recruitment_feed.router)
    app.include_router(recruitment_public.router)
    app.include_router(recruitment_announcements.router)
    app.include_router(recruitment_statistics.router)
    app.include_router(recruitment_outbox.router)
    app.include_router(recruitment_applications.router)
    app.include_router(recruitment_dashboard.router)
    app.include_router(recruitment_staff_applications.router)
    app.include_router(recruitment_applications_export.router)
    for screening_module in (recruitment_screening, recruitment_screening_committee,
                             recruitment_screening_decision, recruitment_screening_reasons,
                             recruitment_screening_sessions):
        app.include_router(screening_module.router)
    install_applicant_pages(app)
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
