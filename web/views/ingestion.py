"""Ingestion status: one upload batch, and the department's recent records, updating themselves.

The document list polls every two seconds while any record is still being worked on. Once all
are indexed or failed, the list comes back without the polling trigger, so polling stops. A
retry sends an HTMX event, so the list starts polling again.
"""

import logging
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy import select

from archive_api.access.service import require_read
from archive_api.api.deps import SessionDep
from archive_api.documents.models import FINAL_STATES, Batch, Document
from archive_api.documents.service import UPLOAD_ROLES, batch_counts, failure_reason, require_uploader, retry_document
from archive_api.errors import N_, NotFound
from ingest.queue import enqueue
from web.deps import WebUser
from web.redirects import local_path, see_other
from web.rendering import is_htmx, render, translator

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

RECENT_LIMIT = 50
POLL_EVENT = "documents-changed"
# Bar order of the batch chart, in pipeline order.
CHART_STATES = ("indexed", "indexing", "ocr", "extracting", "queued", "failed")


def _list_context(request: Request, user, documents: list[Document], poll_url: str, return_url: str) -> dict:
    translate = translator(request)
    return {
        "documents": documents,
        "reasons": {d.id: failure_reason(d, translate) for d in documents},
        "polling": any(document.status not in FINAL_STATES for document in documents),
        "poll_url": poll_url,
        "return_url": return_url,
        "poll_event": POLL_EVENT,
        "can_retry": user.role in UPLOAD_ROLES,
    }


def _own_batch(session, user, batch_id: int) -> Batch:
    batch = session.get(Batch, batch_id)
    if batch is None or batch.department_id != user.department_id:
        raise NotFound(N_("Batch %(id)s was not found."), id=batch_id)
    return batch


def _batch_documents(session, batch: Batch) -> list[Document]:
    return list(session.scalars(select(Document).where(Document.batch_id == batch.id).order_by(Document.id)))


def _batch_context(request, session, user, batch_id: int) -> dict:
    batch = _own_batch(session, user, batch_id)
    documents = _batch_documents(session, batch)
    counts = batch_counts(session, batch.id)
    context = _list_context(request, user, documents, f"/batches/{batch.id}/documents", f"/batches/{batch.id}")
    context.update(batch=batch, counts=counts, chart_states=CHART_STATES, total=sum(counts.values()))
    return context


@router.get("/batches/{batch_id}")
def batch_page(request: Request, batch_id: int, session: SessionDep, user: WebUser) -> Response:
    return render(request, "ingestion/batch.html", _batch_context(request, session, user, batch_id))


@router.get("/batches/{batch_id}/documents")
def batch_documents(request: Request, batch_id: int, session: SessionDep, user: WebUser) -> Response:
    return render(request, "ingestion/_batch_live.html", _batch_context(request, session, user, batch_id))


def _recent_context(request, session, user) -> dict:
    documents = list(
        session.scalars(
            select(Document)
            .where(Document.department_id == user.department_id)
            .order_by(Document.created_at.desc(), Document.id.desc())
            .limit(RECENT_LIMIT)
        )
    )
    return _list_context(request, user, documents, "/status/documents", "/status")


@router.get("/status")
def recent_page(request: Request, session: SessionDep, user: WebUser) -> Response:
    return render(request, "ingestion/recent.html", _recent_context(request, session, user))


@router.get("/status/documents")
def recent_documents(request: Request, session: SessionDep, user: WebUser) -> Response:
    return render(request, "ingestion/_documents.html", _recent_context(request, session, user))


@router.post("/documents/{document_id}/retry")
def retry(
    request: Request, document_id: int, session: SessionDep, user: WebUser,
    next: Annotated[str, Form()] = "",
) -> Response:
    """Queue a failed record of the user's own department again."""
    document = require_read(session, user, document_id)
    if document.department_id != user.department_id:
        # Readers from a granted department see the record but do not run its ingestion.
        raise NotFound(N_("Document %(id)s was not found."), id=document_id)
    require_uploader(user)

    retry_document(session, user, document)
    session.commit()
    enqueue([document.id])
    logger.info("retry requested document=%s", document.id)

    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Trigger": POLL_EVENT})
    return see_other(local_path(next, f"/documents/{document.id}"))
