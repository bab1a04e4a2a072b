"""The public job pages, open to everyone without signing in: the listing and each announcement.

The listing is a plain GET form (search words, ministry, governorate, degree, open now) with
page links, so it works without JavaScript and every filtered view has its own address.
"""

import logging
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from archive_api.accounts.models import Department
from archive_api.api.deps import SessionDep
from archive_api.errors import N_, DiwanError
from archive_api.timeutil import utcnow
from recruitment.announcements.feed import announcement_url
from recruitment.announcements.models import DEGREE_LEVELS, GOVERNORATES, Announcement
from recruitment.announcements.service import (
    PUBLIC_STATUSES,
    AnnouncementFilters,
    get_published,
    list_announcements,
)
from recruitment.announcements.sharing import share_links
from web.deps import OptionalUser
from web.forms import FormState
from web.recruitment.applicants_deps import OptionalApplicant, render_applicant
from web.recruitment.public_views import NAMES, public_base_url, view_of
from web.rendering import language_of, translator

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

FIELDS = ("q", "ministry", "governorate", "degree", "open", "page")
PER_PAGE = 20
PAGE_LINK_SPAN = 3
MAX_QUERY_LENGTH = 200
DESCRIPTION_PREVIEW_CHARS = 200


class InvalidJobFilter(DiwanError):
    http_status = 422
    code = "invalid_job_filter"


def _ministries(session) -> list[Department]:
    """Ministries with at least one public announcement, for the filter list."""
    with_jobs = select(Announcement.ministry_id).where(Announcement.status.in_(PUBLIC_STATUSES))
    return list(session.scalars(select(Department).where(Department.id.in_(with_jobs)).order_by(Department.name_ar)))


def _filters(form: FormState, ministries: list[Department], translate) -> tuple[AnnouncementFilters, int] | None:
    """Check each filter on its own, so every bad value gets its own message beside its field."""
    ministry_ids = {department.code: department.id for department in ministries}
    checks = {
        "q": lambda: _check(len(form.value("q")) <= MAX_QUERY_LENGTH,
                            N_("The search has %(length)d characters; use at most %(maximum)d."),
                            length=len(form.value("q")), maximum=MAX_QUERY_LENGTH),
        "ministry": lambda: _check(not form.value("ministry") or form.value("ministry") in ministry_ids,
                                   N_("Ministry %(value)r has no published jobs; choose one from the list."),
                                   value=form.value("ministry")),
        "governorate": lambda: _check(form.value("governorate") in ("", *GOVERNORATES),
                                      N_("Governorate %(value)r is unknown; choose one from the list."),
                                      value=form.value("governorate")),
        "degree": lambda: _check(form.value("degree") in ("", *DEGREE_LEVELS),
                                 N_("Degree level %(value)r is unknown; choose one from the list."),
                                 value=form.value("degree")),
        "open": lambda: _check(form.value("open") in ("", "1"),
                               N_("The open-now filter %(value)r is invalid; tick the box or leave it empty."),
                               value=form.value("open")),
        "page": lambda: _page_number(form.value("page")),
    }
    for name, check in checks.items():
        try:
            check()
        except DiwanError as error:
            form.add(name, error.render(translate))
    if not form.ok:
        return None

    filters = AnnouncementFilters(
        query=form.value("q"),
        ministry_id=ministry_ids.get(form.value("ministry")),
        governorate=form.value("governorate") or None,
        degree_level=form.value("degree") or None,
        open_at=utcnow() if form.value("open") == "1" else None,
    )
    return filters, _page_number(form.value("page"))


def _check(condition: bool, message: str, **params) -> None:
    if not condition:
        raise InvalidJobFilter(message, **params)


def _page_number(value: str) -> int:
    if not value:
        return 1
    if not value.isascii() or not value.isdigit() or int(value) < 1:
        raise InvalidJobFilter(N_("The page number %(value)r is invalid; use 1 or more."), value=value)
    return int(value)


def page_link(form: FormState, page: int) -> str:
    values = {name: form.value(name) for name in FIELDS if name != "page" and form.value(name)}
    values["page"] = str(page)
    return "/jobs?" + urlencode(values)


@router.get("/jobs")
def jobs_page(request: Request, session: SessionDep, user: OptionalUser, applicant: OptionalApplicant) -> Response:
    form = FormState.from_mapping(request.query_params, FIELDS)
    ministries = _ministries(session)
    checked = _filters(form, ministries, translator(request))

    results = None
    if checked is not None:
        filters, page = checked
        results = list_announcements(session, filters, page=page, per_page=PER_PAGE)

    now = utcnow()
    context = {
        "form": form,
        "ministries": ministries,
        "results": results,
        "views": [view_of(item, now) for item in results.items] if results else [],
        "names": NAMES,
        "page_link": lambda number: page_link(form, number),
        "page_numbers": _page_numbers(results.page, results.page_count) if results else [],
        "feed_url": f"{public_base_url(request)}/jobs/feed.atom",
    }
    return render_applicant(request, "recruitment/public/jobs.html", context, status_code=200 if checked else 422)


def _page_numbers(current: int, last: int) -> list[int]:
    return list(range(max(1, current - PAGE_LINK_SPAN), min(last, current + PAGE_LINK_SPAN) + 1))


@router.get("/jobs/{announcement_id:int}")
def job_page(
    request: Request, session: SessionDep, user: OptionalUser, applicant: OptionalApplicant, announcement_id: int
) -> Response:
    announcement = get_published(session, announcement_id)
    view = view_of(announcement, utcnow())
    language = language_of(request)
    translate = translator(request)

    url = announcement_url(public_base_url(request), announcement.id)
    title = view.title(language)
    context = {
        "view": view,
        "names": NAMES,
        "url": url,
        "title": title,
        "preview": _preview(view, language, translate),
        "shares": share_links(url, title),
        "feed_url": f"{public_base_url(request)}/jobs/feed.atom",
        "apply_url": f"/jobs/{announcement.id}/apply",
        "staff": user is not None,
    }
    return render_applicant(request, "recruitment/public/job.html", context)


def _preview(view, language: str, translate) -> str:
    """Return the short description that link previews (Open Graph) show."""
    announcement = view.announcement
    template = translate(
        N_("%(ministry)s, %(governorate)s. Vacancies: %(vacancies)d. Applications close on %(closes)s.")
    )
    facts = template % {
        "ministry": announcement.ministry.name(language),
        "governorate": translate(NAMES.governorates[announcement.governorate]),
        "vacancies": announcement.vacancies,
        "closes": view.closes.text,
    }
    description = " ".join(announcement.description.split())
    if len(description) > DESCRIPTION_PREVIEW_CHARS:
        description = description[:DESCRIPTION_PREVIEW_CHARS].rsplit(" ", 1)[0] + "…"
    return f"{facts} {description}".strip()
