"""S3ObjectStore against real servers on 127.0.0.1: SeaweedFS always, MinIO when it is installed.

The object store contract runs on the local store and on each server. The tests after it cover
what only S3 has: the URL, server errors and retries (through a proxy that returns 503 or
corrupts bodies on demand), and the archive end to end with its originals on SeaweedFS.
"""

import hashlib
import http.client
import io
import os
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

pytest.register_assert_rewrite("tests.storage.contract")

from archive_api.accounts import service as accounts  # noqa: E402
from archive_api.app import create_app  # noqa: E402
from archive_api.audit.models import AuditEntry  # noqa: E402
from archive_api.context import get_archive, reset_archive  # noqa: E402
from archive_api.settings import reset_settings  # noqa: E402
from archive_api.storage import open_object_store, original_key, rendition_key  # noqa: E402
from archive_api.storage.base import ChecksumMismatch  # noqa: E402
from archive_api.storage.s3 import (  # noqa: E402
    PART_SIZE,
    URL_PARAMETERS,
    BucketMissing,
    InvalidObjectStoreUrl,
    ObjectStoreAccessDenied,
    ObjectStoreFailed,
    ObjectStoreUnavailable,
    RetryPolicy,
    S3ObjectStore,
    content_disposition,
    parse_s3_url,
)
from ingest.local_runner import run_locally  # noqa: E402
from ingest.sweeper import pending_documents  # noqa: E402
from tests.servers import s3 as s3_servers  # noqa: E402
from tests.storage.contract import (  # noqa: E402
    ARABIC_FILENAME,
    LARGE_FILE_BYTES,
    ObjectStoreContract,
    StoreKit,
    filename_from_disposition,
    sample_file,
)

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "data" / "corpus"
FAST_RETRY = RetryPolicy(attempts=3, first_delay_s=0.05, max_delay_s=0.05)
SECRET = "s3cr3t+with/slash=="


