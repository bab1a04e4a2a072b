"""`diwan migrate-storage`: copy this install's records and objects to new backends.

Moving an install (typically the embedded one) to PostgreSQL and an S3 store takes three
steps. This command copies every table and every object while the source stays readable. The
operator then points DIWAN_DATABASE_URL and DIWAN_OBJECT_STORE at the new backends, and
`diwan reindex` fills the new search index from them.

Running the command again brings the target up to date with the source. It inserts new rows,
updates changed ones, deletes removed ones, and copies objects that are not there yet. An
interrupted run therefore resumes, and a last run after stopping the server and workers catches
up with what changed during the first.
"""

import functools
import hashlib
import itertools
import json
import logging
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import click
from sqlalchemy import Engine, Table, bindparam, create_engine, func, insert, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.pool import NullPool

from archive_api.cli.common import EXIT_FAILED, EXIT_INVALID
from archive_api.context import Archive, get_archive
from archive_api.db import Database
from archive_api.documents.models import Blob, Document
from archive_api.errors import N_, DiwanError
from archive_api.i18n import gettext_for
from archive_api.migrate import upgrade_database
from archive_api.models import Base
from archive_api.storage import ObjectStore, masked_store_url, open_object_store, original_key, rendition_key
from archive_api.storage.base import ChecksumMismatch
from archive_api.storage.local import sha256_of_file

logger = logging.getLogger(__name__)

PROGRESS_FILE = "migrate-storage.json"
ORIGINALS_PREFIX = original_key("0" * 64).split("/", 1)[0] + "/"
CHUNK = 1024 * 1024


class MigrationRejected(DiwanError):
    code = "migration_rejected"


class TargetDatabaseUnavailable(DiwanError):
    http_status = 503
    code = "target_database_unavailable"


@dataclass
class TableReport:
    name: str
    inserted: int = 0
    updated: int = 0
    deleted: int = 0


@dataclass
class ObjectReport:
    copied: int = 0
    present: int = 0
    problems: list[str] = field(default_factory=list)


# Database


def _primary_key(table: Table):
    """Return the table's single key column, which keyset reads and matching rows by key need."""
    columns = list(table.primary_key.columns)
    if len(columns) != 1:
        raise RuntimeError(f"table {table.name} has a primary key of {len(columns)} columns; migrate-storage needs one")
    return columns[0]


def _keyset(engine: Engine, table: Table, columns, batch_size: int) -> Iterator[list]:
    """Yield rows of the table in primary-key order, batch by batch.

    Each batch is read on its own connection, so no transaction stays open on either database
    while the copy runs, and only one batch is held in memory.
    """
    key = _primary_key(table)
    last = None
    while True:
        query = select(*columns).order_by(key).limit(batch_size)
        if last is not None:
            query = query.where(key > last)
        with engine.connect() as connection:
            rows = connection.execute(query).all()
        if not rows:
            return
        yield rows
        last = rows[-1]._mapping[key.name]


def _delete_missing(source: Engine, target: Engine, table: Table, batch_size: int) -> int:
    """Delete target rows whose primary key the source no longer has."""
    key = _primary_key(table)
    deleted = 0
    for rows in _keyset(target, table, [key], batch_size):
        keys = [row[0] for row in rows]
        with source.connect() as connection:
            still_in_source = set(connection.scalars(select(key).where(key.in_(keys))))
        removed = [value for value in keys if value not in still_in_source]
        if removed:
            with target.begin() as connection:
                connection.execute(table.delete().where(key.in_(removed)))
            deleted += len(removed)
    return deleted


def _copy_rows(source: Engine, target: Engine, table: Table, batch_size: int) -> tuple[int, int]:
    """Insert source rows missing from the target, update those that differ, and return both counts."""
    key = _primary_key(table)
    inserted = updated = 0
    for rows in _keyset(source, table, [table], batch_size):
        source_rows = {row._mapping[key.name]: dict(row._mapping) for row in rows}
        with target.begin() as connection:
            target_rows = {
                row._mapping[key.name]: dict(row._mapping)
                for row in connection.execute(select(table).where(key.in_(list(source_rows))))
            }
            new_rows = [values for value, values in source_rows.items() if value not in target_rows]
            changed = [
                values for value, values in source_rows.items() if value in target_rows and target_rows[value] != values
            ]
            if new_rows:
                connection.execute(insert(table), new_rows)
            if changed:
                _update_rows(connection, table, changed)
        inserted += len(new_rows)
        updated += len(changed)
    return inserted, updated


