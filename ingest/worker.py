"""Running a Celery worker with its heartbeat and the sweeper beside it."""

import logging
import os
import socket
import threading

from celery.signals import worker_ready, worker_shutdown

from archive_api.context import get_archive
from ingest.celery_app import configure_celery
from ingest.inbox import Inbox
from ingest.queue import HEARTBEAT_INTERVAL_S, beat, forget_worker
from ingest.sweeper import sweep
from recruitment.notify.dispatcher import start_sms_dispatcher, stop_sms_dispatcher

logger = logging.getLogger(__name__)

_stop = threading.Event()


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _housekeeping() -> None:
    """Write the heartbeat every few seconds and sweep stuck records at the configured interval."""
    archive = get_archive()
    name = worker_name()
    inbox = Inbox(archive)
    next_sweep = 0.0
    elapsed = 0.0
    while not _stop.is_set():
        try:
            with archive.db.session() as session:
                beat(session, name)
            if elapsed >= next_sweep:
                sweep(archive)
                inbox.scan()
                next_sweep = elapsed + archive.settings.sweeper_interval_s
        except Exception:
            # The database may be briefly locked or down; the next round tries again.
            logger.exception("worker housekeeping failed; retrying in %ss", HEARTBEAT_INTERVAL_S)
        interval = min(HEARTBEAT_INTERVAL_S, archive.settings.sweeper_interval_s)
        _stop.wait(interval)
        elapsed += interval


@worker_ready.connect
def _start_housekeeping(**_kwargs) -> None:
    threading.Thread(target=_housekeeping, name="diwan-housekeeping", daemon=True).start()
    archive = get_archive()
    start_sms_dispatcher(archive.db, archive.settings)


@worker_shutdown.connect
def _stop_housekeeping(**_kwargs) -> None:
    _stop.set()
    stop_sms_dispatcher()
    try:
        with get_archive().db.session() as session:
            forget_worker(session, worker_name())
    except Exception:
        logger.exception("could not remove the worker heartbeat; it expires on its own")


def run_worker(concurrency: int, loglevel: str = "INFO") -> None:
    app = configure_celery()
    get_archive()  # migrate before the pool forks
    arguments = [
        "worker",
        f"--loglevel={loglevel}",
        f"--concurrency={concurrency}",
        f"--hostname=diwan-{worker_name()}",
        # The filesystem broker has no broadcast channel for these; the heartbeat table replaces them.
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    app.worker_main(arguments)
