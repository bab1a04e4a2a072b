"""Applicant sign-up, sign-in and sign-out, mobile confirmation, and the applicant's language.

Forms shown before sign-in carry the pre-session CSRF token (web.csrf); forms of a signed-in
applicant carry their session's token, checked by the applicant dependencies.
"""

import logging
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from archive_api.api.deps import ArchiveDep
from archive_api.errors import N_, DiwanError
from archive_api.i18n import LANGUAGES
from recruitment.applicants.accounts import (
    SESSION_LIFETIME,
    SignUp,
    authenticate,
    change_unconfirmed_mobile,
    check_sign_up,
    confirm_mobile,
    end_session,
    send_confirmation_code,
    sign_up,
    start_session,
)
from recruitment.applicants.codes import PURPOSE_CONFIRM_MOBILE, clean_code, seconds_until_resend
from recruitment.applicants.errors import AccountExists, CodeRejected, InvalidApplicantData, SignInFailed
from recruitment.applicants.models import Applicant
from recruitment.applicants.national_id import clean_national_id
from recruitment.applicants.phones import local_form
from web import csrf
from web.forms import FormState
from web.recruitment import applicants_throttles as throttles
from web.recruitment.applicants_deps import (
    APPLICANT_COOKIE,
    CONFIRM_PATH,
    HOME_PATH,
    SIGN_IN_PATH,
    OptionalApplicant,
    PendingApplicant,
    render_applicant,
)
from web.redirects import local_path, see_other
from web.rendering import LANGUAGE_COOKIE, language_of, translator
from web.views.auth import LANGUAGE_COOKIE_MAX_AGE_S, UnknownLanguage

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

SIGN_UP_FIELDS = ("national_id", "full_name", "birth_date", "mobile")
SIGN_IN_FIELDS = ("national_id", "next")
# Notices named in a redirect's query string, so a reload cannot show a message that is not true.
SIGN_IN_NOTICES = {
    "reset": N_("Your password was changed. Sign in with the new password."),
    "signed_out": N_("You have signed out."),
}


def _set_cookies(request: Request, response: Response, cookie_value: str, language: str) -> None:
    secure = request.url.scheme == "https"
    response.set_cookie(
        APPLICANT_COOKIE, cookie_value, max_age=int(SESSION_LIFETIME.total_seconds()), httponly=True,
        samesite="lax", secure=secure,
    )
    if language in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=LANGUAGE_COOKIE_MAX_AGE_S, samesite="lax",
                            secure=secure)


# --- sign-up ---------------------------------------------------------------------------------


def _sign_up_page(request: Request, form: FormState, status_code: int = 200) -> Response:
    return render_applicant(request, "recruitment/applicants/sign_up.html", {"form": form}, status_code)


@router.get("/applicant/sign-up")
def sign_up_form(request: Request, applicant: OptionalApplicant) -> Response:
    if applicant is not None:
        return see_other(HOME_PATH)
    return _sign_up_page(request, FormState(values=dict.fromkeys(SIGN_UP_FIELDS, "")))


