"""The worker's side of the extraction process: start it, hand it jobs, watch it.

One extraction process serves many documents in turn. When it dies (memory cap, crash) or stops
answering within the page timeout, it is killed, the current document fails with the reason, and
the next job starts a fresh process.
"""

import logging
import os
import selectors
import subprocess
import sys
from collections.abc import Iterator

from archive_api.errors import N_, DiwanError
from ingest.framing import read_frame, write_frame
from ingest.jobs import ExtractionJob, JobFailed, JobFinished, PageDone, PageStarted

logger = logging.getLogger(__name__)

# A fresh process now and then returns memory that libraries keep after large pages.
JOBS_PER_PROCESS = 200

Event = PageStarted | PageDone


class ExtractionFailed(DiwanError):
    http_status = 422
    code = "extraction_failed"


class Extractor:
    def __init__(self, memory_mb: int, page_timeout_s: int) -> None:
        self.memory_mb = memory_mb
        self.page_timeout_s = page_timeout_s
        self._process: subprocess.Popen | None = None
        self._jobs_done = 0

    def _start(self) -> subprocess.Popen:
        environment = dict(os.environ, OMP_THREAD_LIMIT="1")
        process = subprocess.Popen(
            [sys.executable, "-m", "ingest.extractor_child", str(self.memory_mb)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            # Unbuffered, so the select() on the pipe sees every frame the process has written
            # rather than one already sitting in a read-ahead buffer.
            bufsize=0,
            env=environment,
        )
        logger.info("extraction process started pid=%s memory_cap_mb=%s", process.pid, self.memory_mb)
        return process

    def _ensure_process(self) -> subprocess.Popen:
        if self._process is not None and (self._process.poll() is not None or self._jobs_done >= JOBS_PER_PROCESS):
            self.close()
        if self._process is None:
            self._process = self._start()
            self._jobs_done = 0
        return self._process

    def _read_event(self, process: subprocess.Popen, document_id: int):
        selector = selectors.DefaultSelector()
        selector.register(process.stdout, selectors.EVENT_READ)
        try:
            if not selector.select(self.page_timeout_s):
                self.close()
                raise ExtractionFailed(
                    N_(
                        "A page took longer than %(seconds)d seconds (DIWAN_PAGE_TIMEOUT_S); check the "
                        "file or raise the limit, then retry."
                    ),
                    seconds=self.page_timeout_s,
                )
        finally:
            selector.close()
        try:
            return read_frame(process.stdout)
        except EOFError:
            code = process.wait()
            self._process = None
            logger.warning("extraction process died document=%s exit=%s", document_id, code)
            raise ExtractionFailed(
                N_(
                    "Extraction stopped: the file needs more than the %(memory)d MiB memory cap "
                    "(DIWAN_WORKER_MEMORY_MB) or crashed the reader (exit code %(exit)s); split or "
                    "re-scan the file, or raise the cap, then retry."
                ),
                memory=self.memory_mb,
                exit=code,
            ) from None

    def extract(self, job: ExtractionJob) -> Iterator[Event]:
        """Yield page events of one document; raises ExtractionFailed or the job's own error."""
        process = self._ensure_process()
        try:
            write_frame(process.stdin, job)
        except BrokenPipeError:
            self.close()
            process = self._ensure_process()
            write_frame(process.stdin, job)

        while True:
            event = self._read_event(process, job.document_id)
            if isinstance(event, JobFinished):
                self._jobs_done += 1
                return
            if isinstance(event, JobFailed):
                self._jobs_done += 1
                raise _job_error(event)
            yield event

    def close(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.kill()
        process.wait()
        for stream in (process.stdin, process.stdout):
            if stream:
                stream.close()


def _job_error(event: JobFailed) -> DiwanError:
    if event.code == "memory_limit":
        return ExtractionFailed(
            N_(
                "Extraction ran out of memory under the DIWAN_WORKER_MEMORY_MB cap; split or re-scan "
                "the file, or raise the cap, then retry."
            )
        )
    if event.code == "extraction_error":
        return ExtractionFailed(
            N_("Extraction failed (%(error)s); check that the file opens in a viewer, then retry."),
            **event.params,
        )
    error = DiwanError(event.message, **event.params)
    error.code = event.code
    return error
