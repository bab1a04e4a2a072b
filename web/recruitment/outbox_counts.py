"""The counts tab of the messages page: messages per stage and per year, as SVG bar charts beside tables."""

import logging
from typing import Annotated

from babel.numbers import format_decimal
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from archive_api.accounts.models import User
from archive_api.api.deps import SessionDep
from archive_api.i18n import direction
from recruitment.announcements.access import require_recruitment_staff
from recruitment.notify.counts import counts_by_year_and_stage
from recruitment.notify.labels import STAGE_LABELS
from recruitment.statistics.charts import bar_chart
from web.deps import WebUser
from web.rendering import language_of, render, translator

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)


def recruitment_staff(user: WebUser) -> User:
    return require_recruitment_staff(user)


@router.get("/recruitment/sms-counts")
def counts_page(request: Request, staff: Annotated[User, Depends(recruitment_staff)], session: SessionDep) -> Response:
    language = language_of(request)
    translate = translator(request)
    counts = counts_by_year_and_stage(session)
    rtl = direction(language) == "rtl"

    def format_number(value: int) -> str:
        return format_decimal(value, locale=language)

    def stage_name(stage: str) -> str:
        return translate(STAGE_LABELS[stage]) if stage in STAGE_LABELS else stage

    year_points = [(str(year), counts.year_total(year)) for year in counts.years]
    stage_points = [(stage_name(stage), counts.stage_total(stage)) for stage in counts.stages]
    context = {
        "counts": counts,
        "year_chart": bar_chart(year_points, rtl=rtl, format_number=format_number) if counts.years else None,
        "stage_chart": bar_chart(stage_points, rtl=rtl, format_number=format_number) if counts.stages else None,
        "stage_name": stage_name,
        "format_number": format_number,
    }
    return render(request, "recruitment/outbox/counts.html", context)
