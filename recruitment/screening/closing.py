"""Closing screening: the gate after which sessions and results open, and the outcome SMS.

The chair closes screening only when every application that was not withdrawn has a decision.
Closing writes each applicant's outcome SMS to the outbox and a result step to each history in
the caller's transaction, so a rollback leaves no message and no closed committee behind.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive_api.accounts.models import User
from archive_api.audit.service import record
from archive_api.errors import N_
from archive_api.timeutil import utcnow
from recruitment.applications.models import STATUS_WITHDRAWN, Application, ApplicationEvent
from recruitment.screening.access import require_chair
from recruitment.screening.committees import committee_of, lock_committee, require_not_closed, require_screening_open
from recruitment.screening.errors import ScreeningStillOpen, UndecidedApplications
from recruitment.screening.listing import undecided_applications
from recruitment.screening.messages import queue_outcome, require_reason_placeholders
from recruitment.screening.models import (
    EVENT_NOT_PASSED,
    EVENT_PASSED,
    OUTCOME_ACCEPTED,
    ScreeningCommittee,
    ScreeningDecision,
)

logger = logging.getLogger(__name__)

# The refusal message names this many undecided applications; the page lists them all.
UNDECIDED_NAMED = 10


@dataclass(frozen=True)
class ClosingResult:
    committee: ScreeningCommittee
    passed: int
    not_passed: int


def close_screening(session: Session, user: User, announcement_id: int, now: datetime | None = None) -> ClosingResult:
    """Close the screening of an announcement and queue every applicant's outcome SMS.

    Raises NotChair for anyone but the chair, ScreeningClosed when it is already closed,
    ScreeningNotOpen before the closing time, UndecidedApplications (with their numbers) while
    an application has no decision, and TemplateError when the rejection SMS lost its reason.
    """
    now = now or utcnow()
    committee = committee_of(session, announcement_id)
    require_chair(session, committee, user)
    lock_committee(session, committee)
    require_not_closed(committee)
    require_screening_open(committee.announcement, now)
    _require_all_decided(session, committee)
    require_reason_placeholders(session)

    passed = not_passed = 0
    for application, decision in _decided(session, committee):
        queue_outcome(session, application, decision)
        accepted = decision.outcome == OUTCOME_ACCEPTED
        session.add(ApplicationEvent(application_id=application.id, at=now,
                                     status=EVENT_PASSED if accepted else EVENT_NOT_PASSED, actor=user.username))
        if accepted:
            passed += 1
        else:
            not_passed += 1

    committee.closed_at, committee.closed_by_id = now, user.id
    record(session, user, "screening_close", "announcement", committee.announcement_id,
           {"number": committee.announcement.number, "passed": passed, "not_passed": not_passed})
    session.flush()
    logger.info("screening closed announcement=%s passed=%d not_passed=%d user=%s", committee.announcement_id,
                passed, not_passed, user.id)
    return ClosingResult(committee, passed, not_passed)


def _require_all_decided(session: Session, committee: ScreeningCommittee) -> None:
    undecided = undecided_applications(session, committee)
    if not undecided:
        return
    numbers = [application.number for application in undecided]
    named = ", ".join(numbers[:UNDECIDED_NAMED]) + ("…" if len(numbers) > UNDECIDED_NAMED else "")
    raise UndecidedApplications(
        N_("Screening cannot close while %(count)d applications have no decision (%(numbers)s); decide them first."),
        numbers, count=len(numbers), numbers=named,
    )


def _decided(session: Session, committee: ScreeningCommittee) -> list[tuple[Application, ScreeningDecision]]:
    return list(session.execute(
        select(Application, ScreeningDecision)
        .join(ScreeningDecision, ScreeningDecision.application_id == Application.id)
        .where(Application.announcement_id == committee.announcement_id, Application.status != STATUS_WITHDRAWN)
        .order_by(Application.id)
    ).unique().all())


def require_screening_closed(session: Session, announcement_id: int) -> ScreeningCommittee:
    """Return the committee once its screening is closed, else raise ScreeningStillOpen (or CommitteeNotFound)."""
    committee = committee_of(session, announcement_id)
    if committee.closed_at is not None:
        return committee
    raise ScreeningStillOpen(
        N_("The screening of announcement %(number)s is not closed yet, so sessions and results cannot start; "
           "the committee's chair closes it once every application is decided."),
        number=committee.announcement.number,
    )
