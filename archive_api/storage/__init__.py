"""Object storage behind one interface: a local directory by default, S3 at scale."""

from pathlib import Path
from urllib.parse import urlparse

from archive_api.storage.base import ObjectStore, original_key, rendition_key
from archive_api.storage.local import LocalObjectStore

__all__ = ["ObjectStore", "open_object_store", "original_key", "rendition_key"]


def open_object_store(url: str) -> ObjectStore:
    """Open the store named by a file:// or s3:// URL."""
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return LocalObjectStore(Path(parsed.path))
    if parsed.scheme == "s3":
        from archive_api.storage.s3 import S3ObjectStore

        return S3ObjectStore.from_url(url)
    raise ValueError(f"DIWAN_OBJECT_STORE={url!r} is not supported; use file:///absolute/path or s3://bucket?...")
