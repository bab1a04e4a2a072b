"""The statistics page for recruitment staff: yearly figures as SVG bar charts beside tables."""

import logging
from dataclasses import dataclass

from babel.numbers import format_decimal
from fastapi import APIRouter, Request
from fastapi.responses import Response

from archive_api.api.deps import SessionDep
from archive_api.errors import N_
from archive_api.i18n import direction
from recruitment.statistics.charts import BarChart, bar_chart
from recruitment.statistics.service import METRICS, YearFigures, yearly_series
from web.recruitment.announcements import RecruitmentStaff
from web.rendering import language_of, render

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

METRIC_TITLES = {
    "applications": N_("Applications"),
    "applicants": N_("Distinct applicants"),
    "vacancies": N_("Vacancies"),
    "announcements": N_("Announcements"),
}


@dataclass(frozen=True)
class MetricChart:
    metric: str
    title: str  # catalogue message id
    chart: BarChart
    rows: list[tuple[int, str]]  # (year, formatted value), oldest first


@router.get("/recruitment/statistics")
def statistics_page(request: Request, session: SessionDep, user: RecruitmentStaff) -> Response:
    language = language_of(request)
    series = yearly_series(session)

    def format_number(value: int) -> str:
        return format_decimal(value, locale=language)

    charts = [_metric_chart(metric, series, language, format_number) for metric in METRICS] if series else []
    context = {"series": series, "charts": charts, "format_number": format_number}
    return render(request, "recruitment/statistics.html", context)


def _metric_chart(metric: str, series: list[YearFigures], language: str, format_number) -> MetricChart:
    by_year = {row.year: row.value(metric) for row in series}
    # Every year from the first to the last gets a slot, so a year without figures shows as a gap.
    years = range(series[0].year, series[-1].year + 1)
    points = [(str(year), by_year.get(year)) for year in years]
    chart = bar_chart(points, rtl=direction(language) == "rtl", format_number=format_number)
    rows = [(row.year, format_number(row.value(metric))) for row in series]
    return MetricChart(metric, METRIC_TITLES[metric], chart, rows)
