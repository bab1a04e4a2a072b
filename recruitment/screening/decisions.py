"""Committee decisions: accept or reject one application, or every application matching a filter.

Rules, checked here for pages, CLI and tests alike:
- Only members of the announcement's committee decide, and only applications of that announcement.
- Decisions start after the announcement's closing time and may change until the chair closes
  screening; withdrawn applications are not screened.
- A rejection needs an active reason from the catalogue; notes are optional, at most MAX_NOTES
  characters. An acceptance carries no reason.
- Every new or changed decision adds a step to the application's history and an audit entry, in
  the caller's transaction. Deciding the same thing again changes nothing and records nothing.
"""

import logging
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive_api.accounts.models import User
from archive_api.audit.service import record
from archive_api.errors import N_
from archive_api.timeutil import utcnow
from recruitment.applications.errors import InvalidApplicationFilter
from recruitment.applications.listing import ApplicationFilters, check_filters, iter_applications
from recruitment.applications.models import STATUS_WITHDRAWN, Application, ApplicationEvent
from recruitment.screening.access import require_member
from recruitment.screening.committees import committee_of, lock_committee, require_not_closed, require_screening_open
from recruitment.screening.errors import InvalidDecision
from recruitment.screening.models import (
    EVENT_DECIDED_ACCEPTED,
    EVENT_DECIDED_REJECTED,
    OUTCOME_ACCEPTED,
    OUTCOMES,
    RejectionReason,
    ScreeningCommittee,
    ScreeningDecision,
)
from recruitment.screening.reasons import get_reason

logger = logging.getLogger(__name__)

MAX_NOTES = 500
UNDECIDED = "undecided"
DECISION_FILTERS = (UNDECIDED, *OUTCOMES)


@dataclass(frozen=True)
class ScreeningFilters:
    """The staff list's filters plus the decision: undecided, accepted, rejected, or empty for all."""

    applications: ApplicationFilters
    decision: str = ""


@dataclass(frozen=True)
class DecisionChoice:
    """A member's checked choice: the outcome, the reason of a rejection and the notes."""

    outcome: str
    reason: RejectionReason | None
    notes: str


@dataclass(frozen=True)
class BulkResult:
    changed: int
    unchanged: int
    withdrawn_skipped: int


def check_screening_filters(filters: ScreeningFilters) -> dict[str, InvalidApplicationFilter]:
    """Return an error for each filter with a value that is not allowed, by filter name."""
    errors = dict(check_filters(filters.applications))
    if filters.decision and filters.decision not in DECISION_FILTERS:
        errors["decision"] = InvalidApplicationFilter(
            N_("Decision %(value)r is unknown; choose undecided, accepted or rejected."), value=filters.decision)
    return errors


def check_choice(session: Session, outcome: str, reason_id: int | None, notes: str) -> DecisionChoice:
    """Check a decision's values and return them; raises InvalidDecision naming the wrong one."""
    notes = notes.strip()
    if outcome not in OUTCOMES:
        raise InvalidDecision(N_("Decision %(outcome)r is unknown; choose accept or reject."), outcome=outcome)
    if len(notes) > MAX_NOTES:
        raise InvalidDecision(N_("The notes have %(length)d characters; use at most %(maximum)d."),
                              length=len(notes), maximum=MAX_NOTES)
    if outcome == OUTCOME_ACCEPTED:
        return DecisionChoice(outcome, None, notes)

    if reason_id is None:
        raise InvalidDecision(N_("A rejection needs a reason; choose one from the list of rejection reasons."),
                              reason="")
    reason = get_reason(session, reason_id)
    if reason.retired_at is not None:
        raise InvalidDecision(N_("The reason %(label)r was retired; choose another reason from the list."),
                              label=reason.label_ar, reason=reason.id)
    return DecisionChoice(outcome, reason, notes)


def _open_committee(session: Session, user: User, announcement_id: int, now: datetime) -> ScreeningCommittee:
    """Return the locked committee when the user may decide now, else raise the matching error."""
    committee = committee_of(session, announcement_id)
    require_member(session, committee, user)
    lock_committee(session, committee)
    require_not_closed(committee)
    require_screening_open(committee.announcement, now)
    return committee


def _screened_application(session: Session, committee: ScreeningCommittee, application_id: int) -> Application:
    application = session.get(Application, application_id)
    announcement = committee.announcement
    if application is None or application.announcement_id != announcement.id:
        raise InvalidDecision(
            N_("Application %(id)s is not an application to announcement %(number)s, so this committee cannot "
               "decide it; open it from the screening list of its own announcement."),
            id=application_id, number=announcement.number,
        )
    if application.status == STATUS_WITHDRAWN:
        raise InvalidDecision(
            N_("Application %(number)s was withdrawn by the applicant, so it is not screened."),
            number=application.number,
        )
    return application


