"""Object store on an S3 server (MinIO, SeaweedFS, AWS S3 and compatible), opened from an s3:// URL.

    s3://BUCKET[/PREFIX]?endpoint=http://HOST:PORT&access_key=KEY&secret_key=SECRET
        [&region=us-east-1][&public_endpoint=https://HOST][&presign=true]

docs/configuration.md describes each parameter. Parameter values are percent-decoded without
turning `+` into a space, so secret keys that contain `+` or `/` can be written as they are.

Writes are checked twice. The SHA-256 of the bytes handed to the client is computed while they
stream and compared before the last part is sent, so a mismatch aborts the upload and leaves
nothing under the key. Then the server's view is checked. A single-part upload carries the
x-amz-checksum-sha256 header, which the server verifies. After a multipart upload, the server's
ETag (the MD5 of the part MD5s) is compared with the one computed while streaming, and an object
that fails that comparison is deleted again.
"""

import base64
import hashlib
import io
import logging
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import BinaryIO, TypeVar
from urllib.parse import quote, unquote, urlsplit

import urllib3
from minio import Minio
from minio.error import InvalidResponseError, S3Error, ServerError

from archive_api.errors import N_, DiwanError, Term
from archive_api.storage.base import (
    MISSING_MESSAGE,
    ChecksumMismatch,
    InvalidObjectStoreUrl,
    ObjectMissing,
    StoredObject,
    masked_store_url,
)

logger = logging.getLogger(__name__)

MEBIBYTE = 1024 * 1024
# Parts are uploaded one after another, so an upload keeps one part and the client's copy of it in memory.
PART_SIZE = 8 * MEBIBYTE
CONNECT_TIMEOUT_S = 5
READ_TIMEOUT_S = 60
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
SHA256_HEX = re.compile(r"[0-9a-f]{64}")
MULTIPART_ETAG = re.compile(r"([0-9a-f]{32})-(\d+)")
# S3 bucket naming rules: lowercase, 3 to 63 characters, with dots allowed for old buckets.
BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
URL_PARAMETERS = ("endpoint", "access_key", "secret_key", "region", "public_endpoint", "presign")

ACCESS_CODES = frozenset({"AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken"})
DIGEST_CODES = frozenset({"BadDigest", "InvalidDigest", "XAmzContentChecksumMismatch", "XAmzContentSHA256Mismatch"})
TRANSIENT_CODES = frozenset({"SlowDown", "RequestTimeout", "ServiceUnavailable", "InternalError"})
# Errors of a request to the server. _transient() decides which of them are worth another attempt.
REQUEST_ERRORS = (
    S3Error,
    ServerError,
    InvalidResponseError,
    urllib3.exceptions.HTTPError,
    ConnectionError,
    TimeoutError,
)

T = TypeVar("T")

# Operation names fill %(operation)s in messages, so they are translated with the message.
UPLOAD = Term(N_("upload"))
DOWNLOAD = Term(N_("download"))
CHECK = Term(N_("existence check"))
DELETION = Term(N_("deletion"))
LISTING = Term(N_("listing"))


class ObjectStoreUnavailable(DiwanError):
    http_status = 503
    code = "object_store_unavailable"


class BucketMissing(DiwanError):
    http_status = 503
    code = "bucket_missing"


class ObjectStoreAccessDenied(DiwanError):
    http_status = 503
    code = "object_store_access_denied"


