"""Staff pages for announcements: list, draft, edit, publish, close and extend the closing time.

Every page is for staff of a recruitment department; changes need an administrator or clerk.
"""

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import select

from archive_api.accounts.models import Department, User
from archive_api.api.deps import SessionDep
from archive_api.context import get_archive
from archive_api.errors import DiwanError
from archive_api.timeutil import utcnow
from recruitment.announcements.access import (
    can_edit_announcements,
    require_announcement_editor,
    require_recruitment_staff,
)
from recruitment.announcements.models import DEGREE_LEVELS, DOCUMENT_KINDS, GOVERNORATES, STATUS_DRAFT
from recruitment.announcements.service import (
    ALL_STATUSES,
    AnnouncementFilters,
    close,
    create_announcement,
    extend_closing,
    get_announcement,
    list_announcements,
    publish,
    update_draft,
)
from recruitment.announcements.validation import FIELD_NAMES, InvalidAnnouncement
from recruitment.announcements.window import input_value
from web.deps import WebUser
from web.forms import FormState
from web.recruitment.public_views import NAMES, view_of
from web.redirects import see_other
from web.rendering import render, translator

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

PER_PAGE = 30


def recruitment_staff(user: WebUser) -> User:
    return require_recruitment_staff(user)


def announcement_editor(user: WebUser) -> User:
    return require_announcement_editor(user)


RecruitmentStaff = Annotated[User, Depends(recruitment_staff)]
AnnouncementEditor = Annotated[User, Depends(announcement_editor)]


async def submitted_form(request: Request) -> dict[str, str | list[str]]:
    """Return the posted form: text fields as strings, the document kinds as a list."""
    form = await request.form()
    values: dict[str, str | list[str]] = {}
    for name in FIELD_NAMES:
        if name == "required_documents":
            values[name] = [value for value in form.getlist(name) if isinstance(value, str)]
        else:
            value = form.get(name)
            values[name] = value if isinstance(value, str) else ""
    return values


SubmittedForm = Annotated[dict, Depends(submitted_form)]


def _ministries(session) -> list[Department]:
    """Departments that can announce jobs: every one except the department that stores applicants' files."""
    applicants = get_archive().settings.applicants_department
    return list(session.scalars(select(Department).where(Department.code != applicants).order_by(Department.name_ar)))


def _form_page(request: Request, session, form: FormState, announcement=None, status_code: int = 200) -> Response:
    context = {
        "form": form,
        "announcement": announcement,
        "ministries": _ministries(session),
        "governorates": GOVERNORATES,
        "degrees": DEGREE_LEVELS,
        "document_kinds": DOCUMENT_KINDS,
        "names": NAMES,
        "section": "announcements",
    }
    return render(request, "recruitment/announcements/form.html", context, status_code=status_code)


def _state_from_values(values: dict) -> FormState:
    form = FormState(values={name: value for name, value in values.items() if isinstance(value, str)})
    form.values["required_documents"] = values.get("required_documents") or []
    for name in FIELD_NAMES:
        if isinstance(form.values.get(name), str):
            form.values[name] = form.values[name].strip()
    return form


def _add_errors(form: FormState, error: DiwanError, translate) -> None:
    if isinstance(error, InvalidAnnouncement):
        for name, field_error in error.field_errors.items():
            form.add(name, field_error.render(translate))
    else:
        form.problems.append(error.render(translate))


@router.get("/recruitment/announcements")
def announcements_list(request: Request, session: SessionDep, user: RecruitmentStaff) -> Response:
    status = request.query_params.get("status", "")
    statuses = (status,) if status in ALL_STATUSES else ALL_STATUSES
    page_text = request.query_params.get("page", "1")
    page = int(page_text) if page_text.isascii() and page_text.isdigit() and int(page_text) > 0 else 1

    results = list_announcements(session, AnnouncementFilters(statuses=statuses), page=page, per_page=PER_PAGE)
    now = utcnow()
    context = {
        "results": results,
        "views": [view_of(item, now) for item in results.items],
        "status": status if status in ALL_STATUSES else "",
        "can_edit": can_edit_announcements(user),
        "names": NAMES,
    }
    return render(request, "recruitment/announcements/list.html", context)


@router.get("/recruitment/announcements/new")
def new_announcement_form(request: Request, session: SessionDep, user: AnnouncementEditor) -> Response:
    return _form_page(request, session, FormState(values={"required_documents": []}))


@router.post("/recruitment/announcements/new")
def new_announcement(
    request: Request, session: SessionDep, user: AnnouncementEditor, values: SubmittedForm
) -> Response:
    try:
        announcement = create_announcement(session, user, values)
    except DiwanError as error:
        session.rollback()
        form = _state_from_values(values)
        _add_errors(form, error, translator(request))
        return _form_page(request, session, form, status_code=error.http_status)

    session.commit()
    return see_other(f"/recruitment/announcements/{announcement.id}?done=saved")


