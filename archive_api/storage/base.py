"""The object store interface: originals under their SHA-256, renditions under their own keys."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from archive_api.errors import N_, DiwanError

# The value of a secret_key parameter, and the password of user:password@ in any URL inside.
_SECRET_PARAMETER = re.compile(r"(?<=secret_key=)[^&#]*", re.IGNORECASE)
_USERINFO_PASSWORD = re.compile(r"(?<=//)([^/?#@:]*):[^/?#@]*@")


class InvalidObjectStoreUrl(DiwanError):
    code = "invalid_object_store_url"


def masked_store_url(url: str) -> str:
    """Return an object store URL for messages and logs, with its secret key and any password as ***."""
    url = _SECRET_PARAMETER.sub("***", url)
    return _USERINFO_PASSWORD.sub(r"\1:***@", url)


class ObjectMissing(DiwanError):
    http_status = 404
    code = "object_missing"


class ChecksumMismatch(DiwanError):
    http_status = 500
    code = "checksum_mismatch"


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    sha256: str


def original_key(sha256: str) -> str:
    """Key of an original file; the same bytes always land under the same key."""
    return f"originals/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def rendition_key(document_id: int, name: str) -> str:
    """Key of a derived file such as a page image or thumbnail."""
    return f"renditions/{document_id}/{name}"


class ObjectStore(Protocol):
    def put_file(self, key: str, path: str, sha256: str) -> StoredObject:
        """Store a local file under key, checking that its bytes hash to sha256."""

    def put_bytes(self, key: str, data: bytes) -> StoredObject:
        """Store small bytes (renditions) under key, replacing what was there."""

    def exists(self, key: str) -> bool: ...

    def open(self, key: str) -> BinaryIO:
        """Open an object for streaming reads; raises ObjectMissing."""

    def get_bytes(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None: ...

    def keys(self, prefix: str) -> Iterator[str]: ...

    def presigned_url(self, key: str, filename: str, expires_s: int = 300) -> str | None:
        """Return a direct download URL, or None when downloads go through the API."""


MISSING_MESSAGE = N_("Stored object %(key)s is missing; run `diwan verify` and restore it from backup.")
