"""upgrade_database on PostgreSQL: processes that start together, the quick check, seeded rows."""

import hashlib
import subprocess
import sys

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.pool import NullPool

from archive_api.audit.models import AuditHead
from archive_api.audit.service import GENESIS_HASH
from archive_api.migrate import head_revisions, is_current, upgrade_database

MIGRATE = "import sys; from archive_api.migrate import upgrade_database; upgrade_database(sys.argv[1])"
PROCESS_TIMEOUT_S = 120


@pytest.fixture
def empty_database(live_servers, request):
    """URL of a new PostgreSQL database without any table, dropped after the test."""
    server = live_servers.get("postgres")
    name = f"empty_{hashlib.sha256(request.node.nodeid.encode()).hexdigest()[:12]}"
    with server.connect() as connection:
        connection.execute(f"CREATE DATABASE {name}")
    yield server.url(name)
    server.drop_database(name)


def _scalar(url: str, statement):
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return connection.scalar(statement)
    finally:
        engine.dispose()


def test_processes_migrate_together(empty_database):
    processes = [
        subprocess.Popen([sys.executable, "-c", MIGRATE, empty_database], stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    errors = [process.communicate(timeout=PROCESS_TIMEOUT_S)[1] for process in processes]

    for process, error in zip(processes, errors, strict=True):
        assert process.returncode == 0, error
    assert {_scalar(empty_database, text("SELECT version_num FROM alembic_version"))} == set(head_revisions())
    assert is_current(empty_database)


def test_new_database_not_current(empty_database):
    assert not is_current(empty_database)


def test_audit_head_seeded(empty_database):
    upgrade_database(empty_database)

    head = _scalar(empty_database, select(AuditHead.last_hash).where(AuditHead.id == 1))

    assert head == GENESIS_HASH


def test_sqlite_seeded_too(tmp_path):
    url = f"sqlite:///{tmp_path / 'new' / 'diwan.sqlite3'}"
    assert not is_current(url)

    upgrade_database(url)

    assert is_current(url)
    assert _scalar(url, select(AuditHead.last_entry_id).where(AuditHead.id == 1)) == 0


def test_missing_head_row_restored(empty_database):
    upgrade_database(empty_database)
    engine = create_engine(empty_database, poolclass=NullPool)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_head"))
    engine.dispose()
    assert not is_current(empty_database)

    upgrade_database(empty_database)

    assert is_current(empty_database)
