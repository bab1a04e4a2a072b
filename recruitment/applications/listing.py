"""Applications as the recruitment office sees them: filtered lists, pages, one application, audit.

Every function checks that the user belongs to a recruitment department. Staff reads of
applicants' data are written to the audit log by the audit_* functions, in the caller's
transaction; the caller commits.
"""

import logging
import math
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from archive_api.accounts.models import User
from archive_api.audit.service import record
from archive_api.errors import N_
from recruitment.announcements.access import require_recruitment_staff
from recruitment.announcements.models import DEGREE_LEVELS, GOVERNORATES, Announcement
from recruitment.applications.errors import ApplicationNotFound, InvalidApplicationFilter
from recruitment.applications.models import STATUSES, Application
from search.analysis import analyze

logger = logging.getLogger(__name__)

MAX_PER_PAGE = 200
MAX_QUERY_LENGTH = 100
EXPORT_BATCH = 500
# Digits with dashes (part of an application number) or digits alone (part of a national ID).
_NUMBER_LIKE = re.compile(r"^[0-9][0-9-]*$")
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


@dataclass(frozen=True)
class ApplicationFilters:
    """Filters of the staff list; an empty value does not filter."""

    announcement_id: int | None = None
    status: str = ""
    governorate: str = ""  # the announcement's governorate
    degree_level: str = ""  # the highest degree in the snapshot
    query: str = ""  # words of the name, or digits of the national ID or application number


@dataclass
class ApplicationPage:
    items: list[Application]
    total: int
    page: int
    per_page: int
    page_count: int = field(init=False)

    def __post_init__(self) -> None:
        self.page_count = max(1, math.ceil(self.total / self.per_page))


def check_filters(filters: ApplicationFilters) -> dict[str, InvalidApplicationFilter]:
    """Return an error for each filter with a value that is not allowed, by filter name."""
    errors = {}
    if filters.status and filters.status not in STATUSES:
        errors["status"] = InvalidApplicationFilter(
            N_("Status %(value)r is unknown; choose one from the list."), value=filters.status)
    if filters.governorate and filters.governorate not in GOVERNORATES:
        errors["governorate"] = InvalidApplicationFilter(
            N_("Governorate %(value)r is unknown; choose one from the list."), value=filters.governorate)
    if filters.degree_level and filters.degree_level not in DEGREE_LEVELS:
        errors["degree"] = InvalidApplicationFilter(
            N_("Degree level %(value)r is unknown; choose one from the list."), value=filters.degree_level)
    if len(filters.query) > MAX_QUERY_LENGTH:
        errors["q"] = InvalidApplicationFilter(
            N_("The search has %(length)d characters; use at most %(maximum)d."),
            length=len(filters.query), maximum=MAX_QUERY_LENGTH)
    return errors


def filtered_applications(filters: ApplicationFilters) -> Select:
    query = select(Application).join(Announcement, Announcement.id == Application.announcement_id)
    if filters.announcement_id is not None:
        query = query.where(Application.announcement_id == filters.announcement_id)
    if filters.status:
        query = query.where(Application.status == filters.status)
    if filters.governorate:
        query = query.where(Announcement.governorate == filters.governorate)
    if filters.degree_level:
        query = query.where(Application.degree_level == filters.degree_level)
    for condition in _search_conditions(filters.query):
        query = query.where(condition)
    return query


def _search_conditions(text: str) -> list:
    """Each word must match: digits anywhere in the national ID or number, a name word at a word start."""
    conditions = []
    for token in text.translate(_DIGITS).split():
        if _NUMBER_LIKE.match(token):
            conditions.append(Application.search_text.contains(token, autoescape=True))
            continue
        for term in analyze(token):
            conditions.append(Application.search_text.contains(f" {term}", autoescape=True))
    return conditions


def list_applications(
    session: Session, user: User, filters: ApplicationFilters, page: int = 1, per_page: int = 50
) -> ApplicationPage:
    """Return one page of applications matching the filters, newest submission first."""
    require_recruitment_staff(user)
    page = max(1, page)
    per_page = min(max(1, per_page), MAX_PER_PAGE)
    query = filtered_applications(filters)

    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    ordered = query.order_by(Application.submitted_at.desc(), Application.id.desc())
    items = list(session.scalars(ordered.offset((page - 1) * per_page).limit(per_page)).unique())
    return ApplicationPage(items=items, total=total, page=page, per_page=per_page)


def iter_applications(session: Session, user: User, filters: ApplicationFilters) -> Iterator[Application]:
    """Yield every application matching the filters in number order, loading EXPORT_BATCH rows at a time."""
    require_recruitment_staff(user)
    ordered = filtered_applications(filters).order_by(Application.id)
    last_id = 0
    while True:
        batch = list(session.scalars(ordered.where(Application.id > last_id).limit(EXPORT_BATCH)).unique())
        if not batch:
            return
        yield from batch
        last_id = batch[-1].id


def staff_application(session: Session, user: User, application_id: int) -> Application:
    """Return any application for a recruitment staff user, or raise ApplicationNotFound."""
    require_recruitment_staff(user)
    application = session.get(Application, application_id)
    if application is None:
        raise ApplicationNotFound(N_("Application %(id)s does not exist; go back to the list of applications."),
                                  id=application_id)
    return application


def audit_listing(session: Session, user: User, filters: ApplicationFilters, page: int, total: int) -> None:
    record(session, user, "applications_list", "announcement", filters.announcement_id,
           {**_filter_details(filters), "page": page, "total": total})


def audit_view(session: Session, user: User, application: Application) -> None:
    record(session, user, "application_view", "application", application.id,
           {"number": application.number, "applicant": application.applicant_id})


def audit_export(session: Session, user: User, filters: ApplicationFilters, file_format: str, rows: int) -> None:
    record(session, user, "applications_export", "announcement", filters.announcement_id,
           {**_filter_details(filters), "format": file_format, "rows": rows})


def _filter_details(filters: ApplicationFilters) -> dict:
    return {name: value for name, value in asdict(filters).items() if value not in ("", None)}
