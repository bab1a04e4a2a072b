"""Re-queue records stuck in a working state, so a crash or a lost task delays work but loses none."""

import logging
from datetime import timedelta

from sqlalchemy import and_, or_, select

from archive_api.context import Archive
from archive_api.documents.models import STATUS_QUEUED, WORKING_STATES, Document
from archive_api.timeutil import utcnow

logger = logging.getLogger(__name__)


def stuck_documents(archive: Archive, limit: int = 1000) -> list[int]:
    """Records whose owner's lease ran out, or that waited unclaimed longer than stale_after_s."""
    now = utcnow()
    stale = now - timedelta(seconds=archive.settings.stale_after_s)
    with archive.db.session(write=False) as session:
        return list(
            session.scalars(
                select(Document.id)
                .where(
                    Document.status.in_(WORKING_STATES),
                    or_(
                        Document.lease_expires_at < now,
                        and_(
                            Document.lease_expires_at.is_(None),
                            Document.status == STATUS_QUEUED,
                            Document.updated_at < stale,
                        ),
                    ),
                )
                .order_by(Document.id)
                .limit(limit)
            )
        )


def sweep(archive: Archive) -> int:
    from ingest.queue import enqueue

    ids = stuck_documents(archive)
    if ids:
        logger.info("re-queueing stuck documents count=%s first=%s", len(ids), ids[0])
        # Touch them so the next sweep does not send them again before a worker gets to them.
        with archive.db.session() as session:
            for document in session.scalars(select(Document).where(Document.id.in_(ids))):
                document.updated_at = utcnow()
        enqueue(ids)
    return len(ids)


def pending_documents(archive: Archive, limit: int = 100000) -> list[int]:
    """Every record not yet in a final state whose lease is free or expired."""
    now = utcnow()
    with archive.db.session(write=False) as session:
        return list(
            session.scalars(
                select(Document.id)
                .where(
                    Document.status.in_(WORKING_STATES),
                    or_(Document.lease_expires_at.is_(None), Document.lease_expires_at < now),
                )
                .order_by(Document.id)
                .limit(limit)
            )
        )
