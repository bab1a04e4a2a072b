"""Celery tasks. Arguments are record ids only; everything else is read from the database."""

import atexit
import logging
import os
import socket

from archive_api.context import get_archive
from archive_api.logs import current_context
from ingest.celery_app import app
from ingest.extractor import Extractor
from ingest.pipeline import process_document
from ingest.queue import PROCESS_TASK

logger = logging.getLogger(__name__)

_extractor: Extractor | None = None


def _process_extractor() -> Extractor:
    """The extraction process of this pool process, started on first use."""
    global _extractor
    if _extractor is None:
        settings = get_archive().settings
        _extractor = Extractor(settings.worker_memory_mb, settings.page_timeout_s)
        atexit.register(_extractor.close)
    return _extractor


@app.task(name=PROCESS_TASK, bind=True)
def process_document_task(self, document_id: int) -> str:
    token = current_context.set(f"task:{self.request.id} doc:{document_id}")
    try:
        worker = f"{socket.gethostname()}:{os.getpid()}"
        return process_document(get_archive(), document_id, _process_extractor(), worker)
    finally:
        current_context.reset(token)
