"""Screening pages: announcements ready for screening, the committee's list, bulk decisions and closing.

The list, bulk decisions and closing are for members of the announcement's committee, and
closing for its chair; the services check this again. Every list page is written to the audit
log, because it shows applicants' names and national ID numbers.
"""

import logging
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import or_, select

from archive_api.api.deps import ArchiveDep
from archive_api.audit.service import record
from archive_api.errors import N_, DiwanError
from archive_api.timeutil import utcnow
from recruitment.announcements.labels import DEGREE_NAMES, GOVERNORATE_NAMES
from recruitment.announcements.models import DEGREE_LEVELS, GOVERNORATES, STATUS_CLOSED, Announcement
from recruitment.announcements.service import PUBLIC_STATUSES
from recruitment.applications.errors import InvalidApplicationFilter
from recruitment.applications.labels import STATUS_LABELS
from recruitment.applications.listing import ApplicationFilters
from recruitment.applications.models import STATUSES
from recruitment.applications.service import snapshot_of
from recruitment.screening.access import is_editor, is_member
from recruitment.screening.closing import close_screening
from recruitment.screening.committees import committee_of, find_committee
from recruitment.screening.decisions import ScreeningFilters, bulk_decide, check_screening_filters
from recruitment.screening.errors import UndecidedApplications
from recruitment.screening.labels import DECISION_FILTER_LABELS, OUTCOME_LABELS
from recruitment.screening.listing import screening_counts, screening_page, undecided_applications
from recruitment.screening.reasons import list_reasons
from web.forms import FormState, PostedForm
from web.recruitment.screening_shared import (
    BASE_PATH,
    RecruitmentStaff,
    announcement_path,
    reason_choices,
    whole_number,
)
from web.redirects import see_other
from web.rendering import language_of, render, translator

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

PER_PAGE = 50
INDEX_SHOWN = 100
# The progress panel names this many undecided applications; a refused close names them all.
UNDECIDED_SHOWN = 30
FILTER_FIELDS = ("status", "governorate", "degree", "q", "decision")
BULK_FIELDS = ("outcome", "reason", "notes")
NOTICES = {
    "closed": N_("Screening is closed. Each applicant's outcome SMS is in the outbox."),
    "bulk": N_("The decision was recorded for the matching applications."),
    "saved": N_("The decision was recorded. No application is left without a decision."),
}


@router.get(BASE_PATH)
def screening_index(request: Request, staff: RecruitmentStaff, archive: ArchiveDep) -> Response:
    """List published announcements, latest closing first, with their committee and screening counts."""
    now = utcnow()
    with archive.db.session(write=False) as session:
        announcements = list(session.scalars(
            select(Announcement).where(Announcement.status.in_(PUBLIC_STATUSES))
            .where(or_(Announcement.closes_at <= now, Announcement.status == STATUS_CLOSED))
            .order_by(Announcement.closes_at.desc(), Announcement.id.desc()).limit(INDEX_SHOWN)
        ).unique())
        rows = []
        for announcement in announcements:
            committee = find_committee(session, announcement.id)
            counts = screening_counts(session, committee) if committee else None
            member = committee is not None and is_member(session, committee, staff)
            rows.append({"announcement": announcement, "committee": committee, "counts": counts, "member": member})
    context = {"rows": rows, "can_edit": is_editor(staff), "base": BASE_PATH}
    return render(request, "recruitment/screening/index.html", context)


def filters_from(form: FormState, announcement_id: int, translate) -> ScreeningFilters | None:
    """Check the list's filters; each bad value gets its message beside its field."""
    if form.value("page") and whole_number(form.value("page")) is None:
        error = InvalidApplicationFilter(N_("The page number %(value)r is invalid; use 1 or more."),
                                         value=form.value("page"))
        form.add("page", error.render(translate))
    filters = ScreeningFilters(
        ApplicationFilters(announcement_id=announcement_id, status=form.value("status"),
                           governorate=form.value("governorate"), degree_level=form.value("degree"),
                           query=form.value("q")),
        decision=form.value("decision"),
    )
    for name, error in check_screening_filters(filters).items():
        form.add(name, error.render(translate))
    return filters if form.ok else None


def _filter_query(form: FormState, **extra) -> str:
    return urlencode({**{name: form.value(name) for name in FILTER_FIELDS if form.value(name)}, **extra})


def _choices(translate) -> dict[str, list[tuple[str, str]]]:
    return {
        "status": [("", translate(N_("All statuses")))]
        + [(status, translate(STATUS_LABELS[status])) for status in STATUSES],
        "governorate": [("", translate(N_("All governorates")))]
        + [(code, translate(GOVERNORATE_NAMES[code])) for code in GOVERNORATES],
        "degree": [("", translate(N_("All degrees")))]
        + [(level, translate(DEGREE_NAMES[level])) for level in DEGREE_LEVELS],
        "decision": [("", translate(N_("All decisions")))]
        + [(value, translate(label)) for value, label in DECISION_FILTER_LABELS.items()],
    }