@router.post("/applicant/sign-up")
def sign_up_submit(
    request: Request,
    archive: ArchiveDep,
    national_id: Annotated[str, Form()] = "",
    full_name: Annotated[str, Form()] = "",
    birth_date: Annotated[str, Form()] = "",
    mobile: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    password_again: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    # A plain function, so FastAPI runs it in a thread while Argon2 hashes the password.
    typed = {"national_id": national_id, "full_name": full_name, "birth_date": birth_date, "mobile": mobile}
    form = FormState.from_mapping(typed, SIGN_UP_FIELDS)
    gettext = translator(request)

    try:
        csrf.check_presession_token(request, csrf_token)
        throttles.check_sign_up(request)
    except DiwanError as error:
        form.add_error(error, gettext)
        return _sign_up_page(request, form, error.http_status)

    details = SignUp(national_id, full_name, birth_date, mobile, password, language_of(request))
    for name, error in check_sign_up(details).items():
        form.add(name, error.render(gettext))
    if password and password != password_again:
        form.add("password_again", gettext(N_("The two passwords differ; type the same password twice.")))
    if not form.ok:
        return _sign_up_page(request, form, 422)

    try:
        with archive.db.session() as session:
            applicant = sign_up(session, details)
            cookie_value, _row = start_session(session, applicant)
            applicant_id, language = applicant.id, applicant.language
    except AccountExists as error:
        throttles.count_sign_up(request)
        form.add("national_id", error.render(gettext))
        return _sign_up_page(request, form, error.http_status)
    except DiwanError as error:
        form.add_error(error, gettext)
        return _sign_up_page(request, form, error.http_status)

    throttles.count_sign_up(request)
    logger.info("applicant account created id=%s", applicant_id)
    response = see_other(CONFIRM_PATH)
    _set_cookies(request, response, cookie_value, language)
    return response


# --- sign-in and sign-out --------------------------------------------------------------------


def _sign_in_page(request: Request, form: FormState, status_code: int = 200, notice: str = "") -> Response:
    context = {"form": form, "notice": notice}
    return render_applicant(request, "recruitment/applicants/sign_in.html", context, status_code)


@router.get("/applicant/sign-in")
def sign_in_form(request: Request, applicant: OptionalApplicant, next: str = "", notice: str = "") -> Response:
    destination = local_path(next, HOME_PATH)
    if applicant is not None:
        return see_other(destination)
    form = FormState(values={"national_id": "", "next": destination})
    return _sign_in_page(request, form, notice=SIGN_IN_NOTICES.get(notice, ""))


@router.post("/applicant/sign-in")
def sign_in(
    request: Request,
    archive: ArchiveDep,
    national_id: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    form = FormState.from_mapping({"national_id": national_id, "next": next}, SIGN_IN_FIELDS)
    gettext = translator(request)

    try:
        csrf.check_presession_token(request, csrf_token)
    except DiwanError as error:
        form.add_error(error, gettext)
        return _sign_in_page(request, form, error.http_status)
    clean_id = ""
    try:
        clean_id = clean_national_id(national_id)
    except InvalidApplicantData as error:
        form.add("national_id", error.render(gettext))
    if not password:
        form.add("password", gettext(N_("Enter your password.")))
    if not form.ok:
        return _sign_in_page(request, form, 422)

    try:
        throttles.check_sign_in(clean_id, request)
        with archive.db.session() as session:
            applicant = authenticate(session, clean_id, password)
            cookie_value, _row = start_session(session, applicant)
            applicant_id, language = applicant.id, applicant.language
            confirmed = applicant.mobile_confirmed_at is not None
    except SignInFailed as error:
        throttles.sign_in_throttle.failed(clean_id, throttles.client_of(request))
        logger.info("applicant sign-in failed")
        form.add_error(error, gettext)
        return _sign_in_page(request, form, error.http_status)
    except DiwanError as error:
        form.add_error(error, gettext)
        return _sign_in_page(request, form, error.http_status)

    throttles.sign_in_throttle.succeeded(clean_id, throttles.client_of(request))
    logger.info("applicant signed in id=%s", applicant_id)
    response = see_other(local_path(form.value("next"), HOME_PATH) if confirmed else CONFIRM_PATH)
    _set_cookies(request, response, cookie_value, language)
    return response


@router.post("/applicant/sign-out")
def sign_out(request: Request, applicant: PendingApplicant, archive: ArchiveDep) -> Response:
    with archive.db.session() as session:
        end_session(session, request.cookies.get(APPLICANT_COOKIE, ""))
    logger.info("applicant signed out id=%s", applicant.id)
    response = see_other(f"{SIGN_IN_PATH}?notice=signed_out")
    response.delete_cookie(APPLICANT_COOKIE)
    return response


# --- mobile confirmation ---------------------------------------------------------------------


def _confirm_page(request: Request, archive, applicant: Applicant, form: FormState, status_code: int = 200,
                  notice: str = "") -> Response:
    with archive.db.session(write=False) as session:
        wait_s = seconds_until_resend(session, applicant, PURPOSE_CONFIRM_MOBILE)
    context = {"form": form, "mobile": local_form(applicant.mobile), "wait_s": wait_s, "notice": notice}
    return render_applicant(request, "recruitment/applicants/confirm.html", context, status_code)


@router.get("/applicant/confirm")
def confirm_form(request: Request, applicant: PendingApplicant, archive: ArchiveDep, sent: str = "") -> Response:
    if applicant.mobile_confirmed_at is not None:
        return see_other(HOME_PATH)
    notice = N_("A new code was sent to your mobile.") if sent == "1" else ""
    return _confirm_page(request, archive, applicant, FormState(values={"code": "", "mobile": ""}), notice=notice)


@router.post("/applicant/confirm")
def confirm(
    request: Request, applicant: PendingApplicant, archive: ArchiveDep, code: Annotated[str, Form()] = ""
) -> Response:
    if applicant.mobile_confirmed_at is not None:
        return see_other(HOME_PATH)
    form = FormState(values={"code": code.strip(), "mobile": ""})
    gettext = translator(request)

    try:
        typed = clean_code(code)
    except InvalidApplicantData as error:
        form.add("code", error.render(gettext))
        return _confirm_page(request, archive, applicant, form, 422)

    problem = None
    with archive.db.session() as session:
        try:
            confirm_mobile(session, session.get(Applicant, applicant.id), typed)
        except CodeRejected as error:
            # Caught inside the transaction, so the wrong try is committed and counted.
            problem = error
    if problem is not None:
        form.add("code", problem.render(gettext))
        return _confirm_page(request, archive, applicant, form, problem.http_status)

    logger.info("applicant confirmed mobile id=%s", applicant.id)
    return see_other(f"{HOME_PATH}?notice=welcome")


@router.post("/applicant/confirm/resend")
def resend_code(request: Request, applicant: PendingApplicant, archive: ArchiveDep) -> Response:
    if applicant.mobile_confirmed_at is not None:
        return see_other(HOME_PATH)
    try:
        with archive.db.session() as session:
            send_confirmation_code(session, session.get(Applicant, applicant.id))
    except DiwanError as error:
        form = FormState(values={"code": "", "mobile": ""})
        form.add_error(error, translator(request))
        return _confirm_page(request, archive, applicant, form, error.http_status)
    return see_other(f"{CONFIRM_PATH}?sent=1")


@router.post("/applicant/confirm/mobile")
def change_mobile(
    request: Request, applicant: PendingApplicant, archive: ArchiveDep, mobile: Annotated[str, Form()] = ""
) -> Response:
    """Correct a mistyped mobile number before it is confirmed, and send the code to the new one."""
    if applicant.mobile_confirmed_at is not None:
        return see_other(HOME_PATH)
    form = FormState(values={"code": "", "mobile": mobile.strip()})
    try:
        with archive.db.session() as session:
            change_unconfirmed_mobile(session, session.get(Applicant, applicant.id), mobile)
    except InvalidApplicantData as error:
        form.add("mobile", error.render(translator(request)))
        return _confirm_page(request, archive, applicant, form, error.http_status)
    except DiwanError as error:
        form.add_error(error, translator(request))
        return _confirm_page(request, archive, applicant, form, error.http_status)
    return see_other(f"{CONFIRM_PATH}?sent=1")


# --- language --------------------------------------------------------------------------------


@router.post("/applicant/language")
def switch_language(
    request: Request,
    applicant: PendingApplicant,
    archive: ArchiveDep,
    lang: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    """Store the interface language on the account too, so SMS come in that language."""
    if lang not in LANGUAGES:
        raise UnknownLanguage(
            N_("Language %(value)r is not offered; choose ar (Arabic) or en (English)."), value=lang
        )
    with archive.db.session() as session:
        session.get(Applicant, applicant.id).language = lang
    response = see_other(local_path(next, HOME_PATH))
    response.set_cookie(LANGUAGE_COOKIE, lang, max_age=LANGUAGE_COOKIE_MAX_AGE_S, samesite="lax",
                        secure=request.url.scheme == "https")
    return response
