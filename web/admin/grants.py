"""Read access for other departments: give, list and revoke grants, each written to the audit log."""

import logging
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy import select

from archive_api.access.models import SCOPE_DOC_TYPE, SCOPE_DOCUMENT, SCOPES, Grant
from archive_api.access.service import create_grant, grants_of_department, revoke_grant
from archive_api.accounts.models import Department
from archive_api.api.deps import SessionDep
from archive_api.audit.service import record
from archive_api.documents.metadata import clean_metadata, parse_date
from archive_api.errors import N_, DiwanError, NotFound
from archive_api.timeutil import end_of_local_day, utcnow
from web.deps import AdminUser
from web.forms import FormState, Translate
from web.redirects import see_other
from web.rendering import language_of, render, translator

logger = logging.getLogger(__name__)

router = APIRouter()

FIELDS = ("grantee", "scope", "doc_type", "document_id", "until")
# Form field of each service error, keyed by the parameter that the error message names.
ERROR_FIELDS = {"code": "grantee", "scope": "scope", "id": "document_id", "date": "until"}


class InvalidRecordNumber(DiwanError):
    code = "invalid_record_number"


def _state(grant: Grant) -> str:
    if grant.revoked_at is not None:
        return "revoked"
    if grant.expires_at is not None and grant.expires_at <= utcnow():
        return "expired"
    return "active"


def _page(request: Request, session, admin, form: FormState, status_code: int = 200) -> Response:
    others = session.scalars(
        select(Department).where(Department.id != admin.department_id).order_by(Department.code)
    ).all()
    grants = grants_of_department(session, admin.department_id)
    context = {
        "form": form,
        "section": "grants",
        "departments": [(d.code, f"{d.code} — {d.name(language_of(request))}") for d in others],
        "scopes": SCOPES,
        "given": [(grant, _state(grant)) for grant in grants if grant.grantor_department_id == admin.department_id],
        "received": [(grant, _state(grant)) for grant in grants if grant.grantee_department_id == admin.department_id],
    }
    return render(request, "admin/grants.html", context, status_code=status_code)


@router.get("/grants")
def grants_page(request: Request, session: SessionDep, admin: AdminUser) -> Response:
    return _page(request, session, admin, FormState(values={**dict.fromkeys(FIELDS, ""), "scope": "department"}))


def _check_form(form: FormState, translate: Translate):
    """Check the fields that depend on the scope; return (doc type, record id, expiry) or None."""
    scope = form.value("scope")
    doc_type = document_id = None

    if not form.value("grantee"):
        form.add("grantee", translate(N_("Choose the department that gets read access.")))
    if scope == SCOPE_DOC_TYPE:
        if not form.value("doc_type"):
            form.add("doc_type", translate(N_("Enter the document type to share, such as contract.")))
        else:
            try:
                doc_type = clean_metadata(doc_type=form.value("doc_type")).doc_type
            except DiwanError as error:
                form.add("doc_type", error.render(translate))
    if scope == SCOPE_DOCUMENT and not form.value("document_id"):
        form.add("document_id",
                 translate(N_("Enter the number of the record to share; it is shown on the document page.")))
    elif scope == SCOPE_DOCUMENT:
        try:
            document_id = int(form.value("document_id"))
        except ValueError:
            form.add("document_id", InvalidRecordNumber(
                N_("The record number %(value)r is not a number; type the number shown on the document page."),
                value=form.value("document_id"),
            ).render(translate))
    try:
        expires_at = end_of_local_day(parse_date(form.value("until"), translate(N_("end date"))))
    except DiwanError as error:
        form.add("until", error.render(translate))
        expires_at = None
    return (doc_type, document_id, expires_at) if form.ok else None


@router.post("/grants")
def add(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    grantee: Annotated[str, Form()] = "",
    scope: Annotated[str, Form()] = "",
    doc_type: Annotated[str, Form()] = "",
    document_id: Annotated[str, Form()] = "",
    until: Annotated[str, Form()] = "",
) -> Response:
    submitted = {"grantee": grantee, "scope": scope, "doc_type": doc_type, "document_id": document_id, "until": until}
    form = FormState.from_mapping(submitted, FIELDS)
    translate = translator(request)

    checked = _check_form(form, translate)
    if checked is None:
        return _page(request, session, admin, form, 422)
    doc_type, document_id, expires_at = checked

    try:
        grant = create_grant(session, admin, form.value("grantee"), form.value("scope"), doc_type, document_id,
                             expires_at)
    except DiwanError as error:
        form.add_error(error, translate, ERROR_FIELDS)
        return _page(request, session, admin, form, error.http_status)

    record(session, admin, "grant", "grant", grant.id, {
        "to": grant.grantee.code, "scope": grant.scope, "type": grant.doc_type, "document": grant.document_id,
        "until": form.value("until") or None,
    })
    session.commit()
    logger.info("grant created from the web id=%s", grant.id)
    return see_other("/admin/grants")


@router.post("/grants/{grant_id}/revoke")
def revoke(grant_id: int, session: SessionDep, admin: AdminUser) -> Response:
    grant = session.get(Grant, grant_id)
    if grant is None or grant.grantor_department_id != admin.department_id:
        raise NotFound(N_("Grant %(id)s was not found among your department's grants."), id=grant_id)

    if grant.revoked_at is None:
        revoke_grant(session, admin, grant_id)
        record(session, admin, "revoke", "grant", grant.id, {"to": grant.grantee.code, "scope": grant.scope})
        session.commit()
        logger.info("grant revoked from the web id=%s", grant.id)
    return see_other("/admin/grants")
