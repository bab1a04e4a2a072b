import hashlib

import pytest

from archive_api.storage import original_key
from archive_api.storage.base import ChecksumMismatch, ObjectMissing
from archive_api.storage.local import LocalObjectStore


@pytest.fixture
def store(tmp_path):
    return LocalObjectStore(tmp_path / "objects")


def _file(tmp_path, data: bytes):
    path = tmp_path / "upload.bin"
    path.write_bytes(data)
    return path, hashlib.sha256(data).hexdigest()


def test_same_bytes_stored_once(store, tmp_path):
    path, sha256 = _file(tmp_path, b"scan bytes")
    store.put_file(original_key(sha256), str(path), sha256)
    store.put_file(original_key(sha256), str(path), sha256)
    assert list(store.keys("originals")) == [original_key(sha256)]
    assert store.get_bytes(original_key(sha256)) == b"scan bytes"


def test_wrong_checksum_rejected(store, tmp_path):
    path, _sha256 = _file(tmp_path, b"scan bytes")
    wrong = "0" * 64
    with pytest.raises(ChecksumMismatch):
        store.put_file(original_key(wrong), str(path), wrong)
    assert not store.exists(original_key(wrong))
    assert list(store.keys("")) == []


def test_missing_object_named(store):
    with pytest.raises(ObjectMissing) as raised:
        store.open("originals/aa/bb/missing")
    assert "originals/aa/bb/missing" in str(raised.value)
    assert "diwan verify" in str(raised.value)


def test_key_outside_store_rejected(store):
    with pytest.raises(ValueError):
        store.put_bytes("../escape.txt", b"x")


def test_put_bytes_replaces(store):
    store.put_bytes("renditions/1/thumb-1.webp", b"old")
    store.put_bytes("renditions/1/thumb-1.webp", b"new")
    assert store.get_bytes("renditions/1/thumb-1.webp") == b"new"
