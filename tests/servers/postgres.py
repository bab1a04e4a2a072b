"""A private PostgreSQL server for the scale-out tests, with one database per test.

The server runs from Debian's postgresql package as a child process on 127.0.0.1 with its own
port, its log under the run's temporary directory, and no Unix socket. A template database is
migrated once per run. Each test gets a copy made by `CREATE DATABASE ... TEMPLATE`, and the
copy is dropped when the test ends. Both statements run in a background thread that keeps
READY_DATABASES copies ready, so a test does not wait the 0.1 to 0.4 s that each copy takes.

PostgreSQL refuses to run as root, so under root the server runs as the `postgres` user that
the package creates. That user cannot enter pytest's temporary directories (pytest resets
their parent to mode 0700 whenever another session starts), so its cluster then lives in a
directory of its own under the system temporary directory, removed when the server stops.
"""

import logging
import os
import pwd
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from tests.servers import free_port

logger = logging.getLogger(__name__)

NAME = "postgres"
TEMPLATE = "diwan_template"
SERVICE_USER = "postgres"
START_TIMEOUT_S = 60
READY_DATABASES = 2
STOP_TIMEOUT_S = 30

# Durability is not wanted for throw-away test data, and turning it off makes each CREATE
# DATABASE and each commit cheaper. max_connections covers worker subprocesses and their pools.
SERVER_OPTIONS = {
    "listen_addresses": "127.0.0.1",
    "unix_socket_directories": "",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "300",
    "shared_buffers": "128MB",
    "log_min_messages": "warning",
}


class PostgresNotInstalled(RuntimeError):
    pass



def server_binaries() -> Path:
    """Return the bin directory of the newest PostgreSQL that Debian's packages installed."""
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=lambda path: int(path.parts[-3]))
    if versions:
        return versions[-1].parent
    found = shutil.which("postgres")
    if found:
        return Path(found).resolve().parent
    raise PostgresNotInstalled("PostgreSQL is not installed; run scripts/install-test-servers.sh")


