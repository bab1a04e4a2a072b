"""Content-addressed object store in a local directory (the embedded default)."""

import hashlib
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from archive_api.errors import N_
from archive_api.storage.base import MISSING_MESSAGE, ChecksumMismatch, ObjectMissing, StoredObject

logger = logging.getLogger(__name__)

CHUNK = 1024 * 1024


def sha256_of_file(path: str | Path) -> tuple[str, int]:
    """Return the SHA-256 hex digest and size of a file, read in chunks."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


class LocalObjectStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError(f"object key {key!r} points outside the store")
        return path

    def put_file(self, key: str, path: str, sha256: str) -> StoredObject:
        target = self._path(key)
        if target.exists():
            return StoredObject(key, target.stat().st_size, sha256)

        # Copy to a temporary name, check the hash of what landed, then rename: a crash midway
        # leaves no half-written object under the final key.
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as temporary:
            with open(path, "rb") as source:
                shutil.copyfileobj(source, temporary, CHUNK)
            temporary.flush()
            os.fsync(temporary.fileno())
        actual, size = sha256_of_file(temporary.name)
        if actual != sha256:
            os.unlink(temporary.name)
            raise ChecksumMismatch(
                N_(
                    "The file changed while it was stored (expected SHA-256 %(expected)s, got "
                    "%(actual)s); upload it again."
                ),
                expected=sha256,
                actual=actual,
            )
        os.replace(temporary.name, target)
        return StoredObject(key, size, sha256)

    def put_bytes(self, key: str, data: bytes) -> StoredObject:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as temporary:
            temporary.write(data)
        os.replace(temporary.name, target)
        return StoredObject(key, len(data), hashlib.sha256(data).hexdigest())

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def open(self, key: str) -> BinaryIO:
        try:
            return open(self._path(key), "rb")
        except FileNotFoundError:
            raise ObjectMissing(MISSING_MESSAGE, key=key) from None

    def get_bytes(self, key: str) -> bytes:
        with self.open(key) as handle:
            return handle.read()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def keys(self, prefix: str) -> Iterator[str]:
        base = self._path(prefix) if prefix else self.root
        if base.is_file():
            yield prefix
            return
        for path in sorted(base.rglob("*")):
            if path.is_file() and not path.name.startswith("tmp"):
                yield path.relative_to(self.root).as_posix()

    def presigned_url(self, key: str, filename: str, expires_s: int = 300) -> str | None:
        return None

    def local_path(self, key: str) -> Path:
        """Path of an object on disk, for tools that need a file name (PDF and image readers)."""
        path = self._path(key)
        if not path.is_file():
            raise ObjectMissing(MISSING_MESSAGE, key=key)
        return path
