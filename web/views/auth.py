"""Signing in and out, the home page, and the interface language switch."""

import logging
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from archive_api.accounts.models import User
from archive_api.accounts.service import SESSION_LIFETIME, authenticate, end_session, start_session
from archive_api.api.deps import SESSION_COOKIE, ArchiveDep
from archive_api.errors import N_, DiwanError
from archive_api.i18n import LANGUAGES
from web import csrf
from web.deps import OptionalUser, WebUser
from web.forms import FormState
from web.redirects import local_path, see_other
from web.rendering import LANGUAGE_COOKIE, render, translator
from web.throttle import login_throttle

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

HOME = "/search"
LOGIN_FIELDS = ("username", "next")
LANGUAGE_COOKIE_MAX_AGE_S = 365 * 24 * 3600


class UnknownLanguage(DiwanError):
    code = "unknown_language"


def _client(request: Request) -> str:
    return request.client.host if request.client else "-"


def _login_page(request: Request, form: FormState, status_code: int = 200) -> Response:
    return render(request, "login.html", {"form": form}, status_code=status_code)


@router.get("/")
def home() -> Response:
    return see_other(HOME)


@router.get("/login")
def login_form(request: Request, user: OptionalUser, next: str = "") -> Response:
    destination = local_path(next, HOME)
    if user is not None:
        return see_other(destination)
    return _login_page(request, FormState(values={"username": "", "next": destination}))


@router.post("/login")
def login(
    request: Request,
    archive: ArchiveDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    # A plain function, so FastAPI runs it in a thread while Argon2 checks the password.
    form = FormState.from_mapping({"username": username, "next": next}, LOGIN_FIELDS)
    gettext = translator(request)

    # Checks first: the form came from this site, both fields are there, not locked out.
    try:
        csrf.check_presession_token(request, csrf_token)
    except DiwanError as error:
        form.add_error(error, gettext)
        return _login_page(request, form, error.http_status)
    if not form.value("username"):
        form.add("username", gettext(N_("Enter your username.")))
    if not password:
        form.add("password", gettext(N_("Enter your password.")))
    if not form.ok:
        return _login_page(request, form, 422)
    try:
        login_throttle.check(form.value("username"), _client(request))
    except DiwanError as error:
        form.add_error(error, gettext)
        return _login_page(request, form, error.http_status)

    try:
        with archive.db.session() as session:
            user = authenticate(session, form.value("username"), password)
            cookie_value, _web_session = start_session(session, user)
            user_id, language = user.id, user.language
    except DiwanError as error:
        login_throttle.failed(form.value("username"), _client(request))
        logger.info("sign-in failed")
        form.add_error(error, gettext)
        return _login_page(request, form, error.http_status)

    login_throttle.succeeded(form.value("username"), _client(request))
    logger.info("signed in user=%s", user_id)
    response = see_other(local_path(form.value("next"), HOME))
    response.set_cookie(
        SESSION_COOKIE, cookie_value, max_age=int(SESSION_LIFETIME.total_seconds()), httponly=True,
        samesite="lax", secure=request.url.scheme == "https",
    )
    if language in LANGUAGES:
        _set_language_cookie(request, response, language)
    return response


@router.post("/logout")
def logout(request: Request, user: WebUser, archive: ArchiveDep) -> Response:
    with archive.db.session() as session:
        end_session(session, request.cookies.get(SESSION_COOKIE, ""))
    logger.info("signed out user=%s", user.id)
    response = see_other("/login")
    response.delete_cookie(SESSION_COOKIE)
    return response


def _set_language_cookie(request: Request, response: Response, language: str) -> None:
    response.set_cookie(
        LANGUAGE_COOKIE, language, max_age=LANGUAGE_COOKIE_MAX_AGE_S, samesite="lax",
        secure=request.url.scheme == "https",
    )


@router.post("/language")
def switch_language(
    request: Request,
    user: OptionalUser,
    archive: ArchiveDep,
    lang: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    """Store the chosen language in a cookie, and on the account of a signed-in user."""
    if user is None:
        csrf.check_presession_token(request, csrf_token)
    language = lang
    if language not in LANGUAGES:
        raise UnknownLanguage(
            N_("Language %(value)r is not offered; choose ar (Arabic) or en (English)."), value=language
        )

    if user is not None:
        with archive.db.session() as session:
            session.get(User, user.id).language = language
        user.language = language
    response = see_other(local_path(next, HOME))
    _set_language_cookie(request, response, language)
    return response
