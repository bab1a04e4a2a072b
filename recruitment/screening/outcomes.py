"""The screening results that applicants see: the final decision, with reason and notes, and their sessions.

Decisions stay hidden until the chair closes screening, because the committee may still change
them; the outcome SMS is sent at the same moment.
"""

import logging
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from recruitment.screening.models import (
    STAFF_ONLY_EVENTS,
    AssessmentSession,
    RejectionReason,
    ScreeningCommittee,
    ScreeningDecision,
    SessionAssignment,
)

logger = logging.getLogger(__name__)


@dataclass
class ApplicantOutcome:
    outcome: str
    reason: RejectionReason | None
    notes: str
    sessions: list[AssessmentSession] = field(default_factory=list)


def applicant_outcomes(session: Session, application_ids: list[int]) -> dict[int, ApplicantOutcome]:
    """Return the closed-screening outcome of each given application that has one, by application id."""
    if not application_ids:
        return {}
    rows = session.scalars(
        select(ScreeningDecision)
        .join(ScreeningCommittee, ScreeningCommittee.id == ScreeningDecision.committee_id)
        .where(ScreeningDecision.application_id.in_(application_ids), ScreeningCommittee.closed_at.is_not(None))
    ).unique()
    found = {row.application_id: ApplicantOutcome(row.outcome, row.reason, row.notes) for row in rows}

    seats = session.scalars(
        select(SessionAssignment).where(SessionAssignment.application_id.in_(list(found)))
        .order_by(SessionAssignment.id)
    ).unique()
    for seat in seats:
        found[seat.application_id].sessions.append(seat.session)
    return found


def visible_events(events: list) -> list:
    """Drop the committee's working decisions from a history shown to the applicant."""
    return [event for event in events if event.status not in STAFF_ONLY_EVENTS]
