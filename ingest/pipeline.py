"""Processing one queued record: claim it, extract its pages, store renditions, index it.

Every state change is committed as it happens, so the UI shows progress and a crashed worker
leaves a record that the sweeper hands to another worker, which resumes after the last stored
page.
"""

import logging
import os
import shutil
import tempfile
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from sqlalchemy import or_, select, update

from archive_api.access.service import readers_of
from archive_api.context import Archive
from archive_api.documents.models import (
    STATUS_EXTRACTING,
    STATUS_FAILED,
    STATUS_INDEXED,
    STATUS_INDEXING,
    STATUS_OCR,
    WORKING_STATES,
    Document,
    Page,
)
from archive_api.errors import N_, DiwanError
from archive_api.storage import original_key, rendition_key
from archive_api.timeutil import utcnow
from ingest.extractor import Extractor
from ingest.jobs import ExtractionJob, PageDone, PageStarted
from ingest.types import FileFacts
from search.backend import IndexedDocument, SearchUnavailable

logger = logging.getLogger(__name__)


class LeaseLost(Exception):
    """Another worker took over the record because this one stopped renewing its lease."""


def claim(archive: Archive, document_id: int, worker: str) -> bool:
    """Take a record that is waiting or whose previous owner's lease ran out."""
    now = utcnow()
    with archive.db.session() as session:
        result = session.execute(
            update(Document)
            .where(
                Document.id == document_id,
                Document.status.in_(WORKING_STATES),
                or_(Document.lease_expires_at.is_(None), Document.lease_expires_at < now),
            )
            .values(
                lease_owner=worker,
                lease_expires_at=now + timedelta(seconds=archive.settings.lease_s),
                attempts=Document.attempts + 1,
            )
        )
        return result.rowcount == 1


def _update_owned(archive: Archive, document_id: int, worker: str, **values) -> None:
    """Change the record while this worker still owns it, renewing the lease."""
    values.setdefault("lease_expires_at", utcnow() + timedelta(seconds=archive.settings.lease_s))
    with archive.db.session() as session:
        result = session.execute(
            update(Document).where(Document.id == document_id, Document.lease_owner == worker).values(**values)
        )
        if result.rowcount != 1:
            raise LeaseLost(document_id)


def fail(archive: Archive, document_id: int, worker: str | None, error: DiwanError) -> None:
    """Record a failed record with its reason; the original stays so it can be retried."""
    values = dict(
        status=STATUS_FAILED,
        error_code=error.code,
        error_message=error.render(),
        error_detail=error.to_json(),
        lease_owner=None,
        lease_expires_at=None,
    )
    with archive.db.session() as session:
        statement = update(Document).where(Document.id == document_id)
        if worker is not None:
            statement = statement.where(Document.lease_owner == worker)
        session.execute(statement.values(**values))
    logger.warning("document failed document=%s code=%s", document_id, error.code)


@contextmanager
def _local_original(archive: Archive, sha256: str):
    """Yield a local path of the original, downloading it when the store is remote."""
    key = original_key(sha256)
    local_path = getattr(archive.store, "local_path", None)
    if local_path is not None:
        yield local_path(key)
        return
    handle, temporary = tempfile.mkstemp(prefix="diwan-original-")
    try:
        with os.fdopen(handle, "wb") as target, archive.store.open(key) as source:
            shutil.copyfileobj(source, target, 1024 * 1024)
        yield Path(temporary)
    finally:
        os.unlink(temporary)


def _store_page(archive: Archive, document_id: int, worker: str, event: PageDone) -> None:
    number = event.page.number
    archive.store.put_bytes(rendition_key(document_id, f"page-{number}.webp"), event.view_webp)
    archive.store.put_bytes(rendition_key(document_id, f"thumb-{number}.webp"), event.thumbnail_webp)
    with archive.db.session() as session:
        session.execute(Page.__table__.delete().where(Page.document_id == document_id, Page.number == number))
        session.add(
            Page(
                document_id=document_id,
                number=number,
                text=event.page.text,
                source=event.page.source,
                confidence=event.page.confidence,
                width=event.width,
                height=event.height,
            )
        )
    _update_owned(archive, document_id, worker, progress_page=number)


