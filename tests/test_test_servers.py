"""The private PostgreSQL and Redis servers give each test a space of its own, and data_dir uses them."""

import os
import time

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.pool import NullPool

from archive_api.accounts.models import Department
from archive_api.migrate import is_current
from tests.conftest import backend_configuration

DROP_WAIT_S = 30


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
