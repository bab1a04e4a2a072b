"""Exam and interview sessions of an announcement after screening: add sessions and give seats.

These pages are for editors (administrators and clerks). They open once the chair has closed
screening; before that the service refuses with a message saying so. Opening the page is
audited, because it lists applicants' names.
"""

import logging

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from archive_api.api.deps import ArchiveDep
from archive_api.audit.service import record
from archive_api.errors import N_
from recruitment.applicants.national_id import to_ascii_digits
from recruitment.applications.models import Application
from recruitment.applications.service import snapshot_of
from recruitment.screening.access import require_screening_editor
from recruitment.screening.closing import require_screening_closed
from recruitment.screening.errors import AssignmentRefused, InvalidSession
from recruitment.screening.labels import KIND_LABELS
from recruitment.screening.models import SESSION_KINDS
from recruitment.screening.sessions import (
    assign_in_order,
    assign_seat,
    assignments_of,
    create_session,
    seats_taken,
    sessions_of,
    waiting_applications,
)
from web.forms import FormState, PostedForm
from web.recruitment.screening_shared import BASE_PATH, RecruitmentStaff, announcement_path, whole_number
from web.redirects import see_other
from web.rendering import local_time, render, translator

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

PAGE_PATH = BASE_PATH + "/{announcement_id:int}/sessions"
SESSION_FIELDS = ("kind", "place", "starts_at", "capacity")
SEAT_FIELDS = ("session", "number")
NOTICES = {
    "added": N_("The session was added."),
    "seated": N_("The seat was given and the applicant's SMS is in the outbox."),
    "ordered": N_("Seats were given in application order; each applicant's SMS is in the outbox."),
}


def _page(request: Request, archive, staff, announcement_id: int, session_form: FormState | None = None,
          seat_form: FormState | None = None, problem: str = "", status_code: int = 200) -> Response:
    require_screening_editor(staff)
    with archive.db.session(write=False) as session:
        committee = require_screening_closed(session, announcement_id)
        sittings = sessions_of(session, committee.announcement_id)
        taken = seats_taken(session, [item.id for item in sittings])
        seats = {item.id: assignments_of(session, item.id) for item in sittings}
        waiting = {kind: len(waiting_applications(session, committee.announcement_id, kind)) for kind in SESSION_KINDS}

    with archive.db.session() as session:
        record(session, staff, "assessment_sessions_view", "announcement", announcement_id,
               {"sessions": len(sittings)})
    names = {seat.application_id: snapshot_of(seat.application)["personal"]["full_name"]
             for assigned in seats.values() for seat in assigned}
    notice = request.query_params.get("done", "")
    translate = translator(request)
    options = [(str(item.id), f"{translate(KIND_LABELS[item.kind])} {local_time(item.starts_at)} — {item.place}")
               for item in sittings]
    context = {
        "announcement": committee.announcement,
        "sittings": sittings,
        "sittings_options": options,
        "taken": taken,
        "seats": seats,
        "names": names,
        "waiting": waiting,
        "kind_labels": KIND_LABELS,
        "kinds": SESSION_KINDS,
        "session_form": session_form or FormState(values={"kind": "exam"}),
        "seat_form": seat_form or FormState(),
        "problem": problem,
        "notice": NOTICES.get(notice, ""),
        "action": announcement_path(announcement_id, "/sessions"),
        "list_path": announcement_path(announcement_id),
    }
    return render(request, "recruitment/screening/sessions.html", context, status_code=status_code)


@router.get(PAGE_PATH)
def sessions_page(request: Request, announcement_id: int, staff: RecruitmentStaff, archive: ArchiveDep) -> Response:
    return _page(request, archive, staff, announcement_id)


@router.post(PAGE_PATH)
def add_session(
    request: Request, announcement_id: int, staff: RecruitmentStaff, archive: ArchiveDep, posted: PostedForm,
) -> Response:
    form = FormState.from_mapping(posted, SESSION_FIELDS)
    try:
        with archive.db.session() as session:
            create_session(session, staff, announcement_id, form.value("kind"), form.value("place"),
                           form.value("starts_at"), form.value("capacity"))
    except InvalidSession as error:
        translate = translator(request)
        for name, field_error in error.field_errors.items():
            form.add(name, field_error.render(translate))
        return _page(request, archive, staff, announcement_id, session_form=form, status_code=error.http_status)
    return see_other(announcement_path(announcement_id, "/sessions?done=added"))


@router.post(PAGE_PATH + "/seat")
def add_seat(
    request: Request, announcement_id: int, staff: RecruitmentStaff, archive: ArchiveDep, posted: PostedForm,
) -> Response:
    """Give the application with the typed number a seat in the chosen session."""
    form = FormState.from_mapping(posted, SEAT_FIELDS)
    translate = translator(request)
    session_id = whole_number(form.value("session"))
    number = to_ascii_digits(form.value("number")).strip().upper()
    if session_id is None:
        form.add("session", InvalidSession(N_("Choose a session from the list.")).render(translate))
    if not number:
        form.add("number", AssignmentRefused(N_("Enter the application number, such as 2026-147-00023.")).render(
            translate))
    if not form.ok:
        return _page(request, archive, staff, announcement_id, seat_form=form, status_code=422)

    try:
        with archive.db.session() as session:
            application_id = session.scalar(select(Application.id).where(Application.number == number))
            if application_id is None:
                raise AssignmentRefused(N_("No application has the number %(number)s; check it and try again."),
                                        number=number)
            assign_seat(session, staff, announcement_id, session_id, application_id)
    except (AssignmentRefused, InvalidSession) as error:
        form.add_error(error, translate, {"number": "number", "id": "session", "capacity": "session"})
        return _page(request, archive, staff, announcement_id, seat_form=form, status_code=error.http_status)
    return see_other(announcement_path(announcement_id, "/sessions?done=seated"))


@router.post(PAGE_PATH + "/in-order")
def seat_in_order(
    request: Request, announcement_id: int, staff: RecruitmentStaff, archive: ArchiveDep, posted: PostedForm,
) -> Response:
    """Seat every waiting accepted application of one kind in application order."""
    kind = posted.get("kind")
    try:
        with archive.db.session() as session:
            assign_in_order(session, staff, announcement_id, kind if isinstance(kind, str) else "")
    except (AssignmentRefused, InvalidSession) as error:
        return _page(request, archive, staff, announcement_id, problem=error.render(translator(request)),
                     status_code=error.http_status)
    return see_other(announcement_path(announcement_id, "/sessions?done=ordered"))