def index_document(archive: Archive, document_id: int) -> None:
    """Send a record's metadata, readers and page texts to the search backend."""
    with archive.db.session(write=False) as session:
        document = session.get(Document, document_id)
        pages = session.scalars(select(Page.text).where(Page.document_id == document_id).order_by(Page.number)).all()
        indexed = to_indexed_document(document, tuple(pages))
    archive.search.index([indexed])


def to_indexed_document(document: Document, pages: tuple[str, ...]) -> IndexedDocument:
    return IndexedDocument(
        id=document.id,
        department=document.department.code,
        title=document.title,
        doc_type=document.doc_type,
        employee_number=document.employee_number,
        doc_date=document.doc_date,
        created_at=document.created_at,
        readers=readers_of(document),
        pages=pages,
    )


def process_document(archive: Archive, document_id: int, extractor: Extractor, worker: str) -> str:
    """Run one record through extraction and indexing; return its final state, or 'skipped'."""
    if not claim(archive, document_id, worker):
        return "skipped"

    with archive.db.session(write=False) as session:
        document = session.get(Document, document_id)
        facts = FileFacts(kind=document.kind, mime=document.blob.mime, page_count=document.page_count)
        stored = session.scalars(select(Page.number).where(Page.document_id == document_id)).all()
        attempts, sha256 = document.attempts, document.blob_sha256
    first_page = _first_missing_page(stored, facts.page_count)

    if attempts > archive.settings.max_attempts:
        fail(
            archive,
            document_id,
            worker,
            DiwanError(
                N_(
                    "Extraction was interrupted %(attempts)d times; retry the document, and if it fails "
                    "again, re-scan it."
                ),
                attempts=attempts - 1,
            ),
        )
        return STATUS_FAILED

    try:
        cleared = dict(error_code=None, error_message=None, error_detail=None)
        _update_owned(archive, document_id, worker, status=STATUS_EXTRACTING, **cleared)
        with _local_original(archive, sha256) as path:
            job = ExtractionJob(document_id, str(path), facts, archive.limits, first_page)
            for event in extractor.extract(job):
                if isinstance(event, PageStarted):
                    state = STATUS_OCR if event.ocr else STATUS_EXTRACTING
                    _update_owned(archive, document_id, worker, status=state, progress_page=event.number)
                else:
                    _store_page(archive, document_id, worker, event)

        _update_owned(archive, document_id, worker, status=STATUS_INDEXING)
        try:
            index_document(archive, document_id)
        except SearchUnavailable:
            _wait_for_search(archive, document_id, worker)
            return STATUS_INDEXING
        _update_owned(
            archive,
            document_id,
            worker,
            status=STATUS_INDEXED,
            indexed_at=utcnow(),
            lease_owner=None,
            lease_expires_at=None,
        )
    except LeaseLost:
        logger.warning("lease lost, another worker continues document=%s", document_id)
        return "skipped"
    except DiwanError as error:
        fail(archive, document_id, worker, error)
        return STATUS_FAILED

    logger.info("document indexed document=%s pages=%s", document_id, facts.page_count)
    return STATUS_INDEXED


def _wait_for_search(archive: Archive, document_id: int, worker: str) -> None:
    """Leave the record in `indexing` with an expired lease, so the sweeper queues it again.

    An unavailable search cluster is not the document's fault: the claim's attempt is given
    back, so waiting never makes the record fail for too many attempts.
    """
    _update_owned(
        archive,
        document_id,
        worker,
        lease_owner=None,
        lease_expires_at=utcnow(),
        attempts=Document.attempts - 1,
    )
    logger.warning("search unavailable, document waits for the sweeper document=%s", document_id)


def _first_missing_page(stored: list[int], page_count: int) -> int:
    """First page not yet stored, so a resumed record continues where the last worker stopped."""
    present = set(stored)
    for number in range(1, page_count + 1):
        if number not in present:
            return number
    return page_count + 1
