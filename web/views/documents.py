"""The document screen: metadata, page images beside their text, audit history, retry."""

import json
import logging
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup
from sqlalchemy import select

from archive_api.access.service import require_read
from archive_api.api.deps import SessionDep
from archive_api.audit.models import AuditEntry
from archive_api.audit.service import record
from archive_api.documents.models import Page
from archive_api.documents.service import UPLOAD_ROLES, failure_reason, page_texts
from archive_api.errors import DiwanError
from recruitment.announcements.labels import DOCUMENT_KIND_NAMES
from search.highlight import highlight
from search.query import ParsedQuery, parse_query
from web.deps import WebUser
from web.highlighting import mark_page_text
from web.rendering import language_of, render, translator

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

PAGES_PER_VIEW = 20
AUDIT_LIMIT = 100


@dataclass(frozen=True)
class PageView:
    page: Page
    text: Markup
    matched: bool


def _query(text: str) -> ParsedQuery | None:
    """Parse the search that led here; a query that does not parse just highlights nothing."""
    if not text.strip():
        return None
    try:
        return parse_query(text)
    except DiwanError:
        return None


def _displayed_pages(pages: list[Page], chosen: int, first: int) -> list[Page]:
    """Return one screenful of pages starting at `first`, with the chosen page on top."""
    window = [page for page in pages if first <= page.number < first + PAGES_PER_VIEW]
    top = [page for page in pages if page.number == chosen]
    return top + [page for page in window if page.number != chosen]


def _audit_history(session, document_id: int) -> list[dict]:
    entries = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.target_type == "document", AuditEntry.target_id == str(document_id))
        .order_by(AuditEntry.id.desc())
        .limit(AUDIT_LIMIT)
    )
    return [{"entry": entry, "details": json.loads(entry.details or "{}")} for entry in entries]


def _int_param(value: str | None, default: int) -> int:
    try:
        return max(1, int(value)) if value else default
    except ValueError:
        return default


@router.get("/documents/{document_id}")
def document_page(request: Request, document_id: int, session: SessionDep, user: WebUser) -> Response:
    """Show a record; ?page=N&q=words puts page N first and marks the words, as search links do."""
    document = require_read(session, user, document_id)
    query_text = request.query_params.get("q", "")
    chosen = _int_param(request.query_params.get("page"), 0)
    # Without an explicit screenful, show the one that contains the chosen page.
    default_first = (chosen - 1) // PAGES_PER_VIEW * PAGES_PER_VIEW + 1 if chosen else 1
    first = _int_param(request.query_params.get("from"), default_first)

    pages = page_texts(session, document.id)
    query = _query(query_text)
    matched = set(highlight([page.text for page in pages], query).pages) if query else set()
    displayed = [
        PageView(page, mark_page_text(page.text, query), page.number in matched)
        for page in _displayed_pages(pages, chosen, first)
    ]
    own_department = document.department_id == user.department_id

    record(session, user, "view", "document", document.id, {"pages": [view.page.number for view in displayed]})
    context = {
        "document": document,
        "department_name": document.department.name(language_of(request)),
        "failure_reason": failure_reason(document, translator(request)),
        "doc_type_label": _doc_type_label(document, translator(request)),
        "pages": displayed,
        "page_total": len(pages),
        "matched_pages": sorted(matched),
        "query_text": query_text,
        "first": first,
        "pages_per_view": PAGES_PER_VIEW,
        "history": _audit_history(session, document.id) if own_department else None,
        "can_retry": own_department and user.role in UPLOAD_ROLES and document.status == "failed",
    }
    return render(request, "document.html", context)


def _doc_type_label(document, translate) -> str:
    """Return the document type as users read it: an applicant's document kind by its name."""
    if document.owner_applicant_id is not None and document.doc_type in DOCUMENT_KIND_NAMES:
        return translate(DOCUMENT_KIND_NAMES[document.doc_type])
    return document.doc_type or "—"
