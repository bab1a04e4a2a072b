"""TantivySearch: the backend contract, and the directory layout it manages."""

import fcntl
import multiprocessing
import os
import threading
from pathlib import Path

import pytest
import tantivy

from search.tantivy_backend import (
    CURRENT_LINK,
    WRITE_LOCK,
    SearchIndexOutdated,
    TantivySearch,
)
from tests.search.contract import (
    SearchBackendContract,
    document,
    found_ids,
    index_in_child,
    run_children,
)


@pytest.fixture
def search_url(tmp_path):
    return f"tantivy://{tmp_path / 'index'}"


class TestTantivyContract(SearchBackendContract):
    pass


@pytest.fixture
def index_path(tmp_path) -> Path:
    return tmp_path / "index"


@pytest.fixture
def backend(index_path):
    backend = TantivySearch(index_path)
    yield backend
    backend.close()


def generations(path: Path) -> list[str]:
    return sorted(entry.name for entry in path.iterdir() if entry.is_dir() and not entry.is_symlink())


def test_layout_current_link(backend, index_path):
    target = os.readlink(index_path / CURRENT_LINK)
    assert target.startswith("v1-")
    assert generations(index_path) == [target]


def test_rebuild_switches_link(backend, index_path):
    before = os.readlink(index_path / CURRENT_LINK)
    backend.rebuild([document(1, "ملف")])
    after = os.readlink(index_path / CURRENT_LINK)
    assert after != before
    assert generations(index_path) == sorted([before, after])


def test_rebuild_removes_older_generations(backend, index_path):
    first = os.readlink(index_path / CURRENT_LINK)
    backend.rebuild([document(1, "ملف")])
    second = os.readlink(index_path / CURRENT_LINK)
    backend.rebuild([document(2, "ملف")])
    third = os.readlink(index_path / CURRENT_LINK)
    assert first not in generations(index_path)
    assert generations(index_path) == sorted([second, third])


def test_failed_rebuild_removes_directory(backend, index_path):
    before = generations(index_path)

    def documents():
        yield document(1, "ملف")
        raise RuntimeError("source failed")

    with pytest.raises(RuntimeError):
        backend.rebuild(documents())
    assert generations(index_path) == before


def test_outdated_layout_rejected(index_path):
    index_path.mkdir()
    (index_path / "v0-old").mkdir()
    (index_path / CURRENT_LINK).symlink_to("v0-old")
    backend = TantivySearch(index_path)
    with pytest.raises(SearchIndexOutdated) as raised:
        backend.count()
    assert "v0" in str(raised.value)


def test_outdated_layout_rejects_writes(index_path):
    index_path.mkdir()
    (index_path / "v0-old").mkdir()
    (index_path / CURRENT_LINK).symlink_to("v0-old")
    backend = TantivySearch(index_path)
    with pytest.raises(SearchIndexOutdated):
        backend.index([document(1, "ملف")])


def test_rebuild_repairs_outdated_layout(index_path):
    index_path.mkdir()
    (index_path / "v0-old").mkdir()
    (index_path / CURRENT_LINK).symlink_to("v0-old")
    backend = TantivySearch(index_path)
    backend.rebuild([document(1, "ملف")])
    assert found_ids(backend, "ملف") == [1]


def test_writer_released_after_index(backend, index_path):
    backend.index([document(1, "ملف")])
    index = tantivy.Index.open(str(index_path / os.readlink(index_path / CURRENT_LINK)))
    writer = index.writer(64_000_000, 1)
    writer.wait_merging_threads()


def test_index_waits_for_write_lock(backend, index_path):
    descriptor = os.open(index_path / WRITE_LOCK, os.O_RDWR)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    worker = threading.Thread(target=backend.index, args=([document(1, "ملف")],))
    try:
        worker.start()
        worker.join(0.5)
        assert worker.is_alive()
        assert found_ids(backend, "ملف") == []
    finally:
        fcntl.flock(descriptor, fcntl.LOCK_UN)
        os.close(descriptor)
    worker.join(60)
    assert found_ids(backend, "ملف") == [1]


def test_segments_merged_after_small_commits(backend):
    for index in range(1, 41):
        backend.index([document(index, "ملف")])
    assert backend.count() == 40
    assert backend._searcher().num_segments < 20


def index_one_by_one(backend, documents) -> None:
    for item in documents:
        backend.index([item])


def test_threads_share_backend(backend, index_path):
    other = TantivySearch(index_path)
    batches = [[document(thread * 100 + index, "ملف") for index in range(5)] for thread in range(4)]
    targets = (backend, other, backend, other)
    workers = [
        threading.Thread(target=index_one_by_one, args=(target, batch))
        for target, batch in zip(targets, batches, strict=True)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    other.close()
    assert backend.count() == 20


def test_processes_create_index_together(index_path):
    url = f"tantivy://{index_path}"
    start = multiprocessing.get_context("spawn").Event()
    targets = [
        (index_in_child, (url, [document(1, "ملف")], start)),
        (index_in_child, (url, [document(2, "ملف")], start)),
    ]
    assert run_children(targets, start) == [0, 0]
    backend = TantivySearch(index_path)
    assert sorted(found_ids(backend, "ملف")) == [1, 2]
    assert len(generations(index_path)) == 1
    backend.close()


def test_closed_backend_raises(backend):
    backend.close()
    with pytest.raises(RuntimeError):
        backend.count()


def test_id_out_of_range_rejected(backend):
    with pytest.raises(ValueError):
        backend.index([document(1 << 41, "ملف")])