def _service_user() -> str | None:
    """User that runs the server: `postgres` under root, otherwise the current user."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SERVICE_USER)
    except KeyError:
        raise PostgresNotInstalled(
            "the postgres user is missing; install Debian's postgresql package with scripts/install-test-servers.sh"
        ) from None
    return SERVICE_USER


def _cluster_directory(workdir: Path, user: str | None) -> Path:
    """Directory for the cluster, owned by the user that runs the server."""
    if user is None:
        directory = workdir / "cluster"
        directory.mkdir()
        return directory
    directory = Path(tempfile.mkdtemp(prefix="diwan-test-postgres-"))
    record = pwd.getpwnam(user)
    os.chown(directory, record.pw_uid, record.pw_gid)
    return directory


class PostgresServer:
    """A running server; settings_for() gives each test a fresh copy of the migrated template."""

    def __init__(self, directory: Path, cluster: Path, port: int, binaries: Path, user: str | None) -> None:
        self.directory = directory
        self.cluster = cluster
        self.port = port
        self.binaries = binaries
        self.user = user
        self.process: subprocess.Popen | None = None
        self._databases: dict[str, str] = {}
        self._lock = threading.Lock()
        # Each item is a database name, or the exception that creating one raised.
        self._ready: queue.Queue[str | BaseException] = queue.Queue(maxsize=READY_DATABASES)
        self._unused: queue.Queue[str] = queue.Queue()
        self._stopping = threading.Event()
        self._housekeeper: threading.Thread | None = None

    @property
    def data_dir(self) -> Path:
        return self.cluster / "data"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{SERVICE_USER}@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str = "postgres"):
        """Open an autocommit psycopg connection, as needed for CREATE and DROP DATABASE."""
        import psycopg

        return psycopg.connect(
            host="127.0.0.1", port=self.port, user=SERVICE_USER, dbname=database, autocommit=True, connect_timeout=10
        )

    def _run(self, *command: str) -> None:
        result = subprocess.run(command, capture_output=True, text=True, cwd=self.cluster, **self._identity())
        if result.returncode != 0:
            raise RuntimeError(f"{Path(command[0]).name} failed with code {result.returncode}: {result.stderr[-2000:]}")

    def _identity(self) -> dict:
        """Return the process user and groups. Root's group must go too, or the 0700 parents stay closed."""
        if self.user is None:
            return {}
        return {"user": self.user, "group": self.user, "extra_groups": []}

    def initialise(self) -> None:
        self._run(
            str(self.binaries / "initdb"),
            "--pgdata",
            str(self.data_dir),
            "--username",
            SERVICE_USER,
            "--auth",
            "trust",
            "--encoding",
            "UTF8",
            "--locale",
            "C.UTF-8",
            "--no-sync",
        )

    def launch(self) -> None:
        """Start the postmaster as a child process and wait until it accepts connections."""
        options = ["-p", str(self.port)]
        for name, value in SERVER_OPTIONS.items():
            options += ["-c", f"{name}={value}"]
        # The log is opened here, so the server writes it through the inherited descriptor even
        # where its own user may not enter the directory.
        log = (self.directory / "postgres.log").open("ab")
        self.process = subprocess.Popen(
            [str(self.binaries / "postgres"), "-D", str(self.data_dir), *options],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.cluster,
            start_new_session=True,
            **self._identity(),
        )
        log.close()
        self._wait_until_ready()

    def _wait_until_ready(self) -> None:
        import psycopg

        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"postgres exited with code {self.process.returncode}; see {self.directory / 'postgres.log'}"
                )
            try:
                with self.connect():
                    return
            except psycopg.OperationalError:
                time.sleep(0.1)
        raise RuntimeError(f"postgres did not accept connections on port {self.port} within {START_TIMEOUT_S} s")

    def create_template(self) -> None:
        from archive_api.migrate import upgrade_database

        with self.connect() as connection:
            connection.execute(f"CREATE DATABASE {TEMPLATE}")
        upgrade_database(self.url(TEMPLATE))

    def create_database(self, name: str) -> None:
        # FILE_COPY copies the template's files instead of logging every block, which is about
        # twice as fast for a small template.
        with self.connect() as connection:
            connection.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE} STRATEGY FILE_COPY")

    def drop_database(self, name: str) -> None:
        # FORCE ends connections that a test left open, such as a killed worker's pool.
        with self.connect() as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def start_housekeeping(self) -> None:
        self._housekeeper = threading.Thread(
            target=self._keep_databases_ready, name="postgres-test-databases", daemon=True
        )
        self._housekeeper.start()

    def _keep_databases_ready(self) -> None:
        """Drop released copies and create new ones until the server stops."""
        for number in range(1, 1_000_000):
            self._drop_unused()
            name = f"diwan_test_{number}"
            try:
                self.create_database(name)
                item: str | BaseException = name
            except Exception as error:
                item = error
            while not self._stopping.is_set():
                try:
                    self._ready.put(item, timeout=0.2)
                    break
                except queue.Full:
                    self._drop_unused()
            if self._stopping.is_set():
                return

    def _drop_unused(self) -> None:
        while not self._unused.empty():
            name = self._unused.get_nowait()
            try:
                self.drop_database(name)
            except Exception:
                # A copy left behind costs a few MB until the cluster is removed at the end of the run.
                logger.exception("could not drop test database %s", name)

    def settings_for(self, test_id: str) -> dict[str, str]:
        item = self._ready.get(timeout=START_TIMEOUT_S)
        if isinstance(item, BaseException):
            raise item
        with self._lock:
            self._databases[test_id] = item
        return {"DIWAN_DATABASE_URL": self.url(item)}

    def release(self, test_id: str) -> None:
        with self._lock:
            name = self._databases.pop(test_id, None)
        if name is not None:
            self._unused.put(name)

    def stop(self) -> None:
        self._stopping.set()
        if self._housekeeper is not None:
            self._housekeeper.join(STOP_TIMEOUT_S)
        if self.process is not None and self.process.poll() is None:
            # SIGQUIT makes PostgreSQL shut down at once, because nothing here needs to survive the run.
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.cluster, ignore_errors=True)


def start(workdir: Path) -> PostgresServer:
    """Initialise a cluster under workdir/postgres, start it and migrate the template database."""
    binaries = server_binaries()
    user = _service_user()
    directory = workdir / NAME
    directory.mkdir(parents=True, exist_ok=True)

    server = PostgresServer(directory, _cluster_directory(directory, user), free_port(), binaries, user)
    try:
        server.initialise()
        server.launch()
        server.create_template()
        server.start_housekeeping()
    except BaseException:
        server.stop()
        raise
    logger.info("postgres started port=%s", server.port)
    return server
