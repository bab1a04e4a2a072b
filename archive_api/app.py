"""The FastAPI application: REST API under /api/v1 and the web UI, one process."""

import logging
import uuid

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import JSONResponse
from starlette.middleware.base import BaseHTTPMiddleware

from archive_api.api import documents as documents_api
from archive_api.api import search as search_api
from archive_api.context import get_archive
from archive_api.errors import N_, DiwanError
from archive_api.i18n import gettext_for, pick_language
from archive_api.logs import configure_logging, current_context
from web.errors import web_error_response
from web.routes import install_web

logger = logging.getLogger(__name__)


class InvalidRequest(DiwanError):
    http_status = 422
    code = "invalid_request"


class RequestContext(BaseHTTPMiddleware):
    """Give every request an id that appears on each log line and in the X-Request-ID header."""

    async def dispatch(self, request: Request, call_next):
        request_id = request.headers.get("x-request-id", "")[:64] or uuid.uuid4().hex[:16]
        token = current_context.set(f"req:{request_id}")
        try:
            response = await call_next(request)
        finally:
            current_context.reset(token)
        response.headers["X-Request-ID"] = request_id
        return response


def api_error_response(request: Request, error: DiwanError) -> JSONResponse:
    language = pick_language(request.headers.get("accept-language"), "en")
    message = error.render(gettext_for(language))
    if error.http_status >= 500:
        logger.error("request failed code=%s path=%s", error.code, request.url.path)
    return JSONResponse(status_code=error.http_status, content={"error": {"code": error.code, "message": message}})


def create_app() -> FastAPI:
    configure_logging()
    get_archive()  # open backends and migrate before the first request
    app = FastAPI(
        title="Diwan archive API",
        version="1",
        description="Personnel archive: upload, ingestion status, documents, page text and search.",
        # The docs page is served below with Swagger UI from /static, not from a CDN.
        docs_url=None,
        openapi_url="/api/v1/openapi.json",
        redoc_url=None,
    )
    app.add_middleware(RequestContext)
    app.include_router(documents_api.router)
    app.include_router(search_api.router)

    @app.get("/api/docs", include_in_schema=False)
    def api_docs():
        return get_swagger_ui_html(
            openapi_url=app.openapi_url,
            title="Diwan API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )

    install_web(app)

    @app.exception_handler(DiwanError)
    async def _domain_error(request: Request, error: DiwanError):
        if request.url.path.startswith("/api/"):
            return api_error_response(request, error)
        return web_error_response(request, error)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, error: RequestValidationError):
        problems = "; ".join(f"{'.'.join(str(part) for part in item['loc'])}: {item['msg']}" for item in error.errors())
        if not request.url.path.startswith("/api/"):
            invalid = InvalidRequest(N_("The address is invalid (%(problems)s); check the link."), problems=problems)
            return web_error_response(request, invalid)
        return JSONResponse(status_code=422, content={"error": {"code": "invalid_request", "message": problems}})

    return app
