"""Exam and interview sessions after screening, and the seats of accepted applicants in them.

Sessions open only once the chair has closed screening. Staff type the start in Palestine time
(Asia/Hebron); it is stored as naive UTC. Each seat queues the applicant's SMS with the date,
time and place in the caller's transaction. Rules: only accepted applications get seats, one
session of each kind per application, never more seats than the capacity, and never in a
session that has already started.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive_api.accounts.models import User
from archive_api.audit.service import record
from archive_api.errors import N_, DiwanError, Term
from archive_api.timeutil import utcnow
from recruitment.announcements.window import Occurrence, ascii_digits, parse_local_time
from recruitment.applications.models import Application, ApplicationEvent
from recruitment.screening.access import require_screening_editor
from recruitment.screening.closing import require_screening_closed
from recruitment.screening.committees import lock_committee
from recruitment.screening.decisions import decision_of
from recruitment.screening.errors import AssignmentRefused, InvalidSession
from recruitment.screening.messages import queue_session_notice
from recruitment.screening.models import (
    EVENT_EXAM_SCHEDULED,
    EVENT_INTERVIEW_SCHEDULED,
    KIND_EXAM,
    OUTCOME_ACCEPTED,
    SESSION_KINDS,
    AssessmentSession,
    ScreeningDecision,
    SessionAssignment,
)

logger = logging.getLogger(__name__)

MAX_PLACE_LENGTH = 200
MAX_CAPACITY = 1000


@dataclass(frozen=True)
class SessionFields:
    kind: str
    place: str
    starts_at: datetime
    capacity: int


@dataclass(frozen=True)
class AutomaticResult:
    """Seats given by automatic assignment, and the accepted applications still without a seat."""

    assigned: list[SessionAssignment]
    left_without_seat: int


def check_session_fields(kind: str, place: str, starts: str, capacity: str, now: datetime) -> SessionFields:
    """Check a session form; raises InvalidSession with an error per field that cannot be saved."""
    errors: dict[str, DiwanError] = {}
    place = " ".join(place.split())
    if kind not in SESSION_KINDS:
        errors["kind"] = InvalidSession(N_("Session kind %(value)r is unknown; choose exam or interview."), value=kind)
    if not place:
        errors["place"] = InvalidSession(N_("Write where the session takes place."))
    elif len(place) > MAX_PLACE_LENGTH:
        errors["place"] = InvalidSession(N_("The place has %(length)d characters; use at most %(maximum)d."),
                                         length=len(place), maximum=MAX_PLACE_LENGTH)

    starts_at = None
    try:
        starts_at = parse_local_time(starts, Term(N_("session start")), Occurrence.FIRST)
    except DiwanError as error:
        errors["starts_at"] = error
    if starts_at is not None and starts_at <= now:
        errors["starts_at"] = InvalidSession(
            N_("The session start %(value)s is in the past; choose a later date and time."), value=starts.strip())

    seats = ascii_digits(capacity.strip())
    if not (seats.isascii() and seats.isdigit() and 1 <= int(seats) <= MAX_CAPACITY):
        errors["capacity"] = InvalidSession(N_("The capacity %(value)r is invalid; enter a whole number from 1 to "
                                               "%(maximum)d."), value=capacity, maximum=MAX_CAPACITY)
    if errors:
        raise InvalidSession(N_("The session was not saved; correct the fields marked below."), errors)
    return SessionFields(kind, place, starts_at, int(seats))


def create_session(session: Session, user: User, announcement_id: int, kind: str, place: str, starts: str,
                   capacity: str, now: datetime | None = None) -> AssessmentSession:
    """Add an exam or interview session to an announcement whose screening is closed.

    `starts` is the local date and time as typed, such as 2026-07-01 09:30. Raises
    ScreeningStillOpen before closing and InvalidSession for bad fields or a past start.
    """
    now = now or utcnow()
    require_screening_editor(user)
    committee = require_screening_closed(session, announcement_id)
    fields = check_session_fields(kind, place, starts, capacity, now)

    sitting = AssessmentSession(announcement_id=committee.announcement_id, kind=fields.kind, place=fields.place,
                                starts_at=fields.starts_at, capacity=fields.capacity, created_by_id=user.id)
    session.add(sitting)
    session.flush()
    record(session, user, "assessment_session_add", "announcement", committee.announcement_id,
           {"session": sitting.id, "kind": sitting.kind, "place": sitting.place,
            "starts_at": sitting.starts_at.isoformat(), "capacity": sitting.capacity})
    logger.info("assessment session added id=%s announcement=%s kind=%s user=%s", sitting.id,
                committee.announcement_id, sitting.kind, user.id)
    return sitting


def sessions_of(session: Session, announcement_id: int) -> list[AssessmentSession]:
    """Return the announcement's sessions, earliest first."""
    return list(session.scalars(
        select(AssessmentSession).where(AssessmentSession.announcement_id == announcement_id)
        .order_by(AssessmentSession.starts_at, AssessmentSession.id)
    ))


def seats_taken(session: Session, session_ids: list[int]) -> dict[int, int]:
    """Return the number of assigned seats of each session, by session id."""
    taken = {session_id: 0 for session_id in session_ids}
    if not session_ids:
        return taken
    rows = session.execute(
        select(SessionAssignment.session_id, func.count()).where(SessionAssignment.session_id.in_(session_ids))
        .group_by(SessionAssignment.session_id)
    )
    taken.update({session_id: count for session_id, count in rows})
    return taken


