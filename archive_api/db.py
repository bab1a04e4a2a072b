"""Database engine and sessions, with SQLite tuned for several processes."""

import logging
import os
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

logger = logging.getLogger(__name__)


class Base(DeclarativeBase):
    pass


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL and a busy timeout so the server and workers share it."""
    if not url.startswith("sqlite"):
        # pre_ping replaces connections that a database restart or a failover closed, and
        # recycling keeps them younger than the idle timeouts of poolers and firewalls.
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, pool_recycle=1800)

    database_path = url.removeprefix("sqlite:///")
    if database_path and database_path != ":memory:":
        Path(database_path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    # pysqlite's own transaction handling defers BEGIN, so a read that later writes cannot take
    # the write lock in time; issuing BEGIN IMMEDIATE on write-capable sessions avoids
    # "database is locked" between processes. Reads stay on plain BEGIN.
    @event.listens_for(engine, "begin")
    def _sqlite_begin(connection) -> None:
        write = connection.get_execution_options().get("diwan_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def _disable_pysqlite_autobegin(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _no_autobegin(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None


def _forget_connections_after_fork(engine: Engine) -> None:
    """Make a forked child (a Celery pool process) open its own connections.

    A pooled connection's socket copied into a child would be shared by two processes, which
    corrupts the PostgreSQL protocol stream. close=False leaves the parent's connections open.
    """
    reference = weakref.ref(engine)

    def forget() -> None:
        inherited = reference()
        if inherited is not None:
            inherited.dispose(close=False)

    os.register_at_fork(after_in_child=forget)


class Database:
    """One engine and session factory per process and database URL."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        if url.startswith("sqlite"):
            _disable_pysqlite_autobegin(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        _forget_connections_after_fork(self.engine)
        # On SQLite, sessions that may write begin with BEGIN IMMEDIATE (see make_engine); the
        # option rides on the bind, so it holds for every transaction of the session.
        self._write_bind = self.engine.execution_options(diwan_write=True)

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @contextmanager
    def session(self, write: bool = True) -> Iterator[Session]:
        """Yield a session that commits on success and rolls back on error."""
        session = self._sessions(bind=self._write_bind if write and self.is_sqlite else self.engine)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
