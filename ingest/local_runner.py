"""Processing records in this process, for `diwan ingest --wait` when no worker is running."""

import logging
import os
import socket
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

from archive_api.context import Archive
from ingest.extractor import Extractor
from ingest.pipeline import process_document

logger = logging.getLogger(__name__)


def run_locally(
    archive: Archive, document_ids: Iterable[int], jobs: int, on_done: Callable[[int, str], None] | None = None
) -> dict[int, str]:
    """Extract and index the records with `jobs` extraction processes; return each final state."""
    local = threading.local()
    extractors: list[Extractor] = []
    lock = threading.Lock()
    results: dict[int, str] = {}

    def extractor() -> Extractor:
        if not hasattr(local, "extractor"):
            local.extractor = Extractor(archive.settings.worker_memory_mb, archive.settings.page_timeout_s)
            with lock:
                extractors.append(local.extractor)
        return local.extractor

    def run(document_id: int) -> None:
        name = f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
        state = process_document(archive, document_id, extractor(), name)
        with lock:
            results[document_id] = state
        if on_done:
            on_done(document_id, state)

    try:
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            list(pool.map(run, document_ids))
    finally:
        for item in extractors:
            item.close()
    return results
