"""Run file checks in worker processes with an address-space cap and a wall-clock timeout.

``ingest.intake.inspect_file_isolated`` runs the intake checks this way.

A hostile file can make a parser loop or allocate without end. Each worker runs with
RLIMIT_AS and without core dumps, and the caller kills a worker that passes the timeout, so
the server survives both.

Workers are reused: starting one costs 150 ms or more, because Python 3.11's multiprocessing
re-runs the caller's main script in every new process. A worker that crashed, timed out, ran
out of memory or served MAX_TASKS_PER_WORKER calls is replaced, so heap growth from earlier
files does not eat into a later file's memory cap. Workers come from a forkserver, so they never inherit a
server's threads or sockets.
"""

import logging
import multiprocessing
import resource
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from archive_api.errors import N_
from archive_api.processes import ignore_interrupts
from ingest.rejections import InspectionFailed, RejectedFile

logger = logging.getLogger(__name__)

MEBIBYTE = 1024 * 1024
MAX_TASKS_PER_WORKER = 50
MAX_IDLE_WORKERS = 2
# Time allowed for a stopped worker to exit, in seconds.
REAP_TIMEOUT_S = 5

_context = multiprocessing.get_context("forkserver")
# The forkserver imports these once, so a new worker starts with the parsers loaded.
_context.set_forkserver_preload(["ingest.intake", "ingest.isolation"])


def run_isolated(
    function: Callable[..., Any],
    args: tuple,
    *,
    display_name: str,
    memory_mb: int,
    timeout_s: float,
) -> Any:
    """Call ``function(*args)`` in a worker process and return its result.

    The function, its arguments and its result must be picklable. A RejectedFile raised in
    the worker is raised again here. Any other failure becomes InspectionFailed naming
    ``display_name``.
    """
    pool = _pool_for(memory_mb)
    worker = pool.acquire()
    outcome = worker.call(function, args, timeout_s)

    if outcome[0] in ("ok", "rejected"):
        pool.release(worker)
    else:
        worker.stop()
    return _result_or_raise(outcome, display_name, memory_mb, timeout_s)


def _result_or_raise(outcome: tuple[str, Any], display_name: str, memory_mb: int, timeout_s: float) -> Any:
    status, value = outcome
    if status == "ok":
        return value
    if status == "rejected":
        raise value
    if status == "crashed":
        raise InspectionFailed(
            N_(
                "Checking %(name)s stopped unexpectedly because the file made the reader crash. "
                "Scan the document again or export it again from the program that made it."
            ),
            name=display_name,
        )
    if status == "timeout":
        raise InspectionFailed(
            N_(
                "Checking %(name)s took longer than %(timeout_s)s seconds and was stopped. "
                "Scan the document again or export it again. If it is a genuine large "
                "document, split it into smaller files."
            ),
            name=display_name,
            timeout_s=timeout_s,
        )
    if status == "memory":
        raise InspectionFailed(
            N_(
                "Checking %(name)s needed more than %(memory_mb)s MiB of memory "
                "(DIWAN_WORKER_MEMORY_MB) and was stopped. Scan the document again at a lower "
                "resolution or split it into smaller files."
            ),
            name=display_name,
            memory_mb=memory_mb,
        )

    logger.error("file check failed in the worker with %s", value)
    raise InspectionFailed(
        N_(
            "%(name)s could not be checked because of an internal error. Try again later. If it "
            "keeps failing, scan the document again or export it again."
        ),
        name=display_name,
    )


# --- workers ---------------------------------------------------------------------------------


class _Worker:
    def __init__(self, memory_mb: int) -> None:
        self.connection, child_end = _context.Pipe(duplex=True)
        self.process = _context.Process(
            target=_worker_main, args=(child_end, memory_mb), name="diwan-file-check", daemon=True
        )
        self.process.start()
        child_end.close()
        self.tasks_done = 0

    def call(self, function: Callable[..., Any], args: tuple, timeout_s: float) -> tuple[str, Any]:
        try:
            self.connection.send((function, args))
            if not self.connection.poll(timeout_s):
                logger.warning("file check in worker %s timed out after %s s", self.process.pid, timeout_s)
                return ("timeout", None)
            outcome = self.connection.recv()
        except (EOFError, OSError):
            # The worker closed its end of the pipe without sending a result, so it died.
            self.process.join(REAP_TIMEOUT_S)
            logger.warning("file check worker %s died with exit code %s", self.process.pid, self.process.exitcode)
            return ("crashed", None)

        self.tasks_done += 1
        return outcome

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(REAP_TIMEOUT_S)
        self.connection.close()


class _WorkerPool:
    def __init__(self, memory_mb: int) -> None:
        self._memory_mb = memory_mb
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()

    def acquire(self) -> _Worker:
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.process.is_alive():
                    return worker
                worker.stop()
        return _Worker(self._memory_mb)

    def release(self, worker: _Worker) -> None:
        with self._lock:
            keep = worker.tasks_done < MAX_TASKS_PER_WORKER and len(self._idle) < MAX_IDLE_WORKERS
            if keep:
                self._idle.append(worker)
                return
        worker.stop()


_pools: dict[int, _WorkerPool] = {}
_pools_lock = threading.Lock()


def _pool_for(memory_mb: int) -> _WorkerPool:
    with _pools_lock:
        if memory_mb not in _pools:
            _pools[memory_mb] = _WorkerPool(memory_mb)
        return _pools[memory_mb]


def _worker_main(connection: Connection, memory_mb: int) -> None:
    ignore_interrupts()
    cap = memory_mb * MEBIBYTE
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    while True:
        try:
            function, args = connection.recv()
        except EOFError:
            return
        connection.send(_call(function, args))


def _call(function: Callable[..., Any], args: tuple) -> tuple[str, Any]:
    try:
        return ("ok", function(*args))
    except RejectedFile as error:
        return ("rejected", error)
    except MemoryError:
        return ("memory", None)
    except Exception as error:  # noqa: BLE001 - any other failure is reported to the caller
        # qpdf reports a failed allocation as a C++ std::bad_alloc.
        if "bad_alloc" in str(error):
            return ("memory", None)
        return ("error", type(error).__name__)
