"""Bring a database to the newest schema with Alembic, from the CLI, the server and the tests."""

import functools
import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, create_engine, insert, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from archive_api.audit.models import AuditHead
from archive_api.audit.service import GENESIS_HASH

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# Key of the PostgreSQL advisory lock held while migrating. Any fixed 64-bit number works.
MIGRATION_LOCK_KEY = 0x64697761_6E000001


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@functools.cache
def head_revisions() -> frozenset[str]:
    """Return the newest revisions among the migration scripts this process was started with."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def is_current(url: str) -> bool:
    """Return whether the database is at the newest revision and seeded, in one short connection.

    Every process checks its database on start. This check costs two queries, where a no-op
    Alembic run loads every migration script and, on PostgreSQL, takes the migration lock.
    """
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            versions = set(connection.scalars(text("SELECT version_num FROM alembic_version")))
            seeded = connection.scalar(select(AuditHead.id).where(AuditHead.id == 1)) is not None
    except DBAPIError:
        # A new database has no alembic_version table yet; the full upgrade creates it.
        return False
    finally:
        engine.dispose()
    return versions == head_revisions() and seeded


def seed_rows(connection: Connection) -> None:
    """Insert the rows the code expects to find, such as the audit log's head row.

    With the head row in place from the start, the first audit appends of two PostgreSQL
    sessions queue on its row lock instead of both inserting it.
    """
    if connection.scalar(select(AuditHead.id).where(AuditHead.id == 1)) is None:
        connection.execute(insert(AuditHead).values(id=1, last_entry_id=0, last_hash=GENESIS_HASH))


def upgrade_database(url: str) -> None:
    """Apply every pending migration and seed the expected rows. An up-to-date database stays as it is."""
    if is_current(url):
        return
    if not url.startswith("postgresql"):
        command.upgrade(alembic_config(url), "head")
        _seed_sqlite(url)
        return

    # The API and every worker migrate on start. On PostgreSQL they may start together, so
    # each waits for this lock and then finds the schema already current.
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            connection.commit()
            try:
                config = alembic_config(url)
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
                seed_rows(connection)
                connection.commit()
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
                connection.commit()
    finally:
        engine.dispose()


def _seed_sqlite(url: str) -> None:
    from archive_api.db import make_engine

    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            seed_rows(connection)
    finally:
        engine.dispose()