class ObjectStoreFailed(DiwanError):
    http_status = 502
    code = "object_store_failed"


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long an operation is retried after connection errors and 5xx responses."""

    # The waits add up to 31.5 s, enough to ride out a server restart. SeaweedFS 4.48 returned 500
    # for up to about 15 s after a restart in the tests.
    attempts: int = 8
    first_delay_s: float = 0.5
    max_delay_s: float = 8.0
    # No retry starts once this much time has passed since the operation's first attempt.
    deadline_s: float = 60.0

    def delay_s(self, failed_attempts: int) -> float:
        return min(self.first_delay_s * 2 ** (failed_attempts - 1), self.max_delay_s)


@dataclass(frozen=True)
class S3Location:
    """Location of the store, parsed from the URL. repr() leaves out the credentials."""

    bucket: str
    prefix: str
    endpoint: str
    region: str
    access_key: str = field(repr=False)
    secret_key: str = field(repr=False)
    public_endpoint: str = ""
    presign: bool = True

    def describe(self) -> str:
        """Return the bucket and endpoint for messages and logs, without credentials."""
        path = f"{self.bucket}/{self.prefix}" if self.prefix else self.bucket
        return f"s3://{path} at {self.endpoint}"


def _url_error(message: str, **params) -> InvalidObjectStoreUrl:
    return InvalidObjectStoreUrl(message, **params)


def _query_parameters(query: str) -> dict[str, str]:
    # parse_qs would turn "+" into a space and silently corrupt secret keys that contain one.
    values: dict[str, str] = {}
    for pair in filter(None, query.split("&")):
        name, _, value = pair.partition("=")
        name = unquote(name)
        if name not in URL_PARAMETERS:
            raise _url_error(
                N_("DIWAN_OBJECT_STORE has the unknown parameter %(name)s; an S3 URL accepts %(allowed)s."),
                name=name,
                allowed=", ".join(URL_PARAMETERS),
            )
        if name in values:
            raise _url_error(
                N_("DIWAN_OBJECT_STORE gives the parameter %(name)s more than once; give it once."), name=name
            )
        values[name] = unquote(value)
    return values


def _endpoint(name: str, value: str) -> str:
    parts = urlsplit(value)
    valid = parts.scheme in ("http", "https") and parts.hostname and parts.path in ("", "/")
    if not valid or parts.query or parts.fragment or parts.username:
        raise _url_error(
            N_(
                "The %(name)s %(value)s in DIWAN_OBJECT_STORE is invalid; give http:// or https:// with a "
                "host, an optional port and no path, as in http://127.0.0.1:8333."
            ),
            name=name,
            # An endpoint with user:password@ is rejected, and its password must not reach the message.
            value=masked_store_url(value),
        )
    return f"{parts.scheme}://{parts.netloc}"


def _required(values: dict[str, str], name: str) -> str:
    value = values.get(name, "")
    if not value:
        raise _url_error(
            N_("DIWAN_OBJECT_STORE is missing the parameter %(name)s; see the S3 URL form in docs/configuration.md."),
            name=name,
        )
    return value


def _presign_flag(values: dict[str, str]) -> bool:
    value = values.get("presign", "true").lower()
    if value not in ("true", "false"):
        raise _url_error(
            N_("The parameter presign in DIWAN_OBJECT_STORE must be true or false, not %(value)s."), value=value
        )
    return value == "true"


def _key_prefix(path: str) -> str:
    prefix = unquote(path).strip("/")
    if prefix and any(segment in ("", ".", "..") for segment in prefix.split("/")):
        raise _url_error(
            N_(
                "The key prefix %(prefix)s in DIWAN_OBJECT_STORE is invalid; use path segments that are "
                "not empty, . or .."
            ),
            prefix=prefix,
        )
    return prefix


def parse_s3_url(url: str) -> S3Location:
    """Parse an s3:// URL into a location. Raises InvalidObjectStoreUrl naming the wrong part."""
    parts = urlsplit(url)
    bucket = parts.netloc
    if not BUCKET_NAME.fullmatch(bucket) or ".." in bucket:
        raise _url_error(
            N_(
                "The bucket name %(bucket)s in DIWAN_OBJECT_STORE is invalid; use 3 to 63 lowercase letters, "
                "digits, dots or hyphens that start and end with a letter or digit."
            ),
            bucket=bucket,
        )

    values = _query_parameters(parts.query)
    public = values.get("public_endpoint", "")
    return S3Location(
        bucket=bucket,
        prefix=_key_prefix(parts.path),
        endpoint=_endpoint("endpoint", _required(values, "endpoint")),
        region=values.get("region") or "us-east-1",
        access_key=_required(values, "access_key"),
        secret_key=_required(values, "secret_key"),
        public_endpoint=_endpoint("public_endpoint", public) if public else "",
        presign=_presign_flag(values),
    )


