"""Behaviour that every ObjectStore must show, whatever keeps the bytes.

A store's test class subclasses ObjectStoreContract and defines a `kit` fixture: a StoreKit whose
URL archive_api.storage.open_object_store opens on a new, empty store. Tests that stop the server
or need presigned URLs skip or check for None when the kit has no server (the local store).
"""

import hashlib
import os
import threading
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest

from archive_api.accounts import service as accounts
from archive_api.context import get_archive, reset_archive
from archive_api.settings import reset_settings
from archive_api.storage import open_object_store, original_key, rendition_key
from archive_api.storage.base import ChecksumMismatch, ObjectMissing
from archive_api.storage.s3 import PART_SIZE, RetryPolicy, S3ObjectStore, parse_s3_url

MEBIBYTE = 1024 * 1024
LARGE_FILE_BYTES = 30 * MEBIBYTE
ARABIC_FILENAME = "قرار تعيين ٢٠٢٤.pdf"
SCAN = Path(__file__).parents[1] / "data" / "corpus" / "pillow_arabic_unjoined_forms.png"
RESTART_DELAY_S = 1.0
# Waits of at most one second, so a test ends soon after the server serves again, rather than up
# to 8 s later with the default policy.
RESTART_RETRY = RetryPolicy(attempts=90, first_delay_s=0.25, max_delay_s=1.0, deadline_s=60.0)


@dataclass
class StoreKit:
    """A way to open a new, empty store, and to reach behind it as a fault or an attacker would."""

    url: str
    # Replaces the bytes under a key without any check, as a disk fault or a tampering admin would.
    write_raw: Callable[[str, bytes], None]
    # The S3 server behind the store (tests.servers.s3.S3Server), None for the local store.
    server: object | None = None


@dataclass(frozen=True)
class SampleFile:
    path: Path
    sha256: str
    size: int


def sample_file(path: Path, data: bytes) -> SampleFile:
    path.write_bytes(data)
    return SampleFile(path, hashlib.sha256(data).hexdigest(), len(data))


def streamed_sha256(store, key: str) -> str:
    digest = hashlib.sha256()
    with store.open(key) as handle:
        while chunk := handle.read(MEBIBYTE):
            digest.update(chunk)
    return digest.hexdigest()


def filename_from_disposition(header: str) -> str:
    """Return the RFC 5987 filename* of a Content-Disposition header, decoded."""
    marker = "filename*=UTF-8''"
    assert marker in header
    return unquote(header.split(marker, 1)[1].split(";", 1)[0])


def patient_store(kit: StoreKit) -> S3ObjectStore:
    return S3ObjectStore(parse_s3_url(kit.url), RESTART_RETRY)


def restart_later(server) -> threading.Thread:
    """Start the stopped server again after RESTART_DELAY_S, in a thread that keeps its error."""

    def run() -> None:
        try:
            threading.Event().wait(RESTART_DELAY_S)
            server.start_process()
        except BaseException as error:  # noqa: BLE001 - handed to the test thread
            thread.error = error

    thread = threading.Thread(target=run, name="restart-s3-server")
    thread.error = None
    thread.start()
    return thread


def join_restart(thread: threading.Thread) -> None:
    thread.join()
    if thread.error is not None:
        raise thread.error


