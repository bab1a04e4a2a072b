"""Message counts per stage and per year for the messages page, with years in council local time."""

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive_api.timeutil import COUNCIL_TZ
from recruitment.notify.models import SmsMessage

logger = logging.getLogger(__name__)


@dataclass
class StageYearCounts:
    years: list[int] = field(default_factory=list)  # oldest first, every year from the first to the last
    stages: list[str] = field(default_factory=list)
    counts: dict[tuple[int, str], int] = field(default_factory=dict)

    def count(self, year: int, stage: str) -> int:
        return self.counts.get((year, stage), 0)

    def year_total(self, year: int) -> int:
        return sum(value for (counted_year, _stage), value in self.counts.items() if counted_year == year)

    def stage_total(self, stage: str) -> int:
        return sum(value for (_year, counted_stage), value in self.counts.items() if counted_stage == stage)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def year_start_utc(year: int) -> datetime:
    """Return the naive UTC instant at which a council-local year begins."""
    return datetime(year, 1, 1, tzinfo=COUNCIL_TZ).astimezone(UTC).replace(tzinfo=None)


def _local_year(moment: datetime) -> int:
    return moment.replace(tzinfo=UTC).astimezone(COUNCIL_TZ).year


def counts_by_year_and_stage(session: Session) -> StageYearCounts:
    """Count messages per stage in each local year, one grouped query per year on the created_at index."""
    first, last = session.execute(select(func.min(SmsMessage.created_at), func.max(SmsMessage.created_at))).one()
    if first is None:
        return StageYearCounts()

    result = StageYearCounts(years=list(range(_local_year(first), max(_local_year(last), _local_year(first)) + 1)))
    for year in result.years:
        rows = session.execute(
            select(SmsMessage.stage, func.count())
            .where(SmsMessage.created_at >= year_start_utc(year), SmsMessage.created_at < year_start_utc(year + 1))
            .group_by(SmsMessage.stage)
        )
        for stage, count in rows:
            result.counts[(year, stage)] = count
    result.stages = sorted({stage for _year, stage in result.counts}, key=lambda stage: -result.stage_total(stage))
    return result