@pytest.fixture(scope="module")
def seaweedfs(tmp_path_factory):
    server = s3_servers.start(tmp_path_factory.mktemp("s3"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def minio(tmp_path_factory):
    try:
        server = s3_servers.start_minio(tmp_path_factory.mktemp("s3"))
    except s3_servers.ServerNotInstalled as missing:
        pytest.skip(str(missing))
    yield server
    server.stop()


def _prefix(request) -> str:
    return "t-" + hashlib.sha256(request.node.nodeid.encode()).hexdigest()[:12]


def _s3_kit(server, request) -> StoreKit:
    prefix = _prefix(request)

    def write_raw(key: str, data: bytes) -> None:
        server.client().put_object(server.bucket, f"{prefix}/{key}", io.BytesIO(data), len(data))

    return StoreKit(url=server.url(prefix=prefix), write_raw=write_raw, server=server)


class TestLocalStore(ObjectStoreContract):
    @pytest.fixture
    def kit(self, tmp_path):
        root = tmp_path / "objects"

        def write_raw(key: str, data: bytes) -> None:
            (root / key).write_bytes(data)

        return StoreKit(url=f"file://{root}", write_raw=write_raw)


class TestSeaweedFS(ObjectStoreContract):
    @pytest.fixture
    def kit(self, seaweedfs, request):
        return _s3_kit(seaweedfs, request)


class TestMinIO(ObjectStoreContract):
    @pytest.fixture
    def kit(self, minio, request):
        return _s3_kit(minio, request)


# The URL.


def test_url_full_form():
    location = parse_s3_url(
        "s3://diwan-archive/prod/objects?endpoint=https://s3.example.org:9000&region=eu-west-1"
        "&access_key=AKIA1&secret_key=a+b/c%26d&public_endpoint=https://files.example.org&presign=false"
    )

    assert location.bucket == "diwan-archive"
    assert location.prefix == "prod/objects"
    assert location.endpoint == "https://s3.example.org:9000"
    assert location.region == "eu-west-1"
    assert location.access_key == "AKIA1"
    assert location.secret_key == "a+b/c&d"
    assert location.public_endpoint == "https://files.example.org"
    assert location.presign is False


def test_url_defaults():
    location = parse_s3_url("s3://archive?endpoint=http://127.0.0.1:8333&access_key=k&secret_key=s")

    assert location.prefix == ""
    assert location.region == "us-east-1"
    assert location.public_endpoint == ""
    assert location.presign is True


def test_url_secret_hidden():
    store = S3ObjectStore.from_url(f"s3://archive?endpoint=http://127.0.0.1:8333&access_key=k&secret_key={SECRET}")

    assert SECRET not in repr(store)
    assert SECRET not in repr(store.location)
    assert "s3://archive at http://127.0.0.1:8333" in repr(store)


@pytest.mark.parametrize(
    ("url", "named"),
    [
        ("s3://Archive?endpoint=http://h:1&access_key=k&secret_key=s", "Archive"),
        ("s3://ab?endpoint=http://h:1&access_key=k&secret_key=s", "bucket name ab in"),
        ("s3://?endpoint=http://h:1&access_key=k&secret_key=s", "bucket name"),
        ("s3://archive?access_key=k&secret_key=s", "endpoint"),
        ("s3://archive?endpoint=ftp://h:1&access_key=k&secret_key=s", "ftp://h:1"),
        ("s3://archive?endpoint=http://h:1/path&access_key=k&secret_key=s", "http://h:1/path"),
        ("s3://archive?endpoint=http://h:1&secret_key=s", "access_key"),
        ("s3://archive?endpoint=http://h:1&access_key=k", "secret_key"),
        ("s3://archive?endpoint=http://h:1&access_key=k&secret_key=s&secure=false", "secure"),
        ("s3://archive?endpoint=http://h:1&endpoint=http://h:2&access_key=k&secret_key=s", "more than once"),
        ("s3://archive?endpoint=http://h:1&access_key=k&secret_key=s&presign=yes", "yes"),
        ("s3://archive/a/../b?endpoint=http://h:1&access_key=k&secret_key=s", "a/../b"),
        ("s3://archive?endpoint=http://h:1&access_key=k&secret_key=s&public_endpoint=files", "files"),
    ],
)
def test_url_rejected(url, named):
    with pytest.raises(InvalidObjectStoreUrl) as raised:
        open_object_store(url)

    assert named in str(raised.value)
    assert "DIWAN_OBJECT_STORE" in str(raised.value)


def test_url_error_hides_secret():
    with pytest.raises(InvalidObjectStoreUrl) as raised:
        open_object_store(f"s3://archive?endpoint=gopher://h&access_key=k&secret_key={SECRET}")

    assert SECRET not in str(raised.value)


@pytest.mark.parametrize("name", URL_PARAMETERS)
def test_url_parameter_documented(name):
    text = (ROOT / "docs" / "configuration.md").read_text()
    assert f"`{name}`" in text


def test_presign_off_streams():
    store = open_object_store("s3://archive?endpoint=http://127.0.0.1:9&access_key=k&secret_key=s&presign=false")
    assert store.presigned_url("originals/aa/bb/x", "a.pdf") is None


def test_content_disposition_forms():
    header = content_disposition('تقرير "نهائي".pdf')

    assert header.startswith('attachment; filename="')
    assert header.isascii()
    assert '_____ _______.pdf"' in header
    assert filename_from_disposition(header) == 'تقرير "نهائي".pdf'


def test_public_endpoint_signs(seaweedfs, request):
    public = f"http://localhost:{seaweedfs.port}"
    store = open_object_store(seaweedfs.url(prefix=_prefix(request), public_endpoint=public))
    store.put_bytes("originals/a", b"x")

    assert store.presigned_url("originals/a", "a.pdf").startswith(f"{public}/{seaweedfs.bucket}/")


# Errors that retrying cannot fix.


def test_bucket_missing_named(seaweedfs):
    store = open_object_store(seaweedfs.url(bucket="diwan-never-created"))

    with pytest.raises(BucketMissing) as raised:
        store.put_bytes("renditions/1/page-1.webp", b"x")

    assert "diwan-never-created" in str(raised.value)
    assert seaweedfs.endpoint in str(raised.value)
    assert "DIWAN_OBJECT_STORE" in str(raised.value)


def test_bucket_missing_on_read(seaweedfs):
    store = open_object_store(seaweedfs.url(bucket="diwan-never-created"))

    with pytest.raises(BucketMissing):
        store.open("renditions/1/page-1.webp")


def test_bucket_missing_on_exists(seaweedfs):
    store = open_object_store(seaweedfs.url(bucket="diwan-never-created"))

    with pytest.raises(BucketMissing):
        store.exists("renditions/1/page-1.webp")


def test_wrong_credentials_named(seaweedfs, request):
    store = open_object_store(seaweedfs.url(prefix=_prefix(request), secret_key=SECRET))

    with pytest.raises(ObjectStoreAccessDenied) as raised:
        store.put_bytes("renditions/1/page-1.webp", b"x")

    assert seaweedfs.bucket in str(raised.value)
    assert "secret_key" in str(raised.value)
    assert SECRET not in str(raised.value)


def test_server_down_gives_up(caplog):
    port = s3_servers.free_port()
    location = parse_s3_url(f"s3://archive?endpoint=http://127.0.0.1:{port}&access_key=k&secret_key=s")
    store = S3ObjectStore(location, FAST_RETRY)

    with pytest.raises(ObjectStoreUnavailable) as raised:
        store.get_bytes("renditions/1/page-1.webp")

    assert f"http://127.0.0.1:{port}" in str(raised.value)
    assert "renditions/1/page-1.webp" in str(raised.value)
    assert "after 3 attempts" in str(raised.value)
    assert len([r for r in caplog.records if "retrying" in r.getMessage()]) == 2


def test_deadline_bounds_retries(caplog):
    port = s3_servers.free_port()
    location = parse_s3_url(f"s3://archive?endpoint=http://127.0.0.1:{port}&access_key=k&secret_key=s")
    policy = RetryPolicy(attempts=1000, first_delay_s=0.1, max_delay_s=0.1, deadline_s=0.5)
    store = S3ObjectStore(location, policy)

    with pytest.raises(ObjectStoreUnavailable):
        store.exists("renditions/1/page-1.webp")

    assert len([r for r in caplog.records if "retrying" in r.getMessage()]) <= 5


# Faults injected between the store and a real server.


class FaultyProxy(ThreadingHTTPServer):
    """Forwards requests to an S3 server on 127.0.0.1, returning 503 or corrupting bodies on demand.

    The Host header is forwarded unchanged, so the server accepts the client's signatures.
    """

    daemon_threads = True

    def __init__(self, upstream_port: int) -> None:
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.upstream_port = upstream_port
        self.unavailable = 0
        self.corrupt_pattern: re.Pattern | None = None
        # Send only this many bytes of the next GET's body, then close the connection.
        self.cut_next_get_at: int | None = None
        self.requests: list[tuple[str, str, int]] = []
        self.lock = threading.Lock()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _ProxyHandler(BaseHTTPRequestHandler):
    server: FaultyProxy

    def log_message(self, format, *args) -> None:  # noqa: A002 - signature of the base class
        pass

    def _forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with self.server.lock:
            refuse = self.server.unavailable > 0
            self.server.unavailable -= 1 if refuse else 0
            pattern = self.server.corrupt_pattern
        if refuse:
            self._answer(503, {"Content-Type": "application/xml"}, _SERVICE_UNAVAILABLE)
            return
        if body and pattern is not None and pattern.search(f"{self.command} {self.path}"):
            body = body[:-1] + bytes([body[-1] ^ 0x01])

        upstream = http.client.HTTPConnection("127.0.0.1", self.server.upstream_port, timeout=30)
        try:
            upstream.request(self.command, self.path, body=body or None, headers=dict(self.headers.items()))
            response = upstream.getresponse()
            data = response.read()
            headers = {k: v for k, v in response.getheaders() if k.lower() not in ("transfer-encoding", "connection")}
            headers["Content-Length"] = response.getheader("Content-Length", str(len(data)))
            with self.server.lock:
                cut = self.server.cut_next_get_at if self.command == "GET" else None
                self.server.cut_next_get_at = None if cut is not None else self.server.cut_next_get_at
            self._answer(response.status, headers, data if cut is None else data[:cut])
        finally:
            upstream.close()

    def _answer(self, status: int, headers: dict[str, str], body: bytes) -> None:
        with self.server.lock:
            self.server.requests.append((self.command, self.path, status))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if "Content-Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _forward


_SERVICE_UNAVAILABLE = (
    b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>ServiceUnavailable</Code>'
    b"<Message>Injected by the test proxy.</Message></Error>"
)


@pytest.fixture(params=["seaweedfs", "minio"])
def proxied(request):
    """A store that reaches its server through a FaultyProxy, with the proxy and the server."""
    server = request.getfixturevalue(request.param)
    proxy = FaultyProxy(server.port)
    thread = threading.Thread(target=proxy.serve_forever, name="faulty-s3-proxy", daemon=True)
    thread.start()
    prefix = _prefix(request)
    location = parse_s3_url(server.url(prefix=prefix, endpoint=proxy.endpoint))
    yield S3ObjectStore(location, FAST_RETRY), proxy, server, prefix
    proxy.shutdown()
    proxy.server_close()


def test_5xx_retried(proxied, caplog):
    store, proxy, _server, _prefix_ = proxied
    proxy.unavailable = 2

    store.put_bytes("renditions/1/page-1.webp", b"page")

    assert [status for method, _path, status in proxy.requests if method == "PUT"] == [503, 503, 200]
    assert store.get_bytes("renditions/1/page-1.webp") == b"page"
    assert len([r for r in caplog.records if "retrying" in r.getMessage()]) == 2


def test_5xx_retries_bounded(proxied):
    store, proxy, _server, _prefix_ = proxied
    proxy.unavailable = 100

    with pytest.raises(ObjectStoreUnavailable) as raised:
        store.put_bytes("renditions/1/page-1.webp", b"page")

    assert len(proxy.requests) == FAST_RETRY.attempts
    assert "ServiceUnavailable" in str(raised.value)


def test_read_resumes_after_cut(proxied, tmp_path, caplog):
    store, proxy, _server, _prefix_ = proxied
    data = bytes(range(256)) * 40_000
    store.put_bytes("originals/scan", data)
    proxy.cut_next_get_at = 100_000

    with store.open("originals/scan") as handle:
        received = handle.read()

    assert received == data
    assert [status for method, _path, status in proxy.requests if method == "GET"] == [200, 206]
    assert any("download failed, retrying" in r.getMessage() for r in caplog.records)


def test_replaced_during_read_fails(proxied, tmp_path):
    store, proxy, server, prefix = proxied
    store.put_bytes("originals/scan", bytes(range(256)) * 40_000)
    proxy.cut_next_get_at = 100_000

    with store.open("originals/scan") as handle:
        first = handle.read(50_000)
        server.client().put_object(server.bucket, f"{prefix}/originals/scan", io.BytesIO(b"new bytes"), 9)
        with pytest.raises(ObjectStoreFailed) as raised:
            handle.read()

    assert first == bytes(range(256)) * 195 + bytes(range(80))
    assert "replaced" in str(raised.value)
    assert "originals/scan" in str(raised.value)


def test_corrupted_upload_rejected(proxied, tmp_path):
    store, proxy, server, prefix = proxied
    scan = sample_file(tmp_path / "scan.bin", b"scanned page bytes " * 100)
    proxy.corrupt_pattern = re.compile(r"^PUT ")

    with pytest.raises(ChecksumMismatch) as raised:
        store.put_file(original_key(scan.sha256), str(scan.path), scan.sha256)

    assert original_key(scan.sha256) in str(raised.value)
    assert "stored nothing" in str(raised.value)
    assert list(server.client().list_objects(server.bucket, f"{prefix}/", recursive=True)) == []


@pytest.mark.slow
def test_corrupted_part_rejected(proxied, tmp_path):
    store, proxy, server, prefix = proxied
    data = bytes(range(256)) * (LARGE_FILE_BYTES // 256)
    scan = sample_file(tmp_path / "scan.tiff", data)
    proxy.corrupt_pattern = re.compile(r"^PUT .*partNumber=2&")

    with pytest.raises(ChecksumMismatch) as raised:
        store.put_file(original_key(scan.sha256), str(scan.path), scan.sha256)

    # MinIO checks each part's signed SHA-256 and rejects the part, but SeaweedFS 4.48 stores the part, and
    # the ETag comparison after the upload finds and deletes the object.
    outcome = {"MinIO": "stored nothing", "SeaweedFS": "the object was deleted"}[server.name]
    assert outcome in str(raised.value)
    assert any("partNumber=2&" in path for _method, path, _status in proxy.requests)
    assert list(server.client().list_objects(server.bucket, f"{prefix}/", recursive=True)) == []


def test_shrunk_file_rejected(seaweedfs, request, tmp_path, monkeypatch):
    # The file loses its end after its size was taken, as when a scanner rewrites it.
    store = open_object_store(seaweedfs.url(prefix=_prefix(request)))
    scan = sample_file(tmp_path / "scan.bin", b"x" * (PART_SIZE + 10))
    real_getsize = os.path.getsize

    def size_then_truncate(path) -> int:
        size = real_getsize(path)
        Path(path).write_bytes(b"x" * 10)
        return size

    monkeypatch.setattr(os.path, "getsize", size_then_truncate)
    with pytest.raises(ChecksumMismatch):
        store.put_file(original_key(scan.sha256), str(scan.path), scan.sha256)
    monkeypatch.undo()

    assert not store.exists(original_key(scan.sha256))


# The archive end to end, with its originals and page images on SeaweedFS.


@pytest.fixture
def s3_archive(seaweedfs, data_dir, monkeypatch, request):
    """The archive of this test with its objects on SeaweedFS, and a clerk's bearer-token headers."""
    monkeypatch.setenv("DIWAN_OBJECT_STORE", seaweedfs.url(prefix=_prefix(request)))
    reset_settings()
    reset_archive()
    archive = get_archive()
    with archive.db.session() as session:
        accounts.add_department(session, "HR", "الموارد البشرية", "Human resources")
        clerk = accounts.add_user(session, "hr.clerk", "HR", "clerk", "correct horse battery")
        token = accounts.create_token(session, clerk)
    return archive, {"Authorization": f"Bearer {token}"}


def test_archive_end_to_end(s3_archive, seaweedfs, request):
    archive, headers = s3_archive
    pdf = (CORPUS / "pdfjs_ArabicCIDTrueType.pdf").read_bytes()
    client = TestClient(create_app())

    uploaded = client.post("/api/v1/documents", headers=headers, files=[("files", (ARABIC_FILENAME, pdf))])
    assert uploaded.status_code == 201, uploaded.text
    document_id = uploaded.json()["documents"][0]["id"]
    assert isinstance(archive.store, S3ObjectStore)
    assert not hasattr(archive.store, "local_path")

    # process_document is what the Celery task runs; without local_path it downloads the original.
    states = run_locally(archive, pending_documents(archive), 1)
    assert states == {document_id: "indexed"}
    pages = client.get(f"/api/v1/documents/{document_id}/pages", headers=headers).json()
    assert pages[0]["text"].strip() != ""

    original = client.get(f"/api/v1/documents/{document_id}/original", headers=headers, follow_redirects=False)
    assert original.status_code == 307
    assert original.headers["cache-control"] == "no-store"
    location = original.headers["location"]
    assert location.startswith(f"{seaweedfs.endpoint}/{seaweedfs.bucket}/")
    downloaded = httpx.get(location, timeout=10)
    assert downloaded.content == pdf
    assert filename_from_disposition(downloaded.headers["content-disposition"]) == ARABIC_FILENAME

    with archive.db.session(write=False) as session:
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.target_id == str(document_id))).all()
    assert "download" in actions

    prefix = _prefix(request)
    names = {
        item.object_name.removeprefix(f"{prefix}/")
        for item in seaweedfs.client().list_objects(seaweedfs.bucket, f"{prefix}/", recursive=True)
    }
    assert original_key(hashlib.sha256(pdf).hexdigest()) in names
    assert rendition_key(document_id, "page-1.webp") in names
    assert rendition_key(document_id, "thumb-1.webp") in names
    for route, name in (("thumbnail", "thumb-1.webp"), ("image", "page-1.webp")):
        served = client.get(f"/api/v1/documents/{document_id}/pages/1/{route}", headers=headers)
        assert served.status_code == 200
        assert served.content == archive.store.get_bytes(rendition_key(document_id, name))
    client.close()


def test_original_missing_on_s3(s3_archive):
    archive, headers = s3_archive
    client = TestClient(create_app())
    png = (CORPUS / "pillow_arabic_unjoined_forms.png").read_bytes()
    uploaded = client.post("/api/v1/documents", headers=headers, files=[("files", ("a.png", png))])
    document_id = uploaded.json()["documents"][0]["id"]
    archive.store.delete(original_key(hashlib.sha256(png).hexdigest()))

    response = client.get(f"/api/v1/documents/{document_id}/original", headers=headers)
    client.close()

    assert response.status_code == 404
    assert "diwan verify" in response.text
