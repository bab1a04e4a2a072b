"""The search backend interface shared by the embedded Tantivy index and Elasticsearch.

Queries arrive analysed (search.query.parse_query), and every backend analyses document text with
search.analysis, so all backends index the same terms and return the same documents for the
same query. tests/search/contract.py contains the tests that every backend must pass.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal, Protocol

from archive_api.errors import N_, DiwanError
from search.query import ParsedQuery

SortOrder = Literal["relevance", "date_desc", "date_asc"]

MAX_PAGE_SIZE = 100
# Deepest hit a request may reach (offset + limit). Elasticsearch rejects deeper pages by
# default (index.max_result_window is 10,000), so every backend stops at the same place.
MAX_RESULT_WINDOW = 10_000


@dataclass(frozen=True)
class IndexedDocument:
    """One archive record as the search index sees it."""

    id: int
    department: str
    title: str
    doc_type: str | None
    employee_number: str | None
    doc_date: date | None
    created_at: datetime
    # Access keys of the record (see archive_api.access); a user sees the record when one of
    # their principals is in this list.
    readers: tuple[str, ...]
    # Page texts in page order, as extracted; analysis happens inside the backend call.
    pages: tuple[str, ...] = ()


@dataclass(frozen=True)
class SearchRequest:
    query: ParsedQuery
    principals: frozenset[str]
    doc_type: str | None = None
    employee_number: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    sort: SortOrder = "relevance"
    offset: int = 0
    limit: int = 20


@dataclass(frozen=True)
class SearchPage:
    """Ids of one page of hits in rank order, and the number of readable matches."""

    total: int
    ids: list[int] = field(default_factory=list)


class SearchUnavailable(DiwanError):
    """The cluster was unreachable, or reported itself overloaded, on every attempt.

    Backends raise it after their retries. The ingest pipeline catches it and leaves the record
    waiting in the indexing state.
    """

    http_status = 503
    code = "search_unavailable"


class InvalidSearchRequest(DiwanError):
    code = "invalid_search_request"


def validate_request(request: SearchRequest) -> None:
    """Raise InvalidSearchRequest when the page or the date range cannot be served."""
    if request.offset < 0:
        raise InvalidSearchRequest(
            N_("The result offset %(offset)d is negative; use 0 or more."), offset=request.offset
        )

    if not 0 <= request.limit <= MAX_PAGE_SIZE:
        raise InvalidSearchRequest(
            N_("The page size %(limit)d is outside 0 to %(maximum)d; choose a size in that range."),
            limit=request.limit,
            maximum=MAX_PAGE_SIZE,
        )

    if request.offset + request.limit > MAX_RESULT_WINDOW:
        raise InvalidSearchRequest(
            N_(
                "Only the first %(maximum)d results can be shown, and this page (offset "
                "%(offset)d, size %(limit)d) goes beyond them. Add words or filters to narrow "
                "the search."
            ),
            maximum=MAX_RESULT_WINDOW,
            offset=request.offset,
            limit=request.limit,
        )

    if request.date_from and request.date_to and request.date_from > request.date_to:
        raise InvalidSearchRequest(
            N_("The start date %(date_from)s is after the end date %(date_to)s; swap the dates or clear one of them."),
            date_from=request.date_from.isoformat(),
            date_to=request.date_to.isoformat(),
        )


class SearchBackend(Protocol):
    def index(self, documents: Iterable[IndexedDocument]) -> None:
        """Add or replace documents; visible to searches when the call returns."""

    def delete(self, ids: Iterable[int]) -> None:
        """Remove documents by id; unknown ids are ignored."""

    def search(self, request: SearchRequest) -> SearchPage:
        """Return readable matches only: the principals filter runs inside the engine.

        Raises InvalidSearchRequest (see validate_request) for a page or date range that
        cannot be served. A limit of 0 returns the total without ids.
        """

    def rebuild(self, documents: Iterable[IndexedDocument]) -> int:
        """Build a fresh index from the documents, switch to it, and return how many went in."""

    def count(self) -> int:
        """Return the number of documents in the index."""

    def close(self) -> None:
        """Release files, writers and connections."""
