"""Password reset for applicants: ask for a code by national ID, then set a new password with it.

Both steps respond the same way whether or not the national ID has an account. The first always
shows the code form, and the second has one message for every failure.
"""

import logging
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from archive_api.api.deps import ArchiveDep
from archive_api.errors import N_, DiwanError
from recruitment.applicants.codes import clean_code
from recruitment.applicants.errors import InvalidApplicantData
from recruitment.applicants.national_id import clean_national_id
from recruitment.applicants.personal import check_applicant_password
from recruitment.applicants.reset import check_reset_code, request_reset, reset_failed, set_new_password
from web import csrf
from web.forms import FormState
from web.recruitment import applicants_throttles as throttles
from web.recruitment.applicants_deps import SIGN_IN_PATH, render_applicant
from web.redirects import see_other
from web.rendering import translator

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

REQUEST_TEMPLATE = "recruitment/applicants/reset_request.html"
CONFIRM_TEMPLATE = "recruitment/applicants/reset_confirm.html"


def _page(request: Request, template: str, form: FormState, status_code: int = 200, sent: bool = False) -> Response:
    return render_applicant(request, template, {"form": form, "sent": sent}, status_code)


@router.get("/applicant/reset-password")
def reset_request_form(request: Request) -> Response:
    return _page(request, REQUEST_TEMPLATE, FormState(values={"national_id": ""}))


@router.post("/applicant/reset-password")
def reset_request(
    request: Request,
    archive: ArchiveDep,
    national_id: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    form = FormState(values={"national_id": national_id.strip()})
    gettext = translator(request)
    try:
        csrf.check_presession_token(request, csrf_token)
        clean_id = clean_national_id(national_id)
    except InvalidApplicantData as error:
        form.add("national_id", error.render(gettext))
        return _page(request, REQUEST_TEMPLATE, form, error.http_status)
    except DiwanError as error:
        form.add_error(error, gettext)
        return _page(request, REQUEST_TEMPLATE, form, error.http_status)

    with archive.db.session() as session:
        request_reset(session, clean_id)
    # The same page whatever happened, so the response does not reveal whether the account exists.
    return _page(request, CONFIRM_TEMPLATE, FormState(values={"national_id": clean_id, "code": ""}), sent=True)


@router.get("/applicant/reset-password/confirm")
def reset_confirm_form(request: Request) -> Response:
    return _page(request, CONFIRM_TEMPLATE, FormState(values={"national_id": "", "code": ""}))


def _check_reset_form(form: FormState, code: str, password: str, password_again: str, gettext) -> tuple[str, str]:
    """Check each field on its own; return the clean national ID and code (empty when invalid)."""
    clean_id = clean = ""
    try:
        clean_id = clean_national_id(form.value("national_id"))
    except InvalidApplicantData as error:
        form.add("national_id", error.render(gettext))
    try:
        clean = clean_code(code)
    except InvalidApplicantData as error:
        form.add("code", error.render(gettext))
    try:
        check_applicant_password(password, clean_id)
    except InvalidApplicantData as error:
        form.add("password", error.render(gettext))
    if password and password != password_again:
        form.add("password_again", gettext(N_("The two passwords differ; type the same password twice.")))
    return clean_id, clean


@router.post("/applicant/reset-password/confirm")
def reset_confirm(
    request: Request,
    archive: ArchiveDep,
    national_id: Annotated[str, Form()] = "",
    code: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    password_again: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    # A plain function, so FastAPI runs it in a thread while Argon2 hashes the new password.
    form = FormState(values={"national_id": national_id.strip(), "code": code.strip()})
    gettext = translator(request)
    try:
        csrf.check_presession_token(request, csrf_token)
    except DiwanError as error:
        form.add_error(error, gettext)
        return _page(request, CONFIRM_TEMPLATE, form, error.http_status)

    clean_id, clean = _check_reset_form(form, code, password, password_again, gettext)
    if not form.ok:
        return _page(request, CONFIRM_TEMPLATE, form, 422)
    try:
        throttles.check_reset(clean_id, request)
    except DiwanError as error:
        form.add_error(error, gettext)
        return _page(request, CONFIRM_TEMPLATE, form, error.http_status)

    with archive.db.session() as session:
        applicant, matched = check_reset_code(session, clean_id, clean)
        if matched:
            set_new_password(session, applicant, password)
    if not matched:
        throttles.reset_throttle.failed(clean_id, throttles.client_of(request))
        failure = reset_failed()
        form.add_error(failure, gettext)
        return _page(request, CONFIRM_TEMPLATE, form, failure.http_status)

    throttles.reset_throttle.succeeded(clean_id, throttles.client_of(request))
    throttles.sign_in_throttle.succeeded(clean_id, throttles.client_of(request))
    logger.info("applicant password reset from the web")
    return see_other(f"{SIGN_IN_PATH}?notice=reset")