def _update_rows(connection, table: Table, rows: list[dict]) -> None:
    key = _primary_key(table)
    columns = [column.name for column in table.columns if column is not key]
    statement = (
        update(table).where(key == bindparam("match_key")).values({name: bindparam(f"new_{name}") for name in columns})
    )
    parameters = [{"match_key": row[key.name], **{f"new_{name}": row[name] for name in columns}} for row in rows]
    connection.execute(statement, parameters)


def _reset_sequences(target: Engine) -> None:
    """Move each PostgreSQL id sequence past the largest copied id, so new rows get fresh ids."""
    if target.dialect.name != "postgresql":
        return
    with target.begin() as connection:
        for table in Base.metadata.sorted_tables:
            key = _primary_key(table)
            if not key.autoincrement or key.type.python_type is not int:
                continue
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence(:table, :column), "  # noqa: S608 - names from metadata
                    f"COALESCE(MAX({key.name}), 0) + 1, false) FROM {table.name}"
                ),
                {"table": table.name, "column": key.name},
            )


def _row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table.name: connection.scalar(select(func.count()).select_from(table))
            for table in Base.metadata.sorted_tables
        }


@functools.lru_cache(maxsize=1)
def seeded_row_counts() -> dict[str, int]:
    """Return each table's row count in a freshly migrated database, such as the audit head row.

    The counts come from migrating a temporary SQLite database, so seed rows that a new
    migration adds are known without a list to keep up to date.
    """
    with tempfile.TemporaryDirectory(prefix="diwan-migrate-seeds-") as folder:
        url = f"sqlite:///{Path(folder) / 'seeded.sqlite3'}"
        upgrade_database(url)
        engine = create_engine(url, poolclass=NullPool)
        try:
            return _row_counts(engine)
        finally:
            engine.dispose()


def used_tables(engine: Engine) -> list[str]:
    """Return the names of the tables that contain more rows than a freshly migrated database."""
    seeded = seeded_row_counts()
    return [name for name, count in _row_counts(engine).items() if count > seeded.get(name, 0)]


def sync_database(source: Engine, target: Engine, batch_size: int) -> list[TableReport]:
    """Make every table of the target equal to the source's, keeping primary keys."""
    tables = Base.metadata.sorted_tables
    reports = {table.name: TableReport(table.name) for table in tables}

    # Deletes go children first and inserts parents first, so foreign keys hold at every step.
    for table in reversed(tables):
        reports[table.name].deleted = _delete_missing(source, target, table, batch_size)
    for table in tables:
        inserted, updated = _copy_rows(source, target, table, batch_size)
        reports[table.name].inserted = inserted
        reports[table.name].updated = updated
        logger.info("table copied table=%s inserted=%s updated=%s", table.name, inserted, updated)

    _reset_sequences(target)
    return [reports[table.name] for table in tables]


# Objects


