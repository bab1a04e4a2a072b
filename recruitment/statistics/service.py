"""Yearly recruitment figures: the imported history merged with counts from the portal's own data.

A year is counted in council local time (Asia/Hebron). Live counts take announcements by the year
they were published (vacancies are theirs summed) and applications by the year they were
submitted, leaving out withdrawn ones. When a year has imported figures, those are shown
instead of the live counts, because the council's published record is the reference.
"""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive_api.timeutil import COUNCIL_TZ, to_local
from recruitment.announcements.models import Announcement
from recruitment.applications.models import STATUS_WITHDRAWN, Application
from recruitment.statistics.models import YearlyFigures

logger = logging.getLogger(__name__)

SOURCE_IMPORTED = "imported"
SOURCE_COUNTED = "counted"
METRICS = ("applications", "applicants", "vacancies", "announcements")


@dataclass(frozen=True)
class YearFigures:
    year: int
    applications: int
    applicants: int
    vacancies: int
    announcements: int
    source: str  # SOURCE_IMPORTED or SOURCE_COUNTED

    def value(self, metric: str) -> int:
        return getattr(self, metric)


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """Return the naive UTC instants at which a council-local year starts and the next one starts."""
    start = datetime(year, 1, 1, tzinfo=COUNCIL_TZ).astimezone(UTC).replace(tzinfo=None)
    end = datetime(year + 1, 1, 1, tzinfo=COUNCIL_TZ).astimezone(UTC).replace(tzinfo=None)
    return start, end


def yearly_series(session: Session) -> list[YearFigures]:
    """Return one row per year, oldest first: imported figures where present, else live counts."""
    imported = {
        row.year: YearFigures(row.year, row.applications, row.applicants, row.vacancies, row.announcements,
                              SOURCE_IMPORTED)
        for row in session.scalars(select(YearlyFigures))
    }
    counted = count_live_figures(session)
    years = sorted(set(imported) | set(counted))
    return [imported.get(year) or counted[year] for year in years]


def count_live_figures(session: Session) -> dict[int, YearFigures]:
    """Count announcements, vacancies, applications and distinct applicants per local year."""
    announcements: dict[int, list[int]] = {}
    published = session.execute(
        select(Announcement.published_at, Announcement.vacancies).where(Announcement.published_at.is_not(None))
    )
    for published_at, vacancies in published:
        announcements.setdefault(to_local(published_at).year, []).append(vacancies)

    applications = _count_applications(session)
    years = set(announcements) | set(applications)
    return {
        year: YearFigures(
            year=year,
            applications=applications.get(year, (0, 0))[0],
            applicants=applications.get(year, (0, 0))[1],
            vacancies=sum(announcements.get(year, [])),
            announcements=len(announcements.get(year, [])),
            source=SOURCE_COUNTED,
        )
        for year in years
    }


def _count_applications(session: Session) -> dict[int, tuple[int, int]]:
    """Return (applications, distinct applicants) per local year, counted in the database."""
    active = Application.status != STATUS_WITHDRAWN
    first, last = session.execute(
        select(func.min(Application.submitted_at), func.max(Application.submitted_at)).where(active)
    ).one()
    if first is None:
        return {}

    counts = {}
    for year in range(to_local(first).year, to_local(last).year + 1):
        start, end = year_bounds(year)
        in_year = (active, Application.submitted_at >= start, Application.submitted_at < end)
        total, distinct = session.execute(
            select(func.count(Application.id), func.count(func.distinct(Application.applicant_id))).where(*in_year)
        ).one()
        if total:
            counts[year] = (total, distinct)
    return counts