def content_disposition(filename: str) -> str:
    """Return an attachment header with an ASCII fallback name and the exact name in RFC 5987 form."""
    fallback = "".join(c if " " <= c <= "~" and c not in '"\\%;' else "_" for c in filename) or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _client(endpoint: str, location: S3Location, http: urllib3.PoolManager) -> Minio:
    parts = urlsplit(endpoint)
    return Minio(
        parts.netloc,
        access_key=location.access_key,
        secret_key=location.secret_key,
        secure=parts.scheme == "https",
        # A fixed region saves the GetBucketLocation request and lets URLs be signed offline.
        region=location.region,
        http_client=http,
    )


def _http_pool() -> urllib3.PoolManager:
    # RetryPolicy does every retry, so urllib3 must not retry underneath it as well.
    return urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=CONNECT_TIMEOUT_S, read=READ_TIMEOUT_S),
        maxsize=16,
        retries=False,
        cert_reqs="CERT_REQUIRED",
    )


def _transient(error: Exception) -> bool:
    """Tell whether an error may pass when the same request is sent again (connection, 5xx)."""
    if isinstance(error, urllib3.exceptions.SSLError):
        return False
    if isinstance(error, urllib3.exceptions.HTTPError | ConnectionError | TimeoutError):
        return True
    if isinstance(error, S3Error):
        return error.code in TRANSIENT_CODES or error.response.status >= 500
    if isinstance(error, ServerError):
        return error.status_code >= 500
    if isinstance(error, InvalidResponseError):
        # The status code is only kept in a private attribute of minio 7.2.
        return getattr(error, "_code", 0) >= 500
    return False