@router.get("/recruitment/announcements/{announcement_id:int}")
def announcement_page(request: Request, session: SessionDep, user: RecruitmentStaff, announcement_id: int) -> Response:
    announcement = get_announcement(session, announcement_id)
    return _detail(request, announcement, user, FormState(values={"closes_at": input_value(announcement.closes_at)}))


def _detail(request: Request, announcement, user: User, extend_form: FormState, status_code: int = 200) -> Response:
    notice = request.query_params.get("done", "")
    context = {
        "view": view_of(announcement, utcnow()),
        "names": NAMES,
        "can_edit": can_edit_announcements(user),
        "extend_form": extend_form,
        "notice": notice if notice in ("saved", "published", "closed", "extended") else "",
    }
    return render(request, "recruitment/announcements/view.html", context, status_code=status_code)


@router.get("/recruitment/announcements/{announcement_id:int}/edit")
def edit_form(request: Request, session: SessionDep, user: AnnouncementEditor, announcement_id: int) -> Response:
    announcement = get_announcement(session, announcement_id)
    if announcement.status != STATUS_DRAFT:
        return see_other(f"/recruitment/announcements/{announcement.id}")
    return _form_page(request, session, _state_of(announcement), announcement)


def _state_of(announcement) -> FormState:
    view = view_of(announcement, utcnow())
    values = {
        "number": announcement.number,
        "title_ar": announcement.title_ar,
        "title_en": announcement.title_en or "",
        "ministry": announcement.ministry.code,
        "unit": announcement.unit or "",
        "vacancies": str(announcement.vacancies),
        "governorate": announcement.governorate,
        "grade": announcement.grade or "",
        "description": announcement.description,
        "degree_level": announcement.degree_level or "",
        "majors": "\n".join(view.majors),
        "min_experience_years": str(announcement.min_experience_years),
        "required_documents": view.documents,
        "opens_at": input_value(announcement.opens_at),
        "closes_at": input_value(announcement.closes_at),
    }
    return FormState(values=values)


@router.post("/recruitment/announcements/{announcement_id:int}/edit")
def edit(
    request: Request, session: SessionDep, user: AnnouncementEditor, announcement_id: int, values: SubmittedForm
) -> Response:
    announcement = get_announcement(session, announcement_id)
    try:
        update_draft(session, user, announcement, values)
    except DiwanError as error:
        session.rollback()
        form = _state_from_values(values)
        _add_errors(form, error, translator(request))
        return _form_page(request, session, form, get_announcement(session, announcement_id), error.http_status)

    session.commit()
    return see_other(f"/recruitment/announcements/{announcement.id}?done=saved")


@router.post("/recruitment/announcements/{announcement_id:int}/publish")
def publish_announcement(request: Request, session: SessionDep, user: AnnouncementEditor, announcement_id: int):
    return _change(request, session, user, announcement_id, publish, "published")


@router.post("/recruitment/announcements/{announcement_id:int}/close")
def close_announcement(request: Request, session: SessionDep, user: AnnouncementEditor, announcement_id: int):
    return _change(request, session, user, announcement_id, close, "closed")


def _change(request: Request, session, user: User, announcement_id: int, action, done: str) -> Response:
    announcement = get_announcement(session, announcement_id)
    try:
        action(session, user, announcement)
    except DiwanError as error:
        session.rollback()
        announcement = get_announcement(session, announcement_id)
        extend_form = FormState(values={"closes_at": input_value(announcement.closes_at)})
        extend_form.problems.append(error.render(translator(request)))
        return _detail(request, announcement, user, extend_form, error.http_status)

    session.commit()
    return see_other(f"/recruitment/announcements/{announcement.id}?done={done}")


@router.post("/recruitment/announcements/{announcement_id:int}/extend")
def extend(request: Request, session: SessionDep, user: AnnouncementEditor, announcement_id: int,
           values: SubmittedForm) -> Response:
    announcement = get_announcement(session, announcement_id)
    closes_at = values.get("closes_at", "")
    try:
        extend_closing(session, user, announcement, closes_at)
    except DiwanError as error:
        session.rollback()
        extend_form = FormState(values={"closes_at": closes_at.strip()})
        extend_form.add("closes_at", error.render(translator(request)))
        return _detail(request, get_announcement(session, announcement_id), user, extend_form, error.http_status)

    session.commit()
    return see_other(f"/recruitment/announcements/{announcement.id}?done=extended")
