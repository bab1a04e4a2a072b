"""Jinja2 templates rendered in the reader's language, with what every page needs.

There is one Jinja environment per language, each with that language's gettext installed, so
concurrent requests in Arabic and English never share translation state.
"""

import hashlib
import json
import logging
from collections.abc import Mapping
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from archive_api.context import get_archive
from archive_api.i18n import LANGUAGES, direction, gettext_for, ngettext_for
from archive_api.timeutil import to_local
from web import csrf

logger = logging.getLogger(__name__)

WEB_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"
LANGUAGE_COOKIE = "diwan_lang"
LANGUAGE_NAMES = {"ar": "العربية", "en": "English"}


def language_of(request: Request) -> str:
    """Pick the interface language: the user's saved choice, then the cookie, then the default."""
    user = getattr(request.state, "user", None)
    if user is not None and user.language in LANGUAGES:
        return user.language

    cookie = request.cookies.get(LANGUAGE_COOKIE)
    if cookie in LANGUAGES:
        return cookie

    default = get_archive().settings.default_language
    return default if default in LANGUAGES else LANGUAGES[0]


def translator(request: Request):
    """Return the gettext function of the request's language, for messages built in Python."""
    return gettext_for(language_of(request))


def is_htmx(request: Request) -> bool:
    """Return True when HTMX sent the request and expects a fragment rather than a whole page."""
    if request.headers.get("HX-History-Restore-Request") == "true":
        return False
    return request.headers.get("HX-Request") == "true"


@lru_cache(maxsize=64)
def _static_version(path: str) -> str:
    """Return a short digest of a static file, so browsers fetch it again when it changes."""
    target = STATIC_DIR / path
    if not target.is_file():
        logger.warning("static file missing path=%s", path)
        return "0"
    return hashlib.sha256(target.read_bytes()).hexdigest()[:10]


def static_url(path: str) -> str:
    return f"/static/{path}?v={_static_version(path)}"


def local_time(moment: datetime | None) -> str:
    """Format a naive UTC time from the database in council local time."""
    if moment is None:
        return ""
    return to_local(moment).strftime("%Y-%m-%d %H:%M")


def iso_date(day: date | None) -> str:
    return day.isoformat() if day else ""


def detail_value(value: Any) -> str:
    """Format one value of an audit entry's details: JSON for lists and objects, Arabic kept readable."""
    if value is None:
        return "—"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


@lru_cache(maxsize=len(LANGUAGES))
def environment(language: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "svg"]),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(gettext_for(language), ngettext_for(language), newstyle=True)
    env.globals.update(static_url=static_url, language_names=LANGUAGE_NAMES)
    env.filters.update(local_time=local_time, iso_date=iso_date, detail_value=detail_value)
    return env


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """Render a template for this request: language, direction, user and CSRF token included."""
    language = language_of(request)
    user = getattr(request.state, "user", None)
    page = {
        "request": request,
        "lang": language,
        "dir": direction(language),
        "other_language": "en" if language == "ar" else "ar",
        # Arabic separates list items with the Arabic comma.
        "comma": "، " if language == "ar" else ", ",
        "user": user,
        "csrf_token": csrf.token_for(request),
        # Plain gettext for Python objects that translate themselves, like DiwanError.render.
        "translate": gettext_for(language),
        "current_url": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
    }
    page.update(context or {})

    html = environment(language).get_template(template).render(page)
    response = HTMLResponse(html, status_code=status_code, headers=dict(headers or {}))
    response.headers["Vary"] = "HX-Request, Cookie"
    csrf.set_cookie_if_new(request, response)
    return response
