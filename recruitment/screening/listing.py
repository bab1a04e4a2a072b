"""The screening list: an announcement's applications with their decisions, filtered and paged, and the counts.

The filters are those of the staff application list (recruitment.applications.listing) plus
the decision. The list is in application number order, the order in which applications arrived.
"""

import logging
import math
from dataclasses import dataclass, field, replace

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from archive_api.accounts.models import User
from recruitment.applications.listing import filtered_applications
from recruitment.applications.models import STATUS_WITHDRAWN, Application
from recruitment.screening.access import require_member
from recruitment.screening.decisions import UNDECIDED, ScreeningFilters
from recruitment.screening.models import OUTCOME_ACCEPTED, OUTCOME_REJECTED, ScreeningCommittee, ScreeningDecision

logger = logging.getLogger(__name__)

MAX_PER_PAGE = 200


@dataclass(frozen=True)
class ScreeningCounts:
    """Counts of the applications to screen (withdrawn ones excluded) by decision."""

    accepted: int
    rejected: int
    undecided: int

    @property
    def total(self) -> int:
        return self.accepted + self.rejected + self.undecided


@dataclass(frozen=True)
class ScreeningRow:
    application: Application
    decision: ScreeningDecision | None


@dataclass
class ScreeningPage:
    rows: list[ScreeningRow]
    total: int
    page: int
    per_page: int
    page_count: int = field(init=False)

    def __post_init__(self) -> None:
        self.page_count = max(1, math.ceil(self.total / self.per_page))


def _with_decisions(filters: ScreeningFilters, announcement_id: int) -> Select:
    scoped = replace(filters.applications, announcement_id=announcement_id)
    query = filtered_applications(scoped).outerjoin(
        ScreeningDecision, ScreeningDecision.application_id == Application.id
    )
    if filters.decision == UNDECIDED:
        query = query.where(ScreeningDecision.id.is_(None), Application.status != STATUS_WITHDRAWN)
    elif filters.decision:
        query = query.where(ScreeningDecision.outcome == filters.decision)
    return query


def screening_page(session: Session, user: User, committee: ScreeningCommittee, filters: ScreeningFilters,
                   page: int = 1, per_page: int = 50) -> ScreeningPage:
    """Return one page of the committee's applications with their decisions; only members may read it."""
    require_member(session, committee, user)
    page = max(1, page)
    per_page = min(max(1, per_page), MAX_PER_PAGE)
    query = _with_decisions(filters, committee.announcement_id)

    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    ordered = query.add_columns(ScreeningDecision).order_by(Application.id)
    found = session.execute(ordered.offset((page - 1) * per_page).limit(per_page)).unique().all()
    rows = [ScreeningRow(application, decision) for application, decision in found]
    return ScreeningPage(rows=rows, total=total, page=page, per_page=per_page)


def screening_counts(session: Session, committee: ScreeningCommittee) -> ScreeningCounts:
    """Count the announcement's applications to screen by decision."""
    rows = session.execute(
        select(ScreeningDecision.outcome, func.count(Application.id))
        .select_from(Application)
        .outerjoin(ScreeningDecision, ScreeningDecision.application_id == Application.id)
        .where(Application.announcement_id == committee.announcement_id, Application.status != STATUS_WITHDRAWN)
        .group_by(ScreeningDecision.outcome)
    ).all()
    by_outcome = {outcome: count for outcome, count in rows}
    return ScreeningCounts(accepted=by_outcome.get(OUTCOME_ACCEPTED, 0), rejected=by_outcome.get(OUTCOME_REJECTED, 0),
                           undecided=by_outcome.get(None, 0))


def undecided_applications(session: Session, committee: ScreeningCommittee, limit: int | None = None
                           ) -> list[Application]:
    """Return the applications to screen that have no decision yet, in number order."""
    query = (
        select(Application)
        .outerjoin(ScreeningDecision, ScreeningDecision.application_id == Application.id)
        .where(Application.announcement_id == committee.announcement_id, Application.status != STATUS_WITHDRAWN,
               ScreeningDecision.id.is_(None))
        .order_by(Application.id)
    )
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query).unique())
