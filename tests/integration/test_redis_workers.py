"""Several `diwan worker` processes on a Redis broker, on each search backend, in both test configurations.

Every test here runs twice: once with the Tantivy index in the data dir, which the workers share
through its write lock (one writer at a time), and once with an alias on the run's OpenSearch
node, which takes writes from every worker at once. Redis and OpenSearch start on first use, so
the embedded configuration runs these tests too, with SQLite and the local store.
"""

import re
import time
from collections import Counter

import pytest
import redis
from sqlalchemy import select

from archive_api.context import reset_archive
from archive_api.documents.models import FINAL_STATES, Document
from archive_api.settings import reset_settings
from ingest.queue import enqueue, live_workers
from tests.factories.documents import make_multipage_tiff, make_text_pdf, render_arabic_page
from tests.integration.conftest import STRIP_MM
from tests.integration.test_worker import POLL_S, WAIT_S, Worker

INDEXED_LINE = re.compile(r"document indexed document=(\d+)")
# Fast recovery for the kill test; the defaults are minutes.
RECOVERY = {"lease_s": "3", "sweeper_interval_s": "1", "stale_after_s": "2"}
# Kombu's Redis transport keeps each delivered, not yet acknowledged message in this hash.
UNACKED_KEY = "unacked"
SEARCH_BACKENDS = ("tantivy", "opensearch")


@pytest.fixture
def redis_broker(data_dir, live_servers, monkeypatch, request):
    """Point this test at its own Redis database, unless the scale configuration already did."""
    from archive_api.settings import get_settings

    if get_settings().broker_url.startswith("redis://"):
        yield get_settings().broker_url
        return

    server = live_servers.get("redis")
    settings = server.settings_for(request.node.nodeid)
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    reset_settings()
    reset_archive()
    yield settings["DIWAN_BROKER_URL"]
    server.release(request.node.nodeid)


@pytest.fixture(params=SEARCH_BACKENDS)
def search_backend(request, data_dir, live_servers, monkeypatch):
    """Point this test's processes at a Tantivy index in the data dir or at an OpenSearch alias."""
    owner = f"{request.node.nodeid}-search"
    if request.param == "tantivy":
        monkeypatch.setenv("DIWAN_SEARCH_URL", f"tantivy://{data_dir / 'index'}")
        server = None
    else:
        server = live_servers.get("opensearch")
        monkeypatch.setenv("DIWAN_SEARCH_URL", server.settings_for(owner)["DIWAN_SEARCH_URL"])
    reset_settings()
    reset_archive()
    yield request.param
    if server is not None:
        server.release(owner)


@pytest.fixture
def backends(redis_broker, search_backend) -> str:
    """Redis and the search backend, set before `archive` opens the archive; returns the broker URL."""
    return redis_broker


@pytest.fixture
def workers(data_dir, tmp_path):
    started: list[Worker] = []

    def start(count: int, **settings: str) -> list[Worker]:
        for _ in range(count):
            log = tmp_path / f"worker-{len(started) + 1}.log"
            started.append(Worker(data_dir, log, **settings))
        return started[-count:]

    yield start
    for worker in started:
        worker.kill()


def _wait_for_heartbeats(archive, count: int) -> None:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        with archive.db.session(write=False) as session:
            if len(live_workers(session)) >= count:
                return
        time.sleep(POLL_S)
    raise AssertionError(f"fewer than {count} workers wrote a heartbeat within {WAIT_S} s")


def _wait_until_final(archive, ids: list[int]) -> dict[int, Document]:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        with archive.db.session(write=False) as session:
            documents = session.scalars(select(Document).where(Document.id.in_(ids))).all()
        if all(document.status in FINAL_STATES for document in documents):
            return {document.id: document for document in documents}
        time.sleep(POLL_S)
    raise AssertionError(f"documents {ids} did not all finish within {WAIT_S} s")


def _indexed_counts(tmp_path) -> Counter:
    """Count how often each document id was indexed, over every worker's log."""
    counts: Counter = Counter()
    for log in sorted(tmp_path.glob("worker-*.log")):
        counts.update(int(match) for match in INDEXED_LINE.findall(log.read_text(errors="replace")))
    return counts


def _workers_that_indexed(tmp_path) -> int:
    return sum(1 for log in tmp_path.glob("worker-*.log") if INDEXED_LINE.search(log.read_text(errors="replace")))


def _queue(run_cli, path) -> int:
    result = run_cli("ingest", str(path), "--department", "HR")
    assert result.exit_code == 0, result.output
    return int(result.stdout.split("\t")[0])


def _unacked_messages(broker_url: str) -> int:
    client = redis.Redis.from_url(broker_url)
    try:
        return client.hlen(UNACKED_KEY)
    finally:
        client.close()


def test_three_workers_index_each_once(backends, staff, archive, run_cli, workers, search_json, tmp_path):
    workers(3)
    _wait_for_heartbeats(archive, 3)

    ids = []
    for number in range(1, 10):
        path = tmp_path / "in" / f"decision-{number}.pdf"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(make_text_pdf([f"قرار إداري رقم {number} بشأن ترفيع الموظف"]))
        ids.append(_queue(run_cli, path))
    # A second message for the same document, as Redis sends when the visibility timeout of an
    # unacknowledged message runs out while its worker is still busy.
    enqueue(ids[:3])
    documents = _wait_until_final(archive, ids)

    for document_id in ids:
        assert documents[document_id].status == "indexed", documents[document_id].error_message
        assert documents[document_id].attempts == 1
    counts = _indexed_counts(tmp_path)
    assert {document_id: counts[document_id] for document_id in ids} == dict.fromkeys(ids, 1)
    assert _workers_that_indexed(tmp_path) >= 2

    found = search_json("ترفيع", "hr.reader", "--per-page", "50")
    assert found["total"] == len(ids)
    assert sorted(hit["id"] for hit in found["hits"]) == sorted(ids)


def test_killed_worker_finishes_on_redis(backends, staff, archive, run_cli, workers, search_json, tmp_path):
    pages = [render_arabic_page([f"الصفحة رقم {n} من ملف النقل"], font_size=16, paper_mm=STRIP_MM) for n in range(1, 7)]
    path = tmp_path / "transfer.tif"
    path.write_bytes(make_multipage_tiff(pages))
    [first] = workers(1, **RECOVERY)
    _wait_for_heartbeats(archive, 1)
    document_id = _queue(run_cli, path)

    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        with archive.db.session(write=False) as session:
            document = session.get(Document, document_id)
        if document.progress_page >= 2 and document.status == "ocr":
            break
        time.sleep(POLL_S)
    first.kill()
    with archive.db.session(write=False) as session:
        assert session.get(Document, document_id).status not in FINAL_STATES
    # With late acknowledgement the killed worker's message is still in Redis, and would go to
    # another worker when the visibility timeout runs out; the sweeper re-queues it sooner.
    assert _unacked_messages(backends) == 1

    workers(1, **RECOVERY)
    document = _wait_until_final(archive, [document_id])[document_id]

    assert document.status == "indexed", document.error_message
    assert document.attempts == 2
    found = search_json("النقل", "hr.reader")
    assert [hit["id"] for hit in found["hits"]] == [document_id]
