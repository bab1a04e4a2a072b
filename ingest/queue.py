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
    ids = list(document_ids)
    if not ids:
        return 0
    app = configure_celery()
    # A fresh connection per call: the app's pooled one would keep the broker settings of the
    # first call, which differ when one process serves several data dirs (CLI --data-dir, tests).
    with app.connection_for_write() as connection, app.amqp.Producer(connection) as producer:
        for document_id in ids:
            app.send_task(PROCESS_TASK, args=[document_id], producer=producer)
    logger.info("queued documents count=%s first=%s", len(ids), ids[0])
    return len(ids)


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
