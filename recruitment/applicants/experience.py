"""Years of experience from job periods, counting days worked in two jobs at once only once.

A period runs from its start date through its end date, both days included, or through today
while the job continues. Each stretch of merged periods counts its whole calendar months, and
the days left over from all stretches together count one month per DAYS_PER_LEFTOVER_MONTH.
"""

import calendar
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

logger = logging.getLogger(__name__)

DAYS_PER_LEFTOVER_MONTH = 30
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class ExperienceTotal:
    """Experience in whole months; `years` is the whole years in it, as announcements require them."""

    months: int

    @property
    def years(self) -> int:
        return self.months // 12

    @property
    def extra_months(self) -> int:
        return self.months % 12


def add_months(day: date, months: int) -> date:
    """Return the same day `months` later, or the month's last day when it is shorter (31 Jan → 28 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _months_and_days(start: date, stop: date) -> tuple[int, int]:
    """Return the whole calendar months from start to stop (exclusive) and the days left over."""
    months = (stop.year - start.year) * 12 + stop.month - start.month
    if add_months(start, months) > stop:
        months -= 1
    return months, (stop - add_months(start, months)).days


def _spans(periods: Iterable[tuple[date, date | None]], today: date) -> list[tuple[date, date]]:
    """Return the periods as [start, stop) spans ending at most today, merged where they overlap or touch."""
    spans = sorted((start, min(end or today, today) + ONE_DAY) for start, end in periods)
    merged: list[tuple[date, date]] = []
    for start, stop in spans:
        if stop <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], stop))
        else:
            merged.append((start, stop))
    return merged


def total_experience(periods: Iterable[tuple[date, date | None]], today: date) -> ExperienceTotal:
    """Add up job periods given as (start, end or None while continuing)."""
    months = leftover_days = 0
    for start, stop in _spans(periods, today):
        whole, days = _months_and_days(start, stop)
        months += whole
        leftover_days += days
    return ExperienceTotal(months + leftover_days // DAYS_PER_LEFTOVER_MONTH)


def period_months(start: date, end: date | None, today: date) -> int:
    """Return the whole months of one job, up to today while it continues."""
    return total_experience([(start, end)], today).months
