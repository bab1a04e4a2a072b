"""Departments: the list and a form to add one."""

import logging
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy import func, select

from archive_api.accounts.models import Department, User
from archive_api.accounts.service import add_department
from archive_api.api.deps import SessionDep
from archive_api.audit.service import record
from archive_api.errors import N_, DiwanError
from web.deps import AdminUser
from web.forms import FormState
from web.redirects import see_other
from web.rendering import render, translator

logger = logging.getLogger(__name__)

router = APIRouter()

FIELDS = ("code", "name_ar", "name_en")


def _page(request: Request, session, form: FormState, status_code: int = 200) -> Response:
    user_counts = dict(session.execute(select(User.department_id, func.count()).group_by(User.department_id)).all())
    departments = session.scalars(select(Department).order_by(Department.code)).all()
    # The confirmation names only a department that exists, whatever the link contains.
    added = request.query_params.get("added", "")
    context = {"form": form, "departments": departments, "user_counts": user_counts, "section": "departments",
               "added": added if any(d.code == added for d in departments) else ""}
    return render(request, "admin/departments.html", context, status_code=status_code)


@router.get("/departments")
def departments_page(request: Request, session: SessionDep, admin: AdminUser) -> Response:
    return _page(request, session, FormState(values=dict.fromkeys(FIELDS, "")))


@router.post("/departments")
def add(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    code: Annotated[str, Form()] = "",
    name_ar: Annotated[str, Form()] = "",
    name_en: Annotated[str, Form()] = "",
) -> Response:
    form = FormState.from_mapping({"code": code, "name_ar": name_ar, "name_en": name_en}, FIELDS)
    translate = translator(request)

    if not form.value("code"):
        form.add("code", translate(N_("Enter a short code for the department, such as HR.")))
    if not form.value("name_ar"):
        form.add("name_ar", translate(N_("Enter the Arabic name of the department.")))
    if not form.value("name_en"):
        form.add("name_en", translate(N_("Enter the English name of the department.")))
    if not form.ok:
        return _page(request, session, form, 422)

    try:
        department = add_department(session, form.value("code"), form.value("name_ar"), form.value("name_en"))
    except DiwanError as error:
        form.add_error(error, translate, {"code": "code"})
        return _page(request, session, form, error.http_status)

    record(session, admin, "department_add", "department", department.id, {"code": department.code})
    session.commit()
    logger.info("department added from the web id=%s", department.id)
    return see_other(f"/admin/departments?added={department.code}")
