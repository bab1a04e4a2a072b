"""Documents: upload, metadata, original, page text and images, ingestion status, retry."""

import json
import logging
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from sqlalchemy import select

from archive_api.access.service import require_read
from archive_api.api.deps import ArchiveDep, SessionDep, UserDep
from archive_api.api.schemas import (
    AcceptedFileOut,
    AuditEntryOut,
    BatchOut,
    DocumentOut,
    MetadataIn,
    PageOut,
    RejectedFileOut,
    StatusOut,
    UploadOut,
)
from archive_api.audit.models import AuditEntry
from archive_api.audit.service import record
from archive_api.documents.metadata import clean_metadata
from archive_api.documents.models import STATUS_INDEXED, Batch, Document, Page
from archive_api.documents.service import batch_counts, require_uploader, retry_document
from archive_api.documents.uploads import accept_uploads
from archive_api.errors import N_, NotFound, PermissionDenied
from archive_api.storage import original_key, rendition_key
from ingest.pipeline import index_document
from ingest.queue import enqueue

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/api/v1", tags=["documents"])

# A download must start within this time; S3 checks the signature only when the request arrives.
PRESIGNED_URL_EXPIRES_S = 300


def document_out(document: Document) -> DocumentOut:
    return DocumentOut(
        id=document.id,
        title=document.title,
        filename=document.filename,
        department=document.department.code,
        doc_type=document.doc_type,
        employee_number=document.employee_number,
        doc_date=document.doc_date,
        kind=document.kind,
        page_count=document.page_count,
        sha256=document.blob_sha256,
        size=document.blob.size,
        status=document.status,
        progress_page=document.progress_page,
        error_code=document.error_code,
        error_message=document.error_message,
        created_at=document.created_at,
        indexed_at=document.indexed_at,
    )


def status_out(document: Document) -> StatusOut:
    return StatusOut(
        id=document.id,
        status=document.status,
        progress_page=document.progress_page,
        page_count=document.page_count,
        error_message=document.error_message,
    )


@router.post("/documents", status_code=201, response_model=UploadOut)
def upload_documents(
    archive: ArchiveDep,
    user: UserDep,
    files: Annotated[list[UploadFile], File(description="One or more PDF, PNG, JPEG, TIFF or WebP files.")],
    title: Annotated[str | None, Form()] = None,
    doc_type: Annotated[str | None, Form()] = None,
    employee_number: Annotated[str | None, Form()] = None,
    doc_date: Annotated[str | None, Form()] = None,
):
    """Upload files into the user's department; each is checked, stored and queued on its own."""
    metadata = clean_metadata(title, doc_type, employee_number, doc_date)
    batch_id, outcomes = accept_uploads(
        archive, user.id, [(upload.filename or "", upload.file) for upload in files], metadata, "api"
    )
    body = UploadOut(
        batch_id=batch_id,
        documents=[
            AcceptedFileOut(file=o.file, id=o.document_id, status=o.status, duplicate=o.duplicate)
            for o in outcomes
            if o.error is None
        ],
        rejected=[
            RejectedFileOut(file=o.file, code=o.error.code, message=o.error.render())
            for o in outcomes
            if o.error is not None
        ],
    )
    if body.documents:
        return body
    # Nothing was accepted: answer with the first refusal's status (413, 415 or 422).
    first = next(o.error for o in outcomes if o.error is not None)
    return JSONResponse(status_code=first.http_status, content=json.loads(body.model_dump_json()))


@router.get("/documents/{document_id}", response_model=DocumentOut)
def get_document(document_id: int, session: SessionDep, user: UserDep):
    """Metadata and ingestion state of one record."""
    document = require_read(session, user, document_id)
    record(session, user, "view", "document", document.id)
    return document_out(document)


@router.patch("/documents/{document_id}", response_model=DocumentOut)
def update_metadata(document_id: int, changes: MetadataIn, archive: ArchiveDep, session: SessionDep, user: UserDep):
    """Correct title, type, employee number or date; the record is re-indexed."""
    document = require_read(session, user, document_id)
    require_uploader(user)
    if document.department_id != user.department_id:
        raise NotFound(N_("Document %(id)s was not found."), id=document_id)
    sent = changes.model_dump(exclude_unset=True)
    merged = clean_metadata(
        sent.get("title", document.title),
        sent.get("doc_type", document.doc_type),
        sent.get("employee_number", document.employee_number),
        sent.get("doc_date", document.doc_date.isoformat() if document.doc_date else None),
    )
    document.title = merged.title or document.title
    document.doc_type, document.employee_number, document.doc_date = (
        merged.doc_type,
        merged.employee_number,
        merged.doc_date,
    )
    record(session, user, "edit", "document", document.id, {key: str(value) for key, value in sent.items()})
    session.commit()
    if document.status == STATUS_INDEXED:
        index_document(archive, document.id)
    return document_out(document)


@router.get("/documents/{document_id}/status", response_model=StatusOut)
def get_status(document_id: int, session: SessionDep, user: UserDep):
    """Ingestion state: queued, extracting, ocr (page k of n), indexing, indexed or failed."""
    return status_out(require_read(session, user, document_id))


