"""Users of the administrator's own department: the list and a form to add one."""

import logging
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy import select

from archive_api.accounts.models import ROLES, User
from archive_api.accounts.service import add_user
from archive_api.api.deps import SessionDep
from archive_api.audit.service import record
from archive_api.errors import N_, DiwanError
from web.deps import AdminUser
from web.forms import FormState
from web.redirects import see_other
from web.rendering import render, translator

logger = logging.getLogger(__name__)

router = APIRouter()

FIELDS = ("username", "role")
# Form field of each service error, keyed by the parameter that the error message names.
ERROR_FIELDS = {"username": "username", "role": "role", "minimum": "password"}


def _page(request: Request, session, admin, form: FormState, status_code: int = 200) -> Response:
    users = session.scalars(
        select(User).where(User.department_id == admin.department_id).order_by(User.username)
    ).all()
    # The confirmation names only a user of this department, whatever the link contains.
    added = request.query_params.get("added", "")
    context = {"form": form, "users": users, "roles": ROLES, "section": "users",
               "added": added if any(u.username == added for u in users) else ""}
    return render(request, "admin/users.html", context, status_code=status_code)


@router.get("/users")
def users_page(request: Request, session: SessionDep, admin: AdminUser) -> Response:
    return _page(request, session, admin, FormState(values={"username": "", "role": "clerk"}))


@router.post("/users")
def add(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    username: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    password_again: Annotated[str, Form()] = "",
) -> Response:
    # A plain function, so FastAPI runs it in a thread while Argon2 hashes the password.
    form = FormState.from_mapping({"username": username, "role": role}, FIELDS)
    translate = translator(request)

    if not form.value("username"):
        form.add("username", translate(N_("Enter a username, such as m.khalil.")))
    if not password:
        form.add("password", translate(N_("Enter a password for the new user.")))
    elif password != password_again:
        form.add("password_again", translate(N_("The two passwords differ; type the same password twice.")))
    if not form.ok:
        return _page(request, session, admin, form, 422)

    try:
        user = add_user(session, form.value("username"), admin.department.code, form.value("role"), password)
    except DiwanError as error:
        form.add_error(error, translate, ERROR_FIELDS)
        return _page(request, session, admin, form, error.http_status)

    record(session, admin, "user_add", "user", user.id, {"username": user.username, "role": user.role})
    session.commit()
    logger.info("user added from the web id=%s role=%s", user.id, user.role)
    return see_other(f"/admin/users?added={user.username}")
