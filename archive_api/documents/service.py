"""Accepting files into the archive, and the state of records and batches.

A file is checked, stored under its SHA-256 and recorded in one transaction; only after the
commit is it queued for extraction (see ingest.queue), so a crash never leaves a queued task
without its record.
"""

import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive_api.accounts.models import Department, User
from archive_api.audit.service import record
from archive_api.context import Archive
from archive_api.documents.metadata import DocumentMetadata
from archive_api.documents.models import (
    STATUS_FAILED,
    STATUS_QUEUED,
    Batch,
    Blob,
    Document,
    Page,
)
from archive_api.errors import N_, Conflict, PermissionDenied, render_stored
from archive_api.storage import original_key
from archive_api.storage.local import sha256_of_file
from ingest.intake import inspect_file_isolated, safe_display_name

logger = logging.getLogger(__name__)

UPLOAD_ROLES = ("admin", "clerk")


@dataclass(frozen=True)
class Accepted:
    document: Document
    duplicate: bool


def require_uploader(user: User) -> None:
    if user.role not in UPLOAD_ROLES:
        raise PermissionDenied(
            N_("Your role (%(role)s) may not add documents; ask a clerk or an administrator."), role=user.role
        )


def new_batch(session: Session, department: Department, user: User | None, source: str) -> Batch:
    batch = Batch(department_id=department.id, created_by_id=user.id if user else None, source=source)
    session.add(batch)
    session.flush()
    return batch


def accept_file(
    archive: Archive,
    session: Session,
    department: Department,
    path: Path,
    raw_name: str,
    metadata: DocumentMetadata,
    uploader: User | None = None,
    batch: Batch | None = None,
    owner_applicant_id: int | None = None,
    actor_label: str = "cli",
) -> Accepted:
    """Check a file, store its original and record it as queued; raises RejectedFile.

    The same bytes uploaded again by the same owner (the department, or one applicant inside
    it) return the existing record. Another owner gets a record of their own that shares the
    stored original. `actor_label` names the actor in the audit log when there is no uploader.
    """
    display_name = safe_display_name(raw_name)
    settings = archive.settings

    # Checks run in a separate, memory-capped process, so a hostile file cannot hurt this one.
    facts = inspect_file_isolated(
        path, display_name, archive.limits, settings.worker_memory_mb, settings.page_timeout_s
    )
    sha256, size = sha256_of_file(path)

    existing = session.scalar(
        select(Document).where(
            Document.department_id == department.id,
            Document.blob_sha256 == sha256,
            Document.owner_applicant_id.is_(None)
            if owner_applicant_id is None
            else Document.owner_applicant_id == owner_applicant_id,
        )
    )
    if existing is not None:
        logger.info("duplicate upload document=%s department=%s", existing.id, department.id)
        return Accepted(existing, duplicate=True)

    # Same bytes in another department are one object, recorded once as a blob.
    archive.store.put_file(original_key(sha256), str(path), sha256)
    if session.get(Blob, sha256) is None:
        session.add(Blob(sha256=sha256, size=size, mime=facts.mime))

    document = Document(
        department_id=department.id,
        batch_id=batch.id if batch else None,
        blob_sha256=sha256,
        uploaded_by_id=uploader.id if uploader else None,
        owner_applicant_id=owner_applicant_id,
        filename=display_name,
        title=metadata.title or Path(display_name).stem,
        doc_type=metadata.doc_type,
        employee_number=metadata.employee_number,
        doc_date=metadata.doc_date,
        kind=facts.kind,
        page_count=facts.page_count,
        status=STATUS_QUEUED,
    )
    session.add(document)
    session.flush()
    record(
        session,
        uploader,
        "upload",
        "document",
        document.id,
        {"sha256": sha256, "size": size, "pages": facts.page_count, "batch": document.batch_id},
        actor_label=actor_label,
    )
    logger.info("document accepted document=%s kind=%s pages=%s", document.id, facts.kind, facts.page_count)
    return Accepted(document, duplicate=False)


def retry_document(session: Session, user: User | None, document: Document) -> Document:
    """Put a failed record back in the queue; its original was kept, so nothing is re-uploaded."""
    if document.status != STATUS_FAILED:
        raise Conflict(
            N_("Document %(id)s is %(status)s, not failed, so there is nothing to retry."),
            id=document.id,
            status=document.status,
        )
    document.status = STATUS_QUEUED
    document.error_code = None
    document.error_message = None
    document.error_detail = None
    document.attempts = 0
    document.lease_owner = None
    document.lease_expires_at = None
    record(session, user, "retry", "document", document.id, actor_label="cli")
    return document


def page_texts(session: Session, document_id: int) -> list[Page]:
    return list(session.scalars(select(Page).where(Page.document_id == document_id).order_by(Page.number)))


def batch_counts(session: Session, batch_id: int) -> dict[str, int]:
    """Number of records of a batch in each state."""
    rows = session.execute(
        select(Document.status, func.count()).where(Document.batch_id == batch_id).group_by(Document.status)
    )
    return {status: count for status, count in rows}


def failure_reason(document: Document, translate=None) -> str:
    """The reason a record failed, in the language of `translate` (English without it)."""
    return render_stored(document.error_detail, document.error_message or "", translate)
