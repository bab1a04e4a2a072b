"""Object storage behind one interface: a local directory by default, S3 at scale."""

from pathlib import Path
from urllib.parse import urlparse

from archive_api.errors import N_
from archive_api.storage.base import InvalidObjectStoreUrl, ObjectStore, masked_store_url, original_key, rendition_key
from archive_api.storage.local import LocalObjectStore

__all__ = ["ObjectStore", "masked_store_url", "open_object_store", "original_key", "rendition_key"]


def open_object_store(url: str) -> ObjectStore:
    """Open the store named by a file:// or s3:// URL. Raises InvalidObjectStoreUrl for any other form."""
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return LocalObjectStore(Path(parsed.path))
    if parsed.scheme == "s3":
        from archive_api.storage.s3 import S3ObjectStore

        return S3ObjectStore.from_url(url)
    raise InvalidObjectStoreUrl(
        N_(
            "The object store URL %(url)s has an unsupported scheme; use file:///absolute/path or "
            "s3://bucket?endpoint=...&access_key=...&secret_key=... (docs/configuration.md)."
        ),
        url=masked_store_url(url),
    )
