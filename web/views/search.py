"""The search screen: query box, filters, sort, results with highlighted snippets, pagination.

The form is a plain GET form, so search works without JavaScript. With HTMX, the search area is
swapped in place and the URL is pushed to the history.
"""

import logging
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from archive_api.accounts.models import Department
from archive_api.api.deps import ArchiveDep, SessionDep
from archive_api.documents.metadata import clean_metadata, parse_date
from archive_api.documents.models import Document
from archive_api.errors import N_, DiwanError
from search.service import SearchFilters, search_documents
from web.deps import WebUser
from web.forms import FormState, Translate
from web.rendering import is_htmx, language_of, render, translator

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

FIELDS = ("q", "type", "employee", "from", "to", "sort", "page")
PER_PAGE = 20
# Page links shown on each side of the current result page.
PAGE_LINK_SPAN = 3


class InvalidPageNumber(DiwanError):
    code = "invalid_page_number"


def _check_filters(form: FormState, translate: Translate) -> SearchFilters | None:
    """Check every filter on its own so that each bad field gets its own message."""
    checks = {
        "type": lambda: clean_metadata(doc_type=form.value("type")),
        "employee": lambda: clean_metadata(employee_number=form.value("employee")),
        "from": lambda: parse_date(form.value("from"), translate(N_("start date"))),
        "to": lambda: parse_date(form.value("to"), translate(N_("end date"))),
        "sort": lambda: SearchFilters(sort=form.value("sort") or "relevance").check(),
        "page": lambda: SearchFilters(page=_page_number(form.value("page"))).check(),
    }
    for name, check in checks.items():
        try:
            check()
        except DiwanError as error:
            form.add(name, error.render(translate))
    if not form.ok:
        return None

    return SearchFilters(
        doc_type=form.value("type") or None,
        employee_number=clean_metadata(employee_number=form.value("employee")).employee_number,
        date_from=parse_date(form.value("from")),
        date_to=parse_date(form.value("to")),
        sort=form.value("sort") or "relevance",
        page=_page_number(form.value("page")),
        per_page=PER_PAGE,
    )


def _page_number(value: str) -> int:
    if not value:
        return 1
    try:
        return int(value.strip())
    except ValueError:
        raise InvalidPageNumber(
            N_("The result page %(value)r is not a whole number; use 1 or more."), value=value
        ) from None


def _department_names(session, codes: set[str], language: str) -> dict[str, str]:
    if not codes:
        return {}
    rows = session.scalars(select(Department).where(Department.code.in_(codes)))
    return {department.code: department.name(language) for department in rows}


def _known_types(session, user) -> list[str]:
    """Document types of the user's own department, offered as suggestions in the type filter."""
    return list(
        session.scalars(
            select(Document.doc_type)
            .where(Document.department_id == user.department_id, Document.doc_type.is_not(None))
            .distinct()
            .order_by(Document.doc_type)
            .limit(200)
        )
    )


def page_link(form: FormState, page: int) -> str:
    """Return the URL of another result page of the same search."""
    values = {name: form.value(name) for name in FIELDS if name != "page" and form.value(name)}
    values["page"] = str(page)
    return "/search?" + urlencode(values)


def _page_numbers(current: int, last: int) -> list[int]:
    first = max(1, current - PAGE_LINK_SPAN)
    return list(range(first, min(last, current + PAGE_LINK_SPAN) + 1))


@router.get("/search")
def search_page(request: Request, archive: ArchiveDep, session: SessionDep, user: WebUser) -> Response:
    params = request.query_params
    form = FormState.from_mapping(params, FIELDS)
    translate = translator(request)
    searched = "q" in params
    results = None

    filters = _check_filters(form, translate) if searched else None
    if filters is not None:
        try:
            results = search_documents(archive, session, user, form.value("q"), filters)
        except DiwanError as error:
            # Errors about the date range or the result window name those values; the rest are about the query.
            form.add_error(error, translate, {"date_from": "to", "offset": "page"}, default="q")

    context = {
        "form": form,
        "searched": searched,
        "results": results,
        "known_types": _known_types(session, user),
        "department_names": _department_names(
            session, {hit.department for hit in results.hits} if results else set(), language_of(request)
        ),
        "page_link": lambda page: page_link(form, page),
        "page_numbers": _page_numbers(results.page, results.page_count) if results else [],
    }
    status_code = 422 if searched and not form.ok else 200
    template = "search/_area.html" if is_htmx(request) else "search/page.html"
    return render(request, template, context, status_code=status_code)