def _list_page(request: Request, archive, staff, announcement_id: int, form: FormState, bulk_form: FormState,
               status_code: int = 200, refusal: str = "") -> Response:
    """Render the committee's list with the filters in `form`; the read is audited when it succeeds.

    `refusal` is the message of a refused closing, shown above the list of undecided applications.
    """
    translate = translator(request)
    language = language_of(request)
    with archive.db.session(write=False) as session:
        committee = committee_of(session, announcement_id)
        filters = filters_from(form, committee.announcement_id, translate)
        page = whole_number(form.value("page")) or 1
        found = screening_page(session, staff, committee, filters, page, PER_PAGE) if filters else None
        counts = screening_counts(session, committee)
        undecided = undecided_applications(session, committee, limit=None if refusal else UNDECIDED_SHOWN)
        reasons = list_reasons(session)

    if found is not None:
        with archive.db.session() as session:
            record(session, staff, "screening_list", "announcement", announcement_id,
                   {"page": found.page, "total": found.total, **{name: form.value(name) for name in FILTER_FIELDS
                                                                  if form.value(name)}})
    names = {row.application.id: snapshot_of(row.application)["personal"] for row in (found.rows if found else [])}
    context = {
        "committee": committee,
        "announcement": committee.announcement,
        "form": form,
        "bulk_form": bulk_form,
        "found": found,
        "personal": names,
        "counts": counts,
        "undecided": undecided,
        "refusal": refusal,
        "is_chair": committee.chair_id == staff.id,
        "choices": _choices(translate),
        "outcome_labels": OUTCOME_LABELS,
        "reason_options": reason_choices(reasons, language, translate(N_("Choose a reason"))),
        "filter_query": _filter_query(form),
        "page_link": lambda number: announcement_path(announcement_id, f"?{_filter_query(form, page=number)}"),
        "notice": NOTICES.get(request.query_params.get("done", ""), ""),
        "changed": request.query_params.get("changed", ""),
        "base": announcement_path(announcement_id),
    }
    return render(request, "recruitment/screening/list.html", context,
                  status_code=status_code if found is not None else 422)


@router.get(BASE_PATH + "/{announcement_id:int}")
def screening_list(request: Request, announcement_id: int, staff: RecruitmentStaff, archive: ArchiveDep) -> Response:
    form = FormState.from_mapping(request.query_params, (*FILTER_FIELDS, "page"))
    return _list_page(request, archive, staff, announcement_id, form, FormState())


@router.post(BASE_PATH + "/{announcement_id:int}/bulk")
def bulk_decision(
    request: Request, announcement_id: int, staff: RecruitmentStaff, archive: ArchiveDep, posted: PostedForm,
) -> Response:
    """Decide every application matching the filters sent with the form, then show the list again."""
    form = FormState.from_mapping(posted, FILTER_FIELDS)
    bulk_form = FormState.from_mapping(posted, BULK_FIELDS)
    translate = translator(request)
    filters = filters_from(form, announcement_id, translate)
    if filters is None:
        return _list_page(request, archive, staff, announcement_id, form, bulk_form)

    reason_id = whole_number(bulk_form.value("reason")) if bulk_form.value("reason") else None
    try:
        with archive.db.session() as session:
            result = bulk_decide(session, staff, announcement_id, filters, bulk_form.value("outcome"), reason_id,
                                 bulk_form.value("notes"))
    except DiwanError as error:
        if error.http_status == 403:
            raise
        bulk_form.add_error(error, translate, {"reason": "reason", "outcome": "outcome", "length": "notes"})
        return _list_page(request, archive, staff, announcement_id, form, bulk_form, status_code=error.http_status)
    return see_other(announcement_path(announcement_id, f"?{_filter_query(form, done='bulk', changed=result.changed)}"))


@router.post(BASE_PATH + "/{announcement_id:int}/close")
def close(request: Request, announcement_id: int, staff: RecruitmentStaff, archive: ArchiveDep) -> Response:
    """Close screening; while applications are undecided, show the list with every one of them."""
    try:
        with archive.db.session() as session:
            close_screening(session, staff, announcement_id)
    except UndecidedApplications as error:
        return _list_page(request, archive, staff, announcement_id, FormState(), FormState(),
                          status_code=error.http_status, refusal=error.render(translator(request)))
    return see_other(announcement_path(announcement_id, "?done=closed"))