class _HashingReader:
    """File reader for put_object that hashes what it hands out and checks the SHA-256 at the end.

    The check runs inside the read that returns the last bytes, before the client sends them, so
    a mismatch aborts the upload with nothing stored. It also keeps the MD5 of every part, from
    which the server's multipart ETag is predicted.
    """

    def __init__(self, handle: BinaryIO, size: int, sha256: str) -> None:
        self.handle = handle
        self.size = size
        self.expected = sha256
        self.count = 0
        self.sha256 = hashlib.sha256()
        self.part_md5s: list[bytes] = []
        self._part = hashlib.md5(usedforsecurity=False)
        self._part_count = 0

    def read(self, size: int = -1) -> bytes:
        remaining = self.size - self.count
        size = remaining if size < 0 else min(size, remaining)
        if size == 0:
            return b""

        data = self.handle.read(size)
        if not data:
            # The file became shorter than when its size was taken.
            raise changed_while_stored(self.expected, self.sha256.hexdigest())
        self.count += len(data)
        self.sha256.update(data)
        self._hash_parts(data)

        if self.count == self.size and self.sha256.hexdigest() != self.expected:
            raise changed_while_stored(self.expected, self.sha256.hexdigest())
        return data

    def _hash_parts(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            room = PART_SIZE - self._part_count
            self._part.update(view[:room])
            self._part_count += min(room, len(view))
            view = view[room:]
            if self._part_count == PART_SIZE or (self.count == self.size and not view):
                self.part_md5s.append(self._part.digest())
                self._part = hashlib.md5(usedforsecurity=False)
                self._part_count = 0

    def multipart_etag(self) -> str:
        combined = hashlib.md5(b"".join(self.part_md5s), usedforsecurity=False).hexdigest()
        return f"{combined}-{len(self.part_md5s)}"


def changed_while_stored(expected: str, actual: str) -> ChecksumMismatch:
    # The same message as the local store's, because the cause and the remedy are the same.
    return ChecksumMismatch(
        N_("The file changed while it was stored (expected SHA-256 %(expected)s, got %(actual)s); upload it again."),
        expected=expected,
        actual=actual,
    )


class S3ObjectStore:
    """ObjectStore on one bucket of an S3 server, optionally under a key prefix.

    Thread-safe: the server's and workers' threads share one instance and its connection pool.
    There is no local_path(); the pipeline downloads an original to a temporary file instead.
    """

    def __init__(self, location: S3Location, retry: RetryPolicy | None = None) -> None:
        self.location = location
        self.retry = retry or RetryPolicy()
        http = _http_pool()
        self._client = _client(location.endpoint, location, http)
        # Signing needs no request, so a URL for the public endpoint can be made by a second client.
        public = location.public_endpoint
        self._signer = _client(public, location, http) if public else self._client
        self._bucket_found = False

    @classmethod
    def from_url(cls, url: str) -> "S3ObjectStore":
        return cls(parse_s3_url(url))

    def __repr__(self) -> str:
        return f"S3ObjectStore({self.location.describe()})"

    def put_file(self, key: str, path: str, sha256: str) -> StoredObject:
        name = self._name(key)
        if not SHA256_HEX.fullmatch(sha256):
            raise ValueError(f"sha256 {sha256!r} is not 64 lowercase hex digits")

        existing = self._stat(name, key)
        if existing is not None:
            return StoredObject(key, existing.size, sha256)

        size = os.path.getsize(path)
        if size == 0 and sha256 != EMPTY_SHA256:
            raise changed_while_stored(sha256, EMPTY_SHA256)
        self._retrying(UPLOAD, key, lambda: self._upload_file(name, key, path, size, sha256))
        return StoredObject(key, size, sha256)

    def _upload_file(self, name: str, key: str, path: str, size: int, sha256: str) -> None:
        with open(path, "rb") as handle:
            self._upload_stream(name, key, handle, size, sha256)

    def _upload_stream(self, name: str, key: str, handle: BinaryIO, size: int, sha256: str) -> None:
        single_part = size <= PART_SIZE
        # The server checks this header against the whole body. A multipart upload would need one per
        # part, which the minio client does not send.
        headers = {"x-amz-checksum-sha256": _base64_digest(sha256)} if single_part else {}
        reader = _HashingReader(handle, size, sha256)
        result = self._client.put_object(
            self.location.bucket,
            name,
            reader,
            size,
            part_size=PART_SIZE,
            num_parallel_uploads=1,
            metadata=headers,
        )
        if not single_part:
            self._check_multipart_etag(name, key, result.etag or "", reader)

    def _check_multipart_etag(self, name: str, key: str, etag: str, reader: _HashingReader) -> None:
        if not MULTIPART_ETAG.fullmatch(etag):
            # Encrypted objects and some servers give ETags that are not MD5-based.
            logger.debug("multipart ETag not checked bucket=%s etag=%s", self.location.bucket, etag)
            return
        if etag == reader.multipart_etag():
            return
        # NOTE: until this deletion, the wrong bytes are visible under the key, so a concurrent upload
        # of the same file may find them and skip its own upload.
        self._retrying(DELETION, key, lambda: self._client.remove_object(self.location.bucket, name))
        logger.error("S3 stored other bytes than were sent, object deleted bucket=%s key=%s", self.location.bucket, key)
        raise ChecksumMismatch(
            N_(
                "The S3 server stored different bytes for %(key)s than were sent (ETag %(etag)s, expected "
                "%(expected)s), so the object was deleted; upload the file again."
            ),
            key=key,
            etag=etag,
            expected=reader.multipart_etag(),
        )

    def put_bytes(self, key: str, data: bytes) -> StoredObject:
        name = self._name(key)
        sha256 = hashlib.sha256(data).hexdigest()
        self._retrying(UPLOAD, key, lambda: self._upload_stream(name, key, io.BytesIO(data), len(data), sha256))
        return StoredObject(key, len(data), sha256)

    def exists(self, key: str) -> bool:
        return self._stat(self._name(key), key) is not None

    def open(self, key: str) -> BinaryIO:
        return _ObjectReader(self, self._name(key), key)

    def get_bytes(self, key: str) -> bytes:
        with self.open(key) as handle:
            return handle.read()

    def delete(self, key: str) -> None:
        name = self._name(key)
        self._retrying(DELETION, key, lambda: self._client.remove_object(self.location.bucket, name))

    def keys(self, prefix: str) -> Iterator[str]:
        """Yield the keys under a folder-like prefix, as the local store does.

        "renditions/1" never matches "renditions/10/...", and a prefix that is itself a key yields
        that key.
        """
        folder = prefix.strip("/")
        base = self._name(folder) if folder else self.location.prefix
        found = False
        for name in self._list(f"{base}/" if base else "", prefix):
            found = True
            yield self._key(name)
        if folder and not found and self.exists(folder):
            yield folder

    def presigned_url(self, key: str, filename: str, expires_s: int = 300) -> str | None:
        """Return a signed GET URL that downloads the object under filename. Raises ObjectMissing.

        Returns None when the URL sets presign=false, so downloads go through the API.
        """
        if not self.location.presign:
            return None
        name = self._name(key)
        if self._stat(name, key) is None:
            raise ObjectMissing(MISSING_MESSAGE, key=key)
        return self._signer.presigned_get_object(
            self.location.bucket,
            name,
            expires=timedelta(seconds=expires_s),
            response_headers={"response-content-disposition": content_disposition(filename)},
        )

    def _name(self, key: str) -> str:
        """Return the object name of a key. Raises ValueError for keys that the local store also rejects."""
        segments = key.strip("/").split("/")
        if key.startswith("/") or any(segment in ("", ".", "..") for segment in segments):
            raise ValueError(f"object key {key!r} is not a relative path of plain segments")
        return f"{self.location.prefix}/{key}" if self.location.prefix else key

    def _key(self, name: str) -> str:
        return name[len(self.location.prefix) + 1 :] if self.location.prefix else name

    def _stat(self, name: str, key: str):
        try:
            return self._retrying(CHECK, key, lambda: self._client.stat_object(self.location.bucket, name))
        except ObjectMissing:
            self._require_bucket(key)
            return None

    def _require_bucket(self, key: str) -> None:
        # A HEAD request gets the same bare 404 for a missing bucket as for a missing object, so
        # the bucket is looked up once per store before a 404 is trusted to mean "no object".
        if self._bucket_found:
            return
        if not self._retrying(CHECK, key, lambda: self._client.bucket_exists(self.location.bucket)):
            raise self._bucket_missing()
        self._bucket_found = True

    def _bucket_missing(self) -> BucketMissing:
        return BucketMissing(
            N_(
                "Bucket %(bucket)s does not exist on the S3 server at %(endpoint)s. Create it, or correct "
                "the bucket name in DIWAN_OBJECT_STORE."
            ),
            endpoint=self.location.endpoint,
            bucket=self.location.bucket,
        )

    def _list(self, full_prefix: str, prefix: str) -> Iterator[str]:
        # A listing that fails midway continues after the last name it yielded.
        last = None
        attempt = 1
        started = time.monotonic()
        while True:
            try:
                listing = self._client.list_objects(
                    self.location.bucket, prefix=full_prefix, recursive=True, start_after=last
                )
                for item in listing:
                    last = item.object_name
                    yield item.object_name
                return
            except REQUEST_ERRORS as error:
                self._wait_or_raise(error, LISTING, prefix, attempt, started)
                attempt += 1

    def _retrying(self, operation: str, key: str, call: Callable[[], T]) -> T:
        """Run one request and retry transient failures. Raises a DiwanError naming bucket and key."""
        started = time.monotonic()
        attempt = 1
        while True:
            try:
                return call()
            except REQUEST_ERRORS as error:
                self._wait_or_raise(error, operation, key, attempt, started)
                attempt += 1

    def _wait_or_raise(self, error: Exception, operation: str, key: str, attempt: int, started: float) -> None:
        """Sleep before the next attempt, or raise the DiwanError for an error that retrying cannot fix."""
        if not _transient(error):
            raise self._failure(error, operation, key) from error

        delay = self.retry.delay_s(attempt)
        out_of_time = time.monotonic() - started + delay > self.retry.deadline_s
        if attempt >= self.retry.attempts or out_of_time:
            logger.error(
                "S3 %s failed, giving up after %s attempts bucket=%s key=%s error=%s",
                operation,
                attempt,
                self.location.bucket,
                key,
                error,
            )
            raise ObjectStoreUnavailable(
                N_(
                    "The S3 server at %(endpoint)s did not complete the %(operation)s of %(key)s in bucket "
                    "%(bucket)s after %(attempts)s attempts (%(reason)s). Check that the server is running "
                    "and reachable, then try again."
                ),
                endpoint=self.location.endpoint,
                operation=operation,
                key=key,
                bucket=self.location.bucket,
                attempts=attempt,
                reason=_reason(error),
            ) from error

        logger.warning(
            "S3 %s failed, retrying in %.1f s (attempt %s of %s) bucket=%s key=%s error=%s",
            operation,
            delay,
            attempt,
            self.retry.attempts,
            self.location.bucket,
            key,
            _reason(error),
        )
        time.sleep(delay)

    def _failure(self, error: Exception, operation: str, key: str) -> DiwanError:
        """Translate an S3 error that retrying cannot fix into a DiwanError with the cause and the next step."""
        code = error.code if isinstance(error, S3Error) else type(error).__name__
        where = {"endpoint": self.location.endpoint, "bucket": self.location.bucket}
        if code == "NoSuchKey":
            return ObjectMissing(MISSING_MESSAGE, key=key)
        if code == "NoSuchBucket":
            return self._bucket_missing()
        if code in ACCESS_CODES:
            return ObjectStoreAccessDenied(
                N_(
                    "The S3 server at %(endpoint)s denied the %(operation)s of %(key)s in bucket %(bucket)s "
                    "(%(code)s). Check access_key and secret_key in DIWAN_OBJECT_STORE, and that this key may "
                    "read and write the bucket."
                ),
                operation=operation,
                key=key,
                code=code,
                **where,
            )
        if code == "PreconditionFailed":
            return ObjectStoreFailed(
                N_(
                    "Object %(key)s in bucket %(bucket)s was replaced on the S3 server while it was being read; "
                    "read it again."
                ),
                key=key,
                **where,
            )
        if code in DIGEST_CODES:
            return ChecksumMismatch(
                N_(
                    "The S3 server received bytes for %(key)s that do not match their checksum (%(code)s) and "
                    "stored nothing; upload the file again."
                ),
                key=key,
                code=code,
            )
        return ObjectStoreFailed(
            N_(
                "The S3 server at %(endpoint)s failed the %(operation)s of %(key)s in bucket %(bucket)s "
                "(%(reason)s). Look for this request in the server's log."
            ),
            operation=operation,
            key=key,
            reason=_reason(error),
            **where,
        )


def _reason(error: Exception) -> str:
    if isinstance(error, S3Error):
        return f"{error.code}: {error.message}"
    return f"{type(error).__name__}: {error}"


def _base64_digest(sha256: str) -> str:
    return base64.b64encode(bytes.fromhex(sha256)).decode("ascii")


class _ObjectReader(io.RawIOBase):
    """Streaming read of one object that resumes at its position after a broken connection.

    A resumed request sends the first response's ETag in If-Match, so an object replaced meanwhile
    fails the read instead of mixing two versions.
    """

    def __init__(self, store: S3ObjectStore, name: str, key: str) -> None:
        super().__init__()
        self._store = store
        self._name = name
        self._key = key
        self._position = 0
        self._response = None
        self._response = store._retrying(DOWNLOAD, key, self._request)
        self._etag = self._response.headers.get("ETag", "")
        self._size = int(self._response.headers.get("Content-Length", "-1"))

    def _request(self):
        headers = {"If-Match": self._etag} if self._position else None
        return self._store._client.get_object(
            self._store.location.bucket, self._name, offset=self._position, request_headers=headers
        )

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            return self.readall()
        attempt = 1
        started = time.monotonic()
        while True:
            try:
                return self._read_once(size)
            except REQUEST_ERRORS as error:
                self._release()
                self._store._wait_or_raise(error, DOWNLOAD, self._key, attempt, started)
                attempt += 1

    def _read_once(self, size: int) -> bytes:
        if self._response is None:
            if self._position == self._size:
                # A range that starts at the end of the object would fail with 416.
                return b""
            self._response = self._request()
        data = self._response.read(size)
        self._position += len(data)
        return data

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def _release(self) -> None:
        if self._response is not None:
            self._response.close()
            self._response.release_conn()
            self._response = None

    def close(self) -> None:
        self._release()
        super().close()
