"""The private test servers give each test a space of its own, and data_dir uses them.

OpenSearch's install and check steps run with the standard library alone and find the Arabic filters.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.pool import NullPool

from archive_api.accounts.models import Department
from archive_api.migrate import is_current
from tests.conftest import LiveServers, backend_configuration
from tests.servers import opensearch

DROP_WAIT_S = 30
ROOT = Path(__file__).resolve().parent.parent


def _count_departments(url: str) -> int:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(Department))
    finally:
        engine.dispose()


def _database_names(server) -> set[str]:
    with server.connect() as connection:
        return {row[0] for row in connection.execute("SELECT datname FROM pg_database")}


def test_postgres_copies_separate(live_servers):
    server = live_servers.get("postgres")
    first = server.settings_for("isolation-first")["DIWAN_DATABASE_URL"]
    second = server.settings_for("isolation-second")["DIWAN_DATABASE_URL"]
    try:
        engine = create_engine(first, poolclass=NullPool)
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO departments (code, name_ar, name_en, created_at) VALUES ('HR', 'ش', 'HR', now())")
            )
        engine.dispose()

        assert first != second
        assert is_current(first)
        assert is_current(second)
        assert _count_departments(first) == 1
        assert _count_departments(second) == 0
    finally:
        server.release("isolation-first")
        server.release("isolation-second")


def test_postgres_copy_dropped(live_servers):
    server = live_servers.get("postgres")
    url = server.settings_for("dropped")["DIWAN_DATABASE_URL"]
    name = url.rsplit("/", 1)[-1]
    assert name in _database_names(server)

    server.release("dropped")

    deadline = time.monotonic() + DROP_WAIT_S
    while name in _database_names(server) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert name not in _database_names(server)


def test_redis_database_emptied(live_servers):
    server = live_servers.get("redis")
    url = server.settings_for("emptied")["DIWAN_BROKER_URL"]
    number = int(url.rsplit("/", 1)[-1])
    client = server.client(number)
    client.set("left-behind", "1")

    server.release("emptied")

    assert client.dbsize() == 0
    assert number != 0


def test_redis_databases_differ(live_servers):
    server = live_servers.get("redis")
    try:
        first = server.settings_for("first")["DIWAN_BROKER_URL"]
        second = server.settings_for("second")["DIWAN_BROKER_URL"]
        assert first != second
    finally:
        server.release("first")
        server.release("second")


@pytest.mark.skipif(backend_configuration() != "scale", reason="only the scale configuration sets server URLs")
def test_data_dir_uses_servers(data_dir):
    assert os.environ["DIWAN_DATABASE_URL"].startswith("postgresql+psycopg://postgres@127.0.0.1:")
    assert os.environ["DIWAN_BROKER_URL"].startswith("redis://127.0.0.1:")


@pytest.mark.skipif(backend_configuration() != "embedded", reason="the scale configuration sets server URLs")
def test_data_dir_embedded(data_dir):
    assert "DIWAN_DATABASE_URL" not in os.environ
    assert "DIWAN_BROKER_URL" not in os.environ
    assert (data_dir / "diwan.sqlite3").is_file()


def test_opensearch_module_needs_stdlib_only():
    # -S leaves out site-packages, as on the fresh machine where install-test-servers.sh runs it.
    result = subprocess.run(
        [sys.executable, "-S", "-m", "tests.servers.opensearch", "unpack"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 2, result.stderr
    assert "usage: python -m tests.servers.opensearch install|check" in result.stderr


def test_arabic_classes_missing_reported(tmp_path):
    (tmp_path / "lib").mkdir()
    (tmp_path / "modules" / "analysis-common").mkdir(parents=True)

    missing = opensearch.missing_arabic_classes(tmp_path)

    assert len(missing) == 3
    assert any("ArabicStemTokenFilterFactory" in entry for entry in missing)


def test_installed_opensearch_has_arabic_classes():
    home = opensearch.install(opensearch.OPENSEARCH)

    assert opensearch.missing_arabic_classes(home) == []


def test_opensearch_analyzes_arabic(live_servers):
    server = live_servers.get("opensearch")
    if server.engine is not opensearch.OPENSEARCH:
        pytest.skip("only the OpenSearch distribution here has the Arabic filters")

    assert opensearch.analyze_arabic_sample(server) == opensearch.ARABIC_TERMS


class RecordingServer:
    """Stands in for a started server: gives one variable and records releases."""

    def __init__(self, variable: str) -> None:
        self.variable = variable
        self.released: list[str] = []

    def settings_for(self, test_id: str) -> dict[str, str]:
        return {self.variable: test_id}

    def release(self, test_id: str) -> None:
        self.released.append(test_id)


def test_on_demand_server_not_applied(tmp_path):
    servers = LiveServers(tmp_path)
    redis_server = RecordingServer("DIWAN_BROKER_URL")
    kannel_server = RecordingServer("DIWAN_SMS_URL")
    servers.started.update(redis=redis_server, kannel=kannel_server)

    settings = servers.settings_for("a-test")
    servers.release("a-test")

    assert settings == {"DIWAN_BROKER_URL": "a-test"}
    assert redis_server.released == ["a-test"]
    assert kannel_server.released == []
