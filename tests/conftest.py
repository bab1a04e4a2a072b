"""Shared fixtures: a fresh archive in a temporary data dir, users, and a CLI runner.

The suite runs in one of two configurations, chosen by DIWAN_TEST_BACKENDS:

- `embedded` (the default): each test's data dir contains SQLite, the local object store, the
  Tantivy index and the filesystem broker.
- `scale`: every module in SCALE_SERVERS that exists under tests/servers/ starts its server once
  per run, and the `data_dir` fixture sets the DIWAN_* variables that give the test its own
  database, bucket, index or key space on each of them. The data dir still exists and contains
  whatever those variables leave embedded.

Tests that need one server in both configurations (several workers on Redis, a migration to
PostgreSQL) ask `live_servers.get(name)`, which starts the server on first use.
"""

import importlib
import importlib.util
import logging
import os
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

from archive_api.accounts import service as accounts  # noqa: E402
from archive_api.context import Archive, get_archive, reset_archive  # noqa: E402
from archive_api.settings import reset_settings  # noqa: E402

logger = logging.getLogger(__name__)

CORPUS = Path(__file__).parent / "data" / "corpus"
PASSWORD = "correct horse battery"

CONFIGURATIONS = ("embedded", "scale")
# Modules under tests/servers/, each with start(workdir) -> server; a missing module is skipped.
SCALE_SERVERS = ("postgres", "redis", "s3", "opensearch")
# Backend variables from the shell are dropped, so a test uses only what its configuration sets.
BACKEND_VARIABLES = ("DIWAN_DATABASE_URL", "DIWAN_OBJECT_STORE", "DIWAN_SEARCH_URL", "DIWAN_BROKER_URL")


def backend_configuration() -> str:
    """Return the configuration named by DIWAN_TEST_BACKENDS, embedded when unset."""
    configuration = os.environ.get("DIWAN_TEST_BACKENDS", "") or "embedded"
    if configuration not in CONFIGURATIONS:
        raise pytest.UsageError(f"DIWAN_TEST_BACKENDS is {configuration!r}; set it to embedded or scale")
    return configuration


def pytest_report_header(config) -> str:
    return f"backends: {backend_configuration()} (DIWAN_TEST_BACKENDS)"


def _interrupt(_signal_number, _frame) -> None:
    raise KeyboardInterrupt


def pytest_configure(config) -> None:
    # A job runner stops pytest with SIGTERM, which skips fixture teardown and would leave the
    # test servers running. As a KeyboardInterrupt it unwinds through every teardown.
    signal.signal(signal.SIGTERM, _interrupt)


class LiveServers:
    """The real servers of this run, each started at most once and stopped when the run ends."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.started: dict[str, object] = {}

    @staticmethod
    def installed(name: str) -> bool:
        return importlib.util.find_spec(f"tests.servers.{name}") is not None

    def get(self, name: str):
        """Return the running server of tests/servers/<name>.py, starting it on first use."""
        if name not in self.started:
            module = importlib.import_module(f"tests.servers.{name}")
            self.started[name] = module.start(self.workdir)
        return self.started[name]

    def _scale_servers(self) -> list[tuple[str, object]]:
        """Started servers of SCALE_SERVERS. Servers that tests start themselves, such as Kannel, are left out."""
        return [(name, self.started[name]) for name in SCALE_SERVERS if name in self.started]

    def settings_for(self, test_id: str) -> dict[str, str]:
        """Merge the DIWAN_* variables that every started server of SCALE_SERVERS gives this test.

        A server outside SCALE_SERVERS gives settings only to the tests that ask it, so an SMS
        test that started Kannel does not configure a gateway for every later test.
        """
        settings: dict[str, str] = {}
        for _, server in self._scale_servers():
            settings.update(server.settings_for(test_id))
        return settings

    def release(self, test_id: str) -> None:
        """Let every server of SCALE_SERVERS drop what it created for the test (servers without release() keep it)."""
        for name, server in self._scale_servers():
            release = getattr(server, "release", None)
            if release is None:
                continue
            try:
                release(test_id)
            except Exception:
                # A leftover database or key space costs disk only; it must not fail the next test.
                logger.exception("could not release test resources server=%s test=%s", name, test_id)

    def stop(self) -> None:
        for name, server in reversed(self.started.items()):
            try:
                server.stop()
            except Exception:
                logger.exception("could not stop test server %s", name)
        self.started.clear()


@pytest.fixture(scope="session")
def live_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServers]:
    """The run's servers; in the scale configuration every installed one is started up front."""
    servers = LiveServers(tmp_path_factory.mktemp("servers"))
    try:
        if backend_configuration() == "scale":
            for name in SCALE_SERVERS:
                if servers.installed(name):
                    servers.get(name)
        yield servers
    finally:
        servers.stop()


@pytest.fixture(scope="session")
def scale_servers(live_servers: LiveServers) -> LiveServers | None:
    """The started servers in the scale configuration, None in the embedded one."""
    return live_servers if backend_configuration() == "scale" else None


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database migrated once per run; each test starts from a copy of it."""
    from archive_api.migrate import upgrade_database

    path = tmp_path_factory.mktemp("template") / "diwan.sqlite3"
    upgrade_database(f"sqlite:///{path}")
    return path


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Iterator[Path]:
    """An empty data dir for this test, plus its own space on every server of the scale configuration."""
    directory = tmp_path / "data"
    directory.mkdir()
    monkeypatch.setenv("DIWAN_DATA_DIR", str(directory))
    for name in BACKEND_VARIABLES:
        monkeypatch.delenv(name, raising=False)

    servers = request.getfixturevalue("scale_servers")
    test_id = request.node.nodeid
    settings = servers.settings_for(test_id) if servers else {}
    if "DIWAN_DATABASE_URL" not in settings:
        shutil.copyfile(request.getfixturevalue("migrated_database"), directory / "diwan.sqlite3")
    for name, value in settings.items():
        monkeypatch.setenv(name, value)

    reset_settings()
    reset_archive()
    yield directory
    reset_archive()
    reset_settings()
    if servers:
        servers.release(test_id)


@pytest.fixture
def archive(data_dir: Path) -> Archive:
    return get_archive()


@pytest.fixture
def corpus() -> Path:
    return CORPUS


class People:
    """Creates departments and users with a known password."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive

    def department(self, code: str, name_en: str | None = None) -> str:
        with self.archive.db.session() as session:
            accounts.add_department(session, code, f"دائرة {code}", name_en or f"{code} department")
        return code

    def user(self, username: str, department: str, role: str = "clerk", password: str | None = PASSWORD) -> str:
        with self.archive.db.session() as session:
            accounts.add_user(session, username, department, role, password)
        return username

    def token(self, username: str) -> str:
        with self.archive.db.session() as session:
            return accounts.create_token(session, accounts.get_user(session, username))


@pytest.fixture
def people(archive: Archive) -> People:
    return People(archive)


@pytest.fixture
def run_cli(data_dir: Path):
    """Invoke `diwan` in-process with this test's data dir; returns the click Result."""
    from archive_api.cli import cli

    runner = CliRunner()

    def invoke(*arguments: str, input: str | None = None):
        return runner.invoke(cli, ["--data-dir", str(data_dir), *arguments], input=input, catch_exceptions=False)

    return invoke
