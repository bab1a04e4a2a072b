"""Checking stored objects against their recorded checksums."""

import hashlib

from archive_api.storage.base import ObjectStore

CHUNK = 1024 * 1024


def rehash_object(store: ObjectStore, key: str) -> str:
    """Stream an object and return the SHA-256 of its bytes; raises ObjectMissing."""
    digest = hashlib.sha256()
    with store.open(key) as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