@router.post("/documents/{document_id}/retry", response_model=StatusOut)
def retry(document_id: int, session: SessionDep, user: UserDep):
    """Queue a failed record again; its original was kept. Only its own department may retry it."""
    document = require_read(session, user, document_id)
    require_uploader(user)
    if document.department_id != user.department_id:
        raise PermissionDenied(N_("Only the department that owns document %(id)s can retry it."), id=document_id)
    retry_document(session, user, document)
    session.commit()
    enqueue([document.id])
    return status_out(document)


@router.get("/documents/{document_id}/original")
def download_original(document_id: int, archive: ArchiveDep, session: SessionDep, user: UserDep):
    """The original file exactly as uploaded.

    With an S3 object store the response is a 307 redirect to a signed URL that is valid for a few
    minutes, so the bytes do not pass through the API; the local store streams them.
    """
    document = require_read(session, user, document_id)
    record(session, user, "download", "document", document.id)
    session.commit()
    key = original_key(document.blob_sha256)

    url = archive.store.presigned_url(key, document.filename, PRESIGNED_URL_EXPIRES_S)
    if url is not None:
        # A cached redirect would skip the access check and the audit entry of the next download.
        return RedirectResponse(url, status_code=307, headers={"Cache-Control": "no-store"})

    stream = archive.store.open(key)
    disposition = f"attachment; filename*=UTF-8''{quote(document.filename)}"
    return StreamingResponse(
        iter(lambda: stream.read(1024 * 1024), b""),
        media_type=document.blob.mime,
        headers={"Content-Disposition": disposition, "Content-Length": str(document.blob.size)},
    )


@router.get("/documents/{document_id}/pages", response_model=list[PageOut])
def list_pages(document_id: int, session: SessionDep, user: UserDep):
    """Text of every extracted page, with its source and OCR confidence."""
    document = require_read(session, user, document_id)
    record(session, user, "view", "document", document.id, {"pages": "all"})
    pages = session.scalars(select(Page).where(Page.document_id == document.id).order_by(Page.number))
    return [PageOut(number=p.number, text=p.text, source=p.source, confidence=p.confidence) for p in pages]


@router.get("/documents/{document_id}/pages/{number}", response_model=PageOut)
def get_page(document_id: int, number: int, session: SessionDep, user: UserDep):
    document = require_read(session, user, document_id)
    page = session.scalar(select(Page).where(Page.document_id == document.id, Page.number == number))
    if page is None:
        raise NotFound(
            N_("Page %(number)s of document %(id)s has not been extracted yet."), number=number, id=document_id
        )
    record(session, user, "view", "document", document.id, {"pages": number})
    return PageOut(number=page.number, text=page.text, source=page.source, confidence=page.confidence)


def _rendition(archive, session, user, document_id: int, name: str) -> Response:
    document = require_read(session, user, document_id)
    key = rendition_key(document.id, name)
    if not archive.store.exists(key):
        raise NotFound(N_("This page image of document %(id)s is not ready yet."), id=document_id)
    return Response(
        archive.store.get_bytes(key), media_type="image/webp", headers={"Cache-Control": "private, max-age=3600"}
    )


@router.get("/documents/{document_id}/pages/{number}/thumbnail")
def page_thumbnail(document_id: int, number: int, archive: ArchiveDep, session: SessionDep, user: UserDep):
    """A small WebP image of the page."""
    return _rendition(archive, session, user, document_id, f"thumb-{number}.webp")


@router.get("/documents/{document_id}/pages/{number}/image")
def page_image(document_id: int, number: int, archive: ArchiveDep, session: SessionDep, user: UserDep):
    """A WebP image of the page for the viewer."""
    return _rendition(archive, session, user, document_id, f"page-{number}.webp")


@router.get("/documents/{document_id}/audit", response_model=list[AuditEntryOut])
def document_audit(document_id: int, session: SessionDep, user: UserDep):
    """Who viewed, downloaded, changed or granted this record (its own department only)."""
    document = require_read(session, user, document_id)
    if document.department_id != user.department_id:
        return []
    entries = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.target_type == "document", AuditEntry.target_id == str(document.id))
        .order_by(AuditEntry.id.desc())
        .limit(200)
    )
    return [audit_out(entry) for entry in entries]


def audit_out(entry: AuditEntry) -> AuditEntryOut:
    return AuditEntryOut(
        id=entry.id,
        at=entry.at,
        actor=entry.actor,
        action=entry.action,
        target_type=entry.target_type,
        target_id=entry.target_id,
        details=json.loads(entry.details),
        hash=entry.hash,
    )


@router.get("/batches/{batch_id}", response_model=BatchOut)
def get_batch(batch_id: int, session: SessionDep, user: UserDep):
    """Progress of one upload or import: a count per state and each record's state."""
    batch = session.get(Batch, batch_id)
    if batch is None or batch.department_id != user.department_id:
        raise NotFound(N_("Batch %(id)s was not found."), id=batch_id)
    documents = session.scalars(select(Document).where(Document.batch_id == batch.id).order_by(Document.id)).all()
    return BatchOut(id=batch.id, counts=batch_counts(session, batch.id), documents=[status_out(d) for d in documents])
