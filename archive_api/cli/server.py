"""`diwan serve`, `diwan worker` and `diwan demo`."""

import logging
import os
import signal
import subprocess
import sys

import click

from archive_api.cli.common import reports_errors
from archive_api.context import get_archive
from archive_api.logs import configure_logging
from archive_api.processes import die_with_parent

logger = logging.getLogger(__name__)


def _default_concurrency() -> int:
    return get_archive().settings.extraction_jobs or os.cpu_count() or 1


def start_worker_process(concurrency: int) -> subprocess.Popen:
    """Start `diwan worker` as a child in its own process group, ended by Linux if this process dies.

    uvicorn re-raises SIGTERM after its shutdown, which ends this process before any `finally`
    could stop the worker, so the worker asks for SIGTERM on its parent's death instead.
    """
    command = [sys.executable, "-m", "archive_api", "worker", "--concurrency", str(concurrency)]
    return subprocess.Popen(command, start_new_session=True, preexec_fn=die_with_parent)


def stop_process_group(process: subprocess.Popen, timeout_s: float = 20) -> None:
    """Ask the worker's main process to finish its tasks, then kill the whole group if it lingers."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout_s)
    except subprocess.TimeoutExpired:
        logger.warning("worker did not stop within %ss; killing its process group pid=%s", timeout_s, process.pid)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="TCP port.")
@click.option("--no-worker", is_flag=True, help="Do not start a worker beside the server.")
@click.option(
    "--concurrency", type=int, default=0, help="Extraction processes of the built-in worker; 0 means one per core."
)
@reports_errors
def serve(host: str, port: int, no_worker: bool, concurrency: int) -> None:
    """Run the web UI and REST API (and, on the embedded broker, a worker)."""
    import uvicorn

    from archive_api.app import create_app

    configure_logging(os.environ.get("DIWAN_LOG_LEVEL", "INFO"))
    archive = get_archive()
    # Built before anything starts, so a broken install fails here and not after the greeting.
    app = create_app()
    worker = None
    if archive.settings.embedded_broker and not no_worker:
        worker = start_worker_process(concurrency or _default_concurrency())
    click.echo(f"Diwan is listening on http://{host}:{port}/", err=True)
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning")
    finally:
        if worker is not None:
            stop_process_group(worker)


@click.command()
@click.option("--concurrency", type=int, default=0, help="Extraction processes; 0 means one per core.")
@click.option("--loglevel", default="INFO", show_default=True)
def worker(concurrency: int, loglevel: str) -> None:
    """Run a Celery worker that extracts and indexes queued records."""
    from ingest.worker import run_worker

    configure_logging(loglevel)
    run_worker(concurrency or _default_concurrency(), loglevel)


@click.command()
@click.option(
    "--samples",
    type=click.Path(exists=True, file_okay=False),
    default=None,
    help="Folder of sample documents; defaults to the bundled samples.",
)
@reports_errors
def demo(samples: str | None) -> None:
    """Create demo departments and users and ingest the sample documents (safe to run twice)."""
    from archive_api.demo import seed_demo

    for line in seed_demo(get_archive(), samples):
        click.echo(line)