def assignments_of(session: Session, session_id: int) -> list[SessionAssignment]:
    return list(session.scalars(
        select(SessionAssignment).where(SessionAssignment.session_id == session_id).order_by(SessionAssignment.id)
    ).unique())


def _sitting(session: Session, announcement_id: int, session_id: int) -> AssessmentSession:
    sitting = session.get(AssessmentSession, session_id)
    if sitting is None or sitting.announcement_id != announcement_id:
        raise InvalidSession(N_("Session %(id)s is not a session of this announcement; choose one from the list."),
                             id=session_id)
    return sitting


def _seat(session: Session, user: User, sitting: AssessmentSession, application: Application,
          now: datetime) -> SessionAssignment:
    """Add the seat, its SMS, its history step and its audit entry; the caller has checked the rules."""
    seat = SessionAssignment(session_id=sitting.id, application_id=application.id, kind=sitting.kind,
                             assigned_by_id=user.id, assigned_at=now)
    session.add(seat)
    session.flush()
    queue_session_notice(session, application, sitting)
    event = EVENT_EXAM_SCHEDULED if sitting.kind == KIND_EXAM else EVENT_INTERVIEW_SCHEDULED
    session.add(ApplicationEvent(application_id=application.id, at=now, status=event, actor=user.username,
                                 note=sitting.place))
    record(session, user, "assessment_session_assign", "application", application.id,
           {"number": application.number, "session": sitting.id, "kind": sitting.kind})
    return seat


def _require_future(sitting: AssessmentSession, now: datetime) -> None:
    if sitting.starts_at > now:
        return
    raise AssignmentRefused(N_("Session %(id)s has already started, so no seat can be added; choose a later session."),
                            id=sitting.id)


def assign_seat(session: Session, user: User, announcement_id: int, session_id: int, application_id: int,
                now: datetime | None = None) -> SessionAssignment:
    """Give one accepted application a seat in a session and queue its SMS.

    Raises ScreeningStillOpen, InvalidSession for another announcement's session, and
    AssignmentRefused for a past or full session, an application that was not accepted, or one
    that already has a session of this kind.
    """
    now = now or utcnow()
    require_screening_editor(user)
    committee = lock_committee(session, require_screening_closed(session, announcement_id))
    sitting = _sitting(session, committee.announcement_id, session_id)
    _require_future(sitting, now)
    if seats_taken(session, [sitting.id])[sitting.id] >= sitting.capacity:
        raise AssignmentRefused(N_("Session %(id)s is full (%(capacity)d seats); choose another session or add one."),
                                id=sitting.id, capacity=sitting.capacity)

    application = session.get(Application, application_id)
    if application is None or application.announcement_id != committee.announcement_id:
        raise AssignmentRefused(N_("Application %(id)s is not an application to this announcement."),
                                id=application_id)
    decision = decision_of(session, application.id)
    if decision is None or decision.outcome != OUTCOME_ACCEPTED:
        raise AssignmentRefused(
            N_("Application %(number)s did not pass the screening, so it gets no session."), number=application.number)
    if _has_seat(session, application.id, sitting.kind):
        raise AssignmentRefused(N_("Application %(number)s already has a session of this kind."),
                                number=application.number)

    seat = _seat(session, user, sitting, application, now)
    logger.info("session seat assigned session=%s application=%s user=%s", sitting.id, application.id, user.id)
    return seat


def _has_seat(session: Session, application_id: int, kind: str) -> bool:
    return session.scalar(select(SessionAssignment.id).where(SessionAssignment.application_id == application_id,
                                                             SessionAssignment.kind == kind)) is not None


def waiting_applications(session: Session, announcement_id: int, kind: str) -> list[Application]:
    """Return the accepted applications without a session of this kind, in number order."""
    seated = select(SessionAssignment.application_id).where(SessionAssignment.kind == kind)
    return list(session.scalars(
        select(Application).join(ScreeningDecision, ScreeningDecision.application_id == Application.id)
        .where(Application.announcement_id == announcement_id, ScreeningDecision.outcome == OUTCOME_ACCEPTED,
               Application.id.not_in(seated))
        .order_by(Application.id)
    ).unique())


def assign_in_order(session: Session, user: User, announcement_id: int, kind: str,
                    now: datetime | None = None) -> AutomaticResult:
    """Seat the accepted applications without a session of this kind, in number order, filling sessions in time order.

    Only sessions that have not started are filled. Raises AssignmentRefused when there are
    applications to seat but no free seat at all; otherwise seats as many as fit.
    """
    now = now or utcnow()
    require_screening_editor(user)
    committee = lock_committee(session, require_screening_closed(session, announcement_id))
    if kind not in SESSION_KINDS:
        raise InvalidSession(N_("Session kind %(value)r is unknown; choose exam or interview."), value=kind)

    waiting = waiting_applications(session, committee.announcement_id, kind)
    sittings = [item for item in sessions_of(session, committee.announcement_id)
                if item.kind == kind and item.starts_at > now]
    taken = seats_taken(session, [item.id for item in sittings])
    free = [(item, item.capacity - taken[item.id]) for item in sittings if item.capacity > taken[item.id]]
    if waiting and not free:
        raise AssignmentRefused(N_("No future session of this kind has a free seat; add a session first."))

    assigned = []
    for sitting, seats in free:
        for application in waiting[len(assigned):len(assigned) + seats]:
            assigned.append(_seat(session, user, sitting, application, now))
    logger.info("session seats assigned in order announcement=%s kind=%s assigned=%d left=%d user=%s",
                committee.announcement_id, kind, len(assigned), len(waiting) - len(assigned), user.id)
    return AutomaticResult(assigned, len(waiting) - len(assigned))
