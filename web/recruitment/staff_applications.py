"""Applications for the recruitment office: a filtered, paged list and each application in full.

Filters: announcement, status, the announcement's governorate, the highest degree in the
snapshot, and a search in the name, national ID and application number. Every list page and
every opened application is written to the audit log before it is sent.
"""

import logging
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from archive_api.accounts.models import User
from archive_api.api.deps import ArchiveDep
from archive_api.errors import N_
from recruitment.announcements.access import require_recruitment_staff
from recruitment.announcements.labels import DEGREE_NAMES, DOCUMENT_KIND_NAMES, GOVERNORATE_NAMES
from recruitment.announcements.models import DEGREE_LEVELS, GOVERNORATES, Announcement
from recruitment.announcements.service import PUBLIC_STATUSES
from recruitment.applicants.phones import local_form
from recruitment.applications.errors import InvalidApplicationFilter
from recruitment.applications.labels import EVENT_LABELS, STATUS_LABELS
from recruitment.applications.listing import (
    ApplicationFilters,
    audit_listing,
    audit_view,
    check_filters,
    list_applications,
    staff_application,
)
from recruitment.applications.models import STATUSES, Application
from recruitment.applications.service import events_of, linked_versions, snapshot_of
from web.deps import WebUser
from web.forms import FormState
from web.rendering import render, translator

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

LIST_PATH = "/recruitment/applications"
FIELDS = ("announcement", "status", "governorate", "degree", "q", "page")
FILTER_FIELDS = ("announcement", "status", "governorate", "degree", "q")
PER_PAGE = 50


def recruitment_staff(user: WebUser) -> User:
    return require_recruitment_staff(user)


RecruitmentStaff = Annotated[User, Depends(recruitment_staff)]


@dataclass(frozen=True)
class StaffRow:
    """One list row: the application and the name and national ID frozen in its snapshot."""

    application: Application
    full_name: str
    national_id: str


def _whole_number(value: str) -> int | None:
    return int(value) if value.isascii() and value.isdigit() and int(value) > 0 else None


def filters_from(form: FormState, session: Session, translate) -> ApplicationFilters | None:
    """Check the submitted filters; each bad value gets its message beside its field."""
    announcement_id = None
    if form.value("announcement"):
        announcement_id = _whole_number(form.value("announcement"))
        if announcement_id is None or session.get(Announcement, announcement_id) is None:
            error = InvalidApplicationFilter(N_("Announcement %(value)r does not exist; choose one from the list."),
                                             value=form.value("announcement"))
            form.add("announcement", error.render(translate))
    if form.value("page") and _whole_number(form.value("page")) is None:
        error = InvalidApplicationFilter(N_("The page number %(value)r is invalid; use 1 or more."),
                                         value=form.value("page"))
        form.add("page", error.render(translate))

    filters = ApplicationFilters(announcement_id=announcement_id, status=form.value("status"),
                                 governorate=form.value("governorate"), degree_level=form.value("degree"),
                                 query=form.value("q"))
    for name, error in check_filters(filters).items():
        form.add(name, error.render(translate))
    return filters if form.ok else None


def filter_query(form: FormState, **extra: Any) -> str:
    """Return the filters as a query string, for page and export links."""
    return urlencode({**{name: form.value(name) for name in FILTER_FIELDS if form.value(name)}, **extra})


def _announcements(session: Session) -> list[Announcement]:
    return list(session.scalars(
        select(Announcement).where(Announcement.status.in_(PUBLIC_STATUSES))
        .order_by(Announcement.published_at.desc(), Announcement.id.desc())
    ).unique())


def _rows(applications: list[Application]) -> list[StaffRow]:
    rows = []
    for application in applications:
        personal = snapshot_of(application)["personal"]
        rows.append(StaffRow(application, personal["full_name"], personal["national_id"]))
    return rows


def _choices(translate) -> dict[str, list[tuple[str, str]]]:
    return {
        "status": [("", translate(N_("All statuses")))]
        + [(status, translate(STATUS_LABELS[status])) for status in STATUSES],
        "governorate": [("", translate(N_("All governorates")))]
        + [(code, translate(GOVERNORATE_NAMES[code])) for code in GOVERNORATES],
        "degree": [("", translate(N_("All degrees")))]
        + [(level, translate(DEGREE_NAMES[level])) for level in DEGREE_LEVELS],
    }


@router.get(LIST_PATH)
def applications_list(request: Request, staff: RecruitmentStaff, archive: ArchiveDep) -> Response:
    form = FormState.from_mapping(request.query_params, FIELDS)
    translate = translator(request)
    with archive.db.session(write=False) as session:
        filters = filters_from(form, session, translate)
        page = _whole_number(form.value("page")) or 1
        found = list_applications(session, staff, filters, page, PER_PAGE) if filters is not None else None
        rows = _rows(found.items) if found is not None else []
        announcements = _announcements(session)

    if found is not None:
        with archive.db.session() as session:
            audit_listing(session, staff, filters, found.page, found.total)

    announcement_options = [("", translate(N_("All announcements")))] + [
        (str(item.id), f"{item.number} — {item.title_ar}") for item in announcements
    ]
    context = {
        "form": form,
        "found": found,
        "rows": rows,
        "choices": {**_choices(translate), "announcement": announcement_options},
        "status_labels": STATUS_LABELS,
        "degree_names": DEGREE_NAMES,
        "governorate_names": GOVERNORATE_NAMES,
        "page_link": lambda number: f"{LIST_PATH}?{filter_query(form, page=number)}",
        "export_link": lambda file_format: f"{LIST_PATH}/export.{file_format}?{filter_query(form)}",
    }
    return render(request, "recruitment/staff_applications/list.html", context,
                  status_code=200 if found is not None else 422)


@router.get(LIST_PATH + "/{application_id:int}")
def application_detail(request: Request, application_id: int, staff: RecruitmentStaff,
                       archive: ArchiveDep) -> Response:
    """Show the frozen snapshot and the document versions; the view is audited before it is sent."""
    with archive.db.session(write=False) as session:
        application = staff_application(session, staff, application_id)
        versions = linked_versions(session, application.id)
        events = events_of(session, [application.id])[application.id]

    with archive.db.session() as session:
        audit_view(session, staff, application)
    logger.info("application viewed by staff id=%s user=%s", application.id, staff.id)

    snapshot = snapshot_of(application)
    context = {
        "application": application,
        "snapshot": snapshot,
        "mobile": local_form(snapshot["personal"]["mobile"]),
        "versions": versions,
        "events": events,
        "status_labels": STATUS_LABELS,
        "event_labels": EVENT_LABELS,
        "degree_names": DEGREE_NAMES,
        "kind_names": DOCUMENT_KIND_NAMES,
        "governorate_names": GOVERNORATE_NAMES,
    }
    return render(request, "recruitment/staff_applications/detail.html", context)


def check_form(form: FormState, session: Session, translate) -> ApplicationFilters:
    """Return the filters of an export link, or raise the first filter error as a page error."""
    filters = filters_from(form, session, translate)
    if filters is None:
        message = next(iter(form.errors.values()))
        raise InvalidApplicationFilter(N_("The export filters are invalid: %(reason)s"), reason=message)
    return filters