def _chunks(items: Iterable[str], size: int) -> Iterator[list[str]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def archive_object_keys(database: Engine, store: ObjectStore, batch_size: int) -> Iterator[str]:
    """Keys of every original a blob row names, then of every document's renditions.

    The database drives the walk, so a missing original shows up as a problem and memory stays
    bounded by one batch, however many objects the store holds.
    """
    for rows in _keyset(database, Blob.__table__, [Blob.sha256], batch_size):
        for row in rows:
            yield original_key(row.sha256)
    for rows in _keyset(database, Document.__table__, [Document.id], batch_size):
        for row in rows:
            yield from store.keys(rendition_key(row.id, ""))


@contextmanager
def _local_file(store: ObjectStore, key: str) -> Iterator[tuple[Path, str]]:
    """Yield a local path of the object and the SHA-256 of its bytes.

    A local store hands out its own file. Any other store's object is downloaded to a temporary
    file, hashed on the way, and the file is removed afterwards.
    """
    local_path = getattr(store, "local_path", None)
    if local_path is not None:
        path = local_path(key)
        yield path, sha256_of_file(path)[0]
        return

    handle, temporary = tempfile.mkstemp(prefix="diwan-migrate-")
    try:
        digest = hashlib.sha256()
        with os.fdopen(handle, "wb") as copy, store.open(key) as stream:
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
                copy.write(chunk)
        yield Path(temporary), digest.hexdigest()
    finally:
        os.unlink(temporary)


def _copy_object(source: ObjectStore, target: ObjectStore, key: str) -> str:
    """Copy one object and return "present" or "copied". An original must hash to its key."""
    if target.exists(key):
        return "present"

    with _local_file(source, key) as (path, actual):
        if key.startswith(ORIGINALS_PREFIX) and actual != key.rsplit("/", 1)[-1]:
            raise ChecksumMismatch(
                N_("Stored object %(key)s hashes to %(actual)s; restore it from backup, then run the command again."),
                key=key,
                actual=actual,
            )
        target.put_file(key, str(path), actual)
    return "copied"


def sync_objects(
    keys: Iterable[str], source: ObjectStore, target: ObjectStore, jobs: int, translate=None
) -> ObjectReport:
    """Copy every listed object that the target lacks, in parallel, and report damaged or missing ones.

    Each problem is the error message, translated with `translate` when it is given.
    """
    report = ObjectReport()

    def copy(key: str) -> tuple[str, str]:
        try:
            return key, _copy_object(source, target, key)
        except DiwanError as error:
            return key, error.render(translate)

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        # Keys are fed in chunks so that millions of them never sit in the pool's queue at once.
        for chunk in _chunks(keys, 1000):
            for key, outcome in pool.map(copy, chunk):
                if outcome == "copied":
                    report.copied += 1
                elif outcome == "present":
                    report.present += 1
                else:
                    report.problems.append(outcome)
                    logger.warning("object not copied key=%s", key)
    return report


# Checks and progress


def _masked(url: str) -> str:
    """Return a database URL for messages and the progress file, with its password as ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        # SQLAlchemy's own message repeats the whole string, password included.
        return masked_store_url(url)


def _progress_path(archive: Archive) -> Path:
    return archive.settings.data_dir.resolve() / PROGRESS_FILE


def _started_targets(archive: Archive) -> list[str]:
    path = _progress_path(archive)
    if not path.exists():
        return []
    return json.loads(path.read_text()).get("databases", [])


def _remember_target(archive: Archive, url: str) -> None:
    """Note the target in the data dir, so that a later run accepts the rows there as its own."""
    targets = _started_targets(archive)
    if _masked(url) in targets:
        return
    path = _progress_path(archive)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"databases": [*targets, _masked(url)]}, indent=2) + "\n")


def check_target_database(archive: Archive, target: Engine, url: str) -> None:
    """Reject the current database itself, and a used database that no earlier run started."""
    if _masked(url) == _masked(archive.settings.resolved_database_url):
        raise MigrationRejected(
            N_("The target database %(url)s is the current database; give a new, empty database."), url=_masked(url)
        )
    used = used_tables(target)
    if used and _masked(url) not in _started_targets(archive):
        raise MigrationRejected(
            N_(
                "The target database %(url)s already holds rows in %(tables)s and no earlier "
                "`diwan migrate-storage` run started it; give a new, empty database."
            ),
            url=_masked(url),
            tables=", ".join(used),
        )


def check_target_objects(archive: Archive, url: str) -> None:
    if url.rstrip("/") == archive.settings.resolved_object_store.rstrip("/"):
        raise MigrationRejected(
            N_("The target object store %(url)s is the current store; give another store."), url=masked_store_url(url)
        )


# Messages


# Locale variables in the order gettext reads them. The first one that is set picks the language.
LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def message_language() -> str:
    """Return "ar" when the user's locale is Arabic (such as LANG=ar_JO.UTF-8), otherwise "en"."""
    for name in LOCALE_VARIABLES:
        value = os.environ.get(name, "")
        if value:
            # LANGUAGE may list several, as in ar:en, and the first is the preferred one.
            return "ar" if value.split(":")[0].lower().startswith("ar") else "en"
    return "en"


def _echo(translate, message: str, err: bool = False, **params) -> None:
    text = translate(message)
    click.echo(text % params if params else text, err=err)


def _reports_translated_errors(function):
    """Print a DiwanError as `error: message` in the user's language on stderr, and exit 2."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        translate = gettext_for(message_language())
        try:
            return function(*args, translate=translate, **kwargs)
        except DiwanError as error:
            click.echo(f"error: {error.render(translate)}", err=True)
            sys.exit(EXIT_INVALID)

    return wrapper


def _target_unavailable(url: str, error: Exception) -> TargetDatabaseUnavailable:
    """Wrap a connection or driver error in a DiwanError that keeps the driver's reason, with any password masked."""
    reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
    password = make_url(url).password if not isinstance(error, ArgumentError) else None
    if password:
        reason = reason.replace(str(password), "***")
    return TargetDatabaseUnavailable(
        N_(
            "Could not open the target database %(url)s: %(reason)s. Check the URL's driver, host, port, "
            "user and password, and that the database exists."
        ),
        url=_masked(url),
        reason=reason,
    )


# Command


def _migrate_objects(archive: Archive, url: str, jobs: int, batch_size: int, translate) -> ObjectReport:
    check_target_objects(archive, url)
    target = open_object_store(url)
    keys = archive_object_keys(archive.db.engine, archive.store, batch_size)
    report = sync_objects(keys, archive.store, target, jobs, translate)
    # The report lines are tab-separated fields for scripts, so they stay the same in every language.
    click.echo(f"objects\tcopied {report.copied}\talready there {report.present}\tproblems {len(report.problems)}")
    for problem in report.problems:
        click.echo(f"error: {problem}", err=True)
    return report


def _open_target_database(url: str) -> Database:
    """Migrate the target database to the current schema and open it."""
    try:
        upgrade_database(url)
        return Database(url)
    except (ArgumentError, NoSuchModuleError, DBAPIError) as error:
        raise _target_unavailable(url, error) from None


def _migrate_database(archive: Archive, url: str, batch_size: int) -> None:
    target = _open_target_database(url)
    try:
        check_target_database(archive, target.engine, url)
        _remember_target(archive, url)
        for report in sync_database(archive.db.engine, target.engine, batch_size):
            click.echo(
                f"table\t{report.name}\tinserted {report.inserted}\tupdated {report.updated}\tdeleted {report.deleted}"
            )
    finally:
        target.dispose()


@click.command("migrate-storage")
# The URLs may carry passwords, which the environment keeps out of the process list.
@click.option(
    "--to-database",
    "database_url",
    envvar="DIWAN_MIGRATE_TO_DATABASE",
    help="SQLAlchemy URL of a new, empty database, migrated first (or DIWAN_MIGRATE_TO_DATABASE).",
)
@click.option(
    "--to-objects",
    "objects_url",
    envvar="DIWAN_MIGRATE_TO_OBJECTS",
    help="URL of the new object store, file:///path or s3://bucket?... (or DIWAN_MIGRATE_TO_OBJECTS).",
)
@click.option(
    "--batch-size", type=click.IntRange(1, 100_000), default=1000, show_default=True, help="Rows per transaction."
)
@click.option("--jobs", type=click.IntRange(1, 64), default=4, show_default=True, help="Objects copied at once.")
@_reports_translated_errors
def migrate_storage(database_url: str | None, objects_url: str | None, batch_size: int, jobs: int, translate) -> None:
    """Copy every table and object to new backends. Run it again to resume or to catch up.

    Messages follow the locale (LANGUAGE, LC_ALL, LC_MESSAGES, LANG): Arabic for ar, English otherwise.
    """
    if not database_url and not objects_url:
        raise MigrationRejected(
            N_(
                "Give --to-database, --to-objects or both, or set DIWAN_MIGRATE_TO_DATABASE or "
                "DIWAN_MIGRATE_TO_OBJECTS."
            )
        )
    archive = get_archive()

    problems = 0
    # Objects go first, so that the records copied afterwards find their originals in place.
    if objects_url:
        problems = len(_migrate_objects(archive, objects_url, jobs, batch_size, translate).problems)
    if database_url:
        _migrate_database(archive, database_url, batch_size)

    if problems:
        _echo(
            translate,
            N_(
                "Objects not copied: %(count)s. The copy is incomplete; fix the problems listed above and run "
                "the command again."
            ),
            err=True,
            count=problems,
        )
        sys.exit(EXIT_FAILED)
    _echo(
        translate,
        N_("Done. Point DIWAN_DATABASE_URL and DIWAN_OBJECT_STORE at the new backends, then run `diwan reindex`."),
    )
