"""Separate `diwan worker` processes: crash recovery, the memory cap, and a worker that keeps going."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from archive_api.documents.models import Document, Page
from tests.factories.documents import image_bytes, make_multipage_tiff, render_arabic_page
from tests.integration.conftest import STRIP_MM, write_scan

# Bounds for polling the database while a worker runs; generous because OCR speed varies.
WAIT_S = 180
POLL_S = 0.3


class Worker:
    """A `diwan worker` process in its own process group, so it can be killed whole."""

    def __init__(self, data_dir: Path, log: Path, **settings: str) -> None:
        environment = dict(os.environ, DIWAN_DATA_DIR=str(data_dir), OMP_THREAD_LIMIT="1")
        environment.update({f"DIWAN_{name.upper()}": value for name, value in settings.items()})
        self.process = subprocess.Popen(
            [sys.executable, "-m", "archive_api", "worker", "--concurrency", "1"],
            env=environment,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(30)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def start_worker(data_dir, tmp_path):
    workers: list[Worker] = []

    def start(**settings: str) -> Worker:
        worker = Worker(data_dir, tmp_path / "worker.log", **settings)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.kill()


def _wait_for(archive, document_id: int, condition) -> Document:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        with archive.db.session(write=False) as session:
            document = session.get(Document, document_id)
            if condition(document):
                return document
        time.sleep(POLL_S)
    raise AssertionError(f"document {document_id} stayed {document.status} page {document.progress_page}")


def _queue(run_cli, path: Path) -> int:
    result = run_cli("ingest", str(path), "--department", "HR")
    assert result.exit_code == 0, result.output
    return int(result.stdout.split("\t")[0])


def _page_rows(archive, document_id: int) -> dict[int, int]:
    with archive.db.session(write=False) as session:
        rows = session.execute(select(Page.number, Page.id).where(Page.document_id == document_id))
        return dict(rows.all())


def test_killed_worker_resumes(run_cli, staff, archive, start_worker, tmp_path):
    pages = [
        render_arabic_page([f"الصفحة رقم {n} من ملف الموظف"], font_size=16, paper_mm=STRIP_MM) for n in range(1, 9)
    ]
    path = tmp_path / "file.tif"
    path.write_bytes(make_multipage_tiff(pages))
    document_id = _queue(run_cli, path)

    settings = {"lease_s": "3", "sweeper_interval_s": "1", "stale_after_s": "2"}
    first = start_worker(**settings)
    _wait_for(archive, document_id, lambda d: d.status == "ocr" and d.progress_page >= 3)
    first.kill()

    stored_before_kill = _page_rows(archive, document_id)
    with archive.db.session(write=False) as session:
        assert session.get(Document, document_id).status not in ("indexed", "failed")

    start_worker(**settings)
    document = _wait_for(archive, document_id, lambda d: d.status in ("indexed", "failed"))
    assert document.status == "indexed", document.error_message

    stored_after = _page_rows(archive, document_id)
    assert sorted(stored_after) == list(range(1, 9))
    # Pages finished before the crash were kept, not extracted again.
    for number, page_id in stored_before_kill.items():
        assert stored_after[number] == page_id
    result = run_cli("search", "الصفحة", "--as", "hr.reader", "--json")
    assert '"total": 1' in result.stdout


def test_memory_cap_fails_one_document_only(run_cli, staff, archive, start_worker, tmp_path):
    big = render_arabic_page(["ملف كبير"], dpi=1200, paper_mm=(297, 420))
    big_path = tmp_path / "big.png"
    big_path.write_bytes(image_bytes(big, "PNG", dpi=(1200, 1200), compress_level=1))
    small_path = write_scan(tmp_path, "small.png", ["قرار ترفيع الموظف إلى الدرجة الثانية"])
    big_id = _queue(run_cli, big_path)
    small_id = _queue(run_cli, small_path)

    worker = start_worker(worker_memory_mb="300")
    failed = _wait_for(archive, big_id, lambda d: d.status in ("indexed", "failed"))
    done = _wait_for(archive, small_id, lambda d: d.status in ("indexed", "failed"))

    assert failed.status == "failed"
    assert "DIWAN_WORKER_MEMORY_MB" in failed.error_message
    assert done.status == "indexed"
    assert worker.process.poll() is None


def test_worker_heartbeat_lets_cli_wait(run_cli, staff, archive, start_worker, tmp_path):
    worker = start_worker()
    deadline = time.monotonic() + WAIT_S
    from ingest.queue import live_workers

    while time.monotonic() < deadline:
        with archive.db.session(write=False) as session:
            if live_workers(session):
                break
        time.sleep(POLL_S)
    path = write_scan(tmp_path, "a.png", ["طلب إجازة بدون راتب لمدة سنة"])
    result = run_cli("ingest", str(path), "--department", "HR", "--wait")
    assert result.exit_code == 0, result.output
    assert "\tindexed\t" in result.stdout
    worker.stop()
    assert worker.process.returncode is not None