class ObjectStoreContract:
    @pytest.fixture(scope="class")
    @classmethod
    def large_file(cls, tmp_path_factory) -> SampleFile:
        """A 30 MiB file of random bytes: four multipart parts on S3."""
        return sample_file(tmp_path_factory.mktemp("large") / "scan.tiff", os.urandom(LARGE_FILE_BYTES))

    @pytest.fixture
    def store(self, kit):
        return open_object_store(kit.url)

    @pytest.fixture
    def scan(self, tmp_path) -> SampleFile:
        return sample_file(tmp_path / "scan.bin", b"scanned page bytes " * 100)

    def test_put_file_round_trip(self, store, scan):
        stored = store.put_file(original_key(scan.sha256), str(scan.path), scan.sha256)

        assert stored.key == original_key(scan.sha256)
        assert stored.size == scan.size
        assert stored.sha256 == scan.sha256
        assert store.get_bytes(original_key(scan.sha256)) == scan.path.read_bytes()
        assert streamed_sha256(store, original_key(scan.sha256)) == scan.sha256

    def test_same_bytes_stored_once(self, store, scan):
        key = original_key(scan.sha256)
        store.put_file(key, str(scan.path), scan.sha256)
        again = store.put_file(key, str(scan.path), scan.sha256)

        assert again.size == scan.size
        assert list(store.keys("originals")) == [key]

    def test_exists_and_delete(self, store):
        key = rendition_key(7, "thumb-1.webp")
        assert not store.exists(key)

        store.put_bytes(key, b"thumbnail")
        assert store.exists(key)

        store.delete(key)
        assert not store.exists(key)
        assert list(store.keys("")) == []

    def test_delete_missing_is_quiet(self, store):
        store.delete(rendition_key(7, "never-stored.webp"))
        assert not store.exists(rendition_key(7, "never-stored.webp"))

    def test_empty_object(self, store, tmp_path):
        empty = sample_file(tmp_path / "empty.bin", b"")

        store.put_file(original_key(empty.sha256), str(empty.path), empty.sha256)
        store.put_bytes("renditions/1/empty.webp", b"")

        assert store.get_bytes(original_key(empty.sha256)) == b""
        assert store.get_bytes("renditions/1/empty.webp") == b""

    def test_keys_by_folder(self, store):
        for key in ("renditions/1/page-1.webp", "renditions/1/thumb-1.webp", "renditions/10/page-1.webp"):
            store.put_bytes(key, b"image")
        store.put_bytes("renditions/1x", b"not in the folder")

        assert sorted(store.keys("renditions/1")) == ["renditions/1/page-1.webp", "renditions/1/thumb-1.webp"]
        assert sorted(store.keys(rendition_key(1, ""))) == ["renditions/1/page-1.webp", "renditions/1/thumb-1.webp"]
        assert sorted(store.keys("renditions/10")) == ["renditions/10/page-1.webp"]
        assert len(list(store.keys(""))) == 4
        assert list(store.keys("renditions/2")) == []

    def test_keys_of_one_key(self, store):
        store.put_bytes("renditions/3/page-1.webp", b"image")
        assert list(store.keys("renditions/3/page-1.webp")) == ["renditions/3/page-1.webp"]

    def test_checksum_mismatch_leaves_nothing(self, store, scan):
        wrong = hashlib.sha256(b"other bytes").hexdigest()

        with pytest.raises(ChecksumMismatch) as raised:
            store.put_file(original_key(wrong), str(scan.path), wrong)

        assert wrong in str(raised.value)
        assert scan.sha256 in str(raised.value)
        assert not store.exists(original_key(wrong))
        assert list(store.keys("")) == []

    @pytest.mark.slow
    def test_large_mismatch_leaves_nothing(self, store, large_file):
        wrong = hashlib.sha256(b"other bytes").hexdigest()

        with pytest.raises(ChecksumMismatch):
            store.put_file(original_key(wrong), str(large_file.path), wrong)

        assert not store.exists(original_key(wrong))
        assert list(store.keys("")) == []

    def test_missing_object_named(self, store):
        with pytest.raises(ObjectMissing) as raised:
            store.open("originals/aa/bb/missing")

        assert "originals/aa/bb/missing" in str(raised.value)
        assert "diwan verify" in str(raised.value)

    @pytest.mark.parametrize("key", ["../escape.txt", "renditions/../../escape.txt"])
    def test_key_outside_store_rejected(self, store, key):
        with pytest.raises(ValueError):
            store.put_bytes(key, b"x")

    def test_put_bytes_replaces(self, store):
        store.put_bytes("renditions/1/thumb-1.webp", b"old")
        store.put_bytes("renditions/1/thumb-1.webp", b"new")

        assert store.get_bytes("renditions/1/thumb-1.webp") == b"new"

    def test_arabic_keys(self, store):
        key = "renditions/أرشيف/صفحة ١.webp"
        store.put_bytes(key, "صورة الصفحة".encode())

        assert store.exists(key)
        assert list(store.keys("renditions/أرشيف")) == [key]
        assert store.get_bytes(key).decode() == "صورة الصفحة"

    @pytest.mark.slow
    def test_large_file_streamed(self, store, large_file):
        key = original_key(large_file.sha256)

        tracemalloc.start()
        try:
            stored = store.put_file(key, str(large_file.path), large_file.sha256)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()

        assert stored.size == LARGE_FILE_BYTES
        # The S3 client keeps one 8 MiB part and a copy of it, while the whole file is 30 MiB.
        assert peak < 2 * PART_SIZE + 2 * MEBIBYTE
        assert streamed_sha256(store, key) == large_file.sha256

    def test_presigned_download(self, kit, store, scan):
        key = original_key(scan.sha256)
        store.put_file(key, str(scan.path), scan.sha256)

        url = store.presigned_url(key, ARABIC_FILENAME)

        if kit.server is None:
            assert url is None
            return
        assert url.startswith("http://127.0.0.1:")
        response = httpx.get(url, timeout=10)
        assert response.status_code == 200
        assert response.content == scan.path.read_bytes()
        assert response.headers["content-disposition"].startswith("attachment;")
        assert filename_from_disposition(response.headers["content-disposition"]) == ARABIC_FILENAME

    def test_presigned_missing_object(self, kit, store):
        if kit.server is None:
            assert store.presigned_url("originals/aa/bb/missing", "a.pdf") is None
            return
        with pytest.raises(ObjectMissing):
            store.presigned_url("originals/aa/bb/missing", "a.pdf")

    def test_restart_retried(self, kit, caplog):
        if kit.server is None:
            pytest.skip("the local store has no server to restart")
        store = patient_store(kit)
        store.put_bytes("renditions/1/page-1.webp", b"first page")

        kit.server.stop_process()
        restart = restart_later(kit.server)
        try:
            first = store.get_bytes("renditions/1/page-1.webp")
            store.put_bytes("renditions/1/page-2.webp", b"second page")
        finally:
            join_restart(restart)

        assert first == b"first page"
        assert store.get_bytes("renditions/1/page-2.webp") == b"second page"
        assert any("retrying" in record.getMessage() for record in caplog.records)

    @pytest.mark.slow
    def test_read_resumes_after_restart(self, kit, large_file, caplog):
        if kit.server is None:
            pytest.skip("the local store has no server to restart")
        store = patient_store(kit)
        key = original_key(large_file.sha256)
        store.put_file(key, str(large_file.path), large_file.sha256)

        digest = hashlib.sha256()
        with store.open(key) as handle:
            digest.update(handle.read(MEBIBYTE))
            kit.server.stop_process()
            restart = restart_later(kit.server)
            try:
                while chunk := handle.read(MEBIBYTE):
                    digest.update(chunk)
            finally:
                join_restart(restart)

        assert digest.hexdigest() == large_file.sha256
        assert any("download failed, retrying" in record.getMessage() for record in caplog.records)

    def test_verify_detects_tampering(self, kit, data_dir, monkeypatch, run_cli, tmp_path):
        monkeypatch.setenv("DIWAN_OBJECT_STORE", kit.url)
        reset_settings()
        reset_archive()
        with get_archive().db.session() as session:
            accounts.add_department(session, "HR", "الموارد البشرية", "Human resources")
        scan = sample_file(tmp_path / "قرار.png", SCAN.read_bytes())

        ingested = run_cli("ingest", str(scan.path), "--department", "HR")
        assert ingested.exit_code == 0, ingested.output
        clean = run_cli("verify")
        assert clean.exit_code == 0, clean.output

        kit.write_raw(original_key(scan.sha256), b"changed behind the archive's back")
        tampered = run_cli("verify")

        assert tampered.exit_code == 1
        assert f"mismatch\t{scan.sha256}" in tampered.output
        assert "objects checked: 1, problems: 1" in tampered.output
