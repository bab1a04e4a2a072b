"""The search backend interface shared by the embedded Tantivy index and Elasticsearch.

The service layer analyses text (search.analysis) before it reaches a backend, so every backend
indexes the same tokens and returns the same documents for the same query.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal, Protocol

from search.query import ParsedQuery

SortOrder = Literal["relevance", "date_desc", "date_asc"]


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


class SearchBackend(Protocol):
    def index(self, documents: Iterable[IndexedDocument]) -> None:
        """Add or replace documents; visible to searches when the call returns."""

    def delete(self, ids: Iterable[int]) -> None:
        """Remove documents by id; unknown ids are ignored."""

    def search(self, request: SearchRequest) -> SearchPage:
        """Return readable matches only: the principals filter runs inside the engine."""

    def rebuild(self, documents: Iterable[IndexedDocument]) -> int:
        """Build a fresh index from the documents, switch to it, and return how many went in."""

    def count(self) -> int:
        """Return the number of documents in the index."""

    def close(self) -> None:
        """Release files, writers and connections."""