def decision_of(session: Session, application_id: int) -> ScreeningDecision | None:
    return session.scalar(select(ScreeningDecision).where(ScreeningDecision.application_id == application_id))


def _write(session: Session, user: User, committee: ScreeningCommittee, application: Application,
           choice: DecisionChoice, now: datetime) -> bool:
    """Store the decision with its history step and audit entry; returns False when nothing changed."""
    decision = decision_of(session, application.id)
    reason_id = choice.reason.id if choice.reason else None
    if decision is not None and (decision.outcome, decision.reason_id, decision.notes) == (
            choice.outcome, reason_id, choice.notes):
        return False

    previous = decision.outcome if decision is not None else None
    if decision is None:
        decision = ScreeningDecision(application_id=application.id, committee_id=committee.id)
        session.add(decision)
    decision.outcome, decision.reason_id, decision.notes = choice.outcome, reason_id, choice.notes
    decision.decided_by_id, decision.decided_at = user.id, now

    event = EVENT_DECIDED_ACCEPTED if choice.outcome == OUTCOME_ACCEPTED else EVENT_DECIDED_REJECTED
    note = " — ".join(part for part in (choice.reason.label_ar if choice.reason else "", choice.notes) if part)
    session.add(ApplicationEvent(application_id=application.id, at=now, status=event, note=note,
                                 actor=user.username))
    record(session, user, "screening_decision", "application", application.id,
           {"number": application.number, "outcome": choice.outcome, "previous": previous,
            "reason": reason_id, "notes": choice.notes})
    session.flush()
    return True


def decide(session: Session, user: User, announcement_id: int, application_id: int, outcome: str,
           reason_id: int | None = None, notes: str = "", now: datetime | None = None) -> ScreeningDecision:
    """Record or change a member's decision on one application and return it.

    Raises NotCommitteeMember, ScreeningNotOpen, ScreeningClosed or InvalidDecision; `now` is naive UTC.
    """
    now = now or utcnow()
    committee = _open_committee(session, user, announcement_id, now)
    choice = check_choice(session, outcome, reason_id, notes)
    application = _screened_application(session, committee, application_id)

    changed = _write(session, user, committee, application, choice, now)
    logger.info("screening decision application=%s outcome=%s changed=%s user=%s", application.id, outcome,
                changed, user.id)
    return decision_of(session, application.id)


def bulk_decide(session: Session, user: User, announcement_id: int, filters: ScreeningFilters, outcome: str,
                reason_id: int | None = None, notes: str = "", now: datetime | None = None) -> BulkResult:
    """Give the same decision to every application of the announcement that matches the filters.

    Withdrawn applications are skipped. Raises InvalidApplicationFilter for a bad filter and
    InvalidDecision when nothing matches, besides the errors of decide.
    """
    now = now or utcnow()
    errors = check_screening_filters(filters)
    if errors:
        raise next(iter(errors.values()))
    committee = _open_committee(session, user, announcement_id, now)
    choice = check_choice(session, outcome, reason_id, notes)

    scoped = replace(filters.applications, announcement_id=committee.announcement_id)
    changed = unchanged = withdrawn = 0
    for application in list(iter_applications(session, user, scoped)):
        if application.status == STATUS_WITHDRAWN:
            withdrawn += 1
            continue
        if not _matches_decision(session, application, filters.decision):
            continue
        if _write(session, user, committee, application, choice, now):
            changed += 1
        else:
            unchanged += 1

    if changed + unchanged == 0:
        raise InvalidDecision(N_("No application to screen matches these filters, so nothing was decided; "
                                 "change the filters."))
    logger.info("screening bulk decision announcement=%s outcome=%s changed=%d unchanged=%d user=%s",
                committee.announcement_id, outcome, changed, unchanged, user.id)
    return BulkResult(changed, unchanged, withdrawn)


def _matches_decision(session: Session, application: Application, expected: str) -> bool:
    if not expected:
        return True
    decision = decision_of(session, application.id)
    if expected == UNDECIDED:
        return decision is None
    return decision is not None and decision.outcome == expected


def decisions_for(session: Session, application_ids: list[int]) -> dict[int, ScreeningDecision]:
    """Return the decisions of the given applications, by application id."""
    if not application_ids:
        return {}
    rows = session.scalars(select(ScreeningDecision).where(ScreeningDecision.application_id.in_(application_ids)))
    return {row.application_id: row for row in rows}
