"""Searching the archive as a user: parse, filter by the user's principals, highlight, audit."""

import logging
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive_api.access.service import principals_of, readers_of
from archive_api.accounts.models import User
from archive_api.audit.service import record
from archive_api.context import Archive
from archive_api.documents.models import Document, Page
from archive_api.errors import N_, DiwanError
from search.backend import SearchRequest, SortOrder, validate_request
from search.highlight import highlight
from search.query import parse_query

logger = logging.getLogger(__name__)

SORT_ORDERS = ("relevance", "date_desc", "date_asc")


class InvalidSearch(DiwanError):
    code = "invalid_search"


@dataclass(frozen=True)
class SearchFilters:
    doc_type: str | None = None
    employee_number: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    sort: SortOrder = "relevance"
    page: int = 1
    per_page: int = 20

    def check(self) -> None:
        """Check what the backend does not: the sort order and the page number (see validate_request)."""
        if self.sort not in SORT_ORDERS:
            raise InvalidSearch(
                N_("Sort order %(value)r is unknown; use relevance, date_desc or date_asc."), value=self.sort
            )
        if self.page < 1:
            raise InvalidSearch(N_("Result page %(value)s is invalid; pages start at 1."), value=self.page)


@dataclass(frozen=True)
class Hit:
    id: int
    title: str
    department: str
    doc_type: str | None
    doc_date: date | None
    filename: str
    pages: list[int]
    snippet: str


@dataclass(frozen=True)
class SearchResults:
    query: str
    total: int
    page: int
    per_page: int
    hits: list[Hit] = field(default_factory=list)

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.per_page))


def search_documents(
    archive: Archive, session: Session, user: User, text: str, filters: SearchFilters
) -> SearchResults:
    """Return only what the user may read; every search is written to the audit log."""
    filters.check()
    query = parse_query(text)
    principals = principals_of(session, user)
    request = SearchRequest(
        query=query,
        principals=principals,
        doc_type=(filters.doc_type or "").strip().lower() or None,
        employee_number=(filters.employee_number or "").strip() or None,
        date_from=filters.date_from,
        date_to=filters.date_to,
        sort=filters.sort,
        offset=(filters.page - 1) * filters.per_page,
        limit=filters.per_page,
    )
    validate_request(request)
    found = archive.search.search(request)
    hits = [_hit(session, document_id, query) for document_id in found.ids]
    hits = [hit for hit, document in hits if document is not None and principals & set(readers_of(document))]

    record(
        session,
        user,
        "search",
        "query",
        None,
        {
            "query": text,
            "total": found.total,
            "page": filters.page,
            "filters": {
                "type": request.doc_type,
                "employee": request.employee_number,
                "from": str(filters.date_from or ""),
                "to": str(filters.date_to or ""),
            },
        },
    )
    return SearchResults(text, found.total, filters.page, filters.per_page, hits)


def _hit(session: Session, document_id: int, query) -> tuple[Hit | None, Document | None]:
    document = session.get(Document, document_id)
    if document is None:
        # The index lags a deletion; skip rather than show a dead link.
        logger.warning("search hit missing from the database document=%s", document_id)
        return None, None
    texts = session.scalars(select(Page.text).where(Page.document_id == document_id).order_by(Page.number)).all()
    marked = highlight(texts, query)
    hit = Hit(
        id=document.id,
        title=document.title,
        department=document.department.code,
        doc_type=document.doc_type,
        doc_date=document.doc_date,
        filename=document.filename,
        pages=list(marked.pages),
        snippet=marked.snippet,
    )
    return hit, document
