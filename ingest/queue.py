"""Handing records to workers, and knowing whether any worker is alive."""

import logging
from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive_api.timeutil import utcnow
from ingest.celery_app import configure_celery
from ingest.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

PROCESS_TASK = "diwan.process_document"
HEARTBEAT_INTERVAL_S = 10
# A worker that has not written its heartbeat for this long is presumed dead.
HEARTBEAT_STALE_S = 45


def enqueue(document_ids: Iterable[int]) -> int:
    """Send one task per record; call only after the records are committed."""
    app = configure_celery()
    count = 0
    for document_id in document_ids:
        app.send_task(PROCESS_TASK, args=[document_id])
        count += 1
    if count:
        logger.info("queued documents count=%s", count)
    return count


def live_workers(session: Session) -> list[str]:
    cutoff = utcnow() - timedelta(seconds=HEARTBEAT_STALE_S)
    return list(session.scalars(select(WorkerHeartbeat.name).where(WorkerHeartbeat.last_seen_at >= cutoff)))


def beat(session: Session, name: str) -> None:
    row = session.get(WorkerHeartbeat, name)
    if row is None:
        session.add(WorkerHeartbeat(name=name, last_seen_at=utcnow()))
    else:
        row.last_seen_at = utcnow()


def forget_worker(session: Session, name: str) -> None:
    row = session.get(WorkerHeartbeat, name)
    if row is not None:
        session.delete(row)
