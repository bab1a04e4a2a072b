"""`diwan migrate-storage` moves a real install to PostgreSQL and another object store.

test_embedded_install_moves always starts from an embedded install (SQLite, the local store and
Tantivy in the data dir) and moves it to the run's PostgreSQL, S3 server and OpenSearch node,
each started on first use. The other tests copy from whatever the test configuration gives, so
in the scale configuration they copy from PostgreSQL and S3 as well.
"""

import hashlib
import re
import shutil

import pytest
from sqlalchemy import create_engine, select, text, update
from sqlalchemy.pool import NullPool

from archive_api.accounts.service import get_department
from archive_api.context import get_archive, reset_archive
from archive_api.documents.models import STATUS_INDEXED, Blob, Document, Page
from archive_api.models import Base
from archive_api.settings import reset_settings
from archive_api.storage import masked_store_url, open_object_store, original_key, rendition_key
from tests.conftest import BACKEND_VARIABLES
from tests.integration.conftest import write_scan

CORPUS_FILES = (
    "pdfjs_ArabicCIDTrueType.pdf",
    "tabula_arabic_table.pdf",
    "docling_right_to_left_01_ar_en.pdf",
    "pillow_direction_rtl_mixed.png",
)
WORD = re.compile(r"[^\W\d_]{4,}")
LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


@pytest.fixture
def embedded_source():
    """Marks a test whose source install is embedded in every test configuration (see archive)."""


@pytest.fixture
def archive(data_dir, request, monkeypatch, migrated_database):
    """The source install: embedded for tests that use embedded_source, else the configuration's."""
    if "embedded_source" in request.fixturenames:
        for name in BACKEND_VARIABLES:
            monkeypatch.delenv(name, raising=False)
        shutil.copyfile(migrated_database, data_dir / "diwan.sqlite3")
        reset_settings()
        reset_archive()
    return get_archive()


@pytest.fixture
def target(live_servers, tmp_path, request):
    """URLs of an empty migrated database and an empty object store, released after the test."""
    owner = f"{request.node.nodeid}-target"
    postgres = live_servers.get("postgres")
    urls = {"database": postgres.settings_for(owner)["DIWAN_DATABASE_URL"]}
    s3 = live_servers.get("s3") if live_servers.installed("s3") else None
    if s3 is not None:
        urls["objects"] = s3.settings_for(owner)["DIWAN_OBJECT_STORE"]
    else:
        urls["objects"] = f"file://{tmp_path / 'new-objects'}"
    yield urls
    postgres.release(owner)
    if s3 is not None and hasattr(s3, "release"):
        s3.release(owner)


@pytest.fixture
def new_search_url(live_servers, request):
    """An empty index alias on the run's OpenSearch node, deleted after the test."""
    owner = f"{request.node.nodeid}-search"
    server = live_servers.get("opensearch")
    yield server.settings_for(owner)["DIWAN_SEARCH_URL"]
    server.release(owner)


@pytest.fixture(autouse=True)
def english(monkeypatch):
    """Unset the locale, so messages are in English unless a test sets LANG."""
    for name in LOCALE_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def _rows(url: str) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return {
                table.name: [tuple(row) for row in connection.execute(select(table).order_by(*table.primary_key))]
                for table in Base.metadata.sorted_tables
            }
    finally:
        engine.dispose()


def _migrate(run_cli, target, *options: str):
    return run_cli("migrate-storage", "--to-database", target["database"], "--to-objects", target["objects"], *options)


def _switch_to(monkeypatch, target, search_url: str) -> None:
    monkeypatch.setenv("DIWAN_DATABASE_URL", target["database"])
    monkeypatch.setenv("DIWAN_OBJECT_STORE", target["objects"])
    monkeypatch.setenv("DIWAN_SEARCH_URL", search_url)


def _distinct_word(texts: list[str]) -> str:
    words = [word for page in texts for word in WORD.findall(page)]
    return max(words, key=len)


def test_embedded_install_moves(
    embedded_source, run_cli, staff, archive, target, new_search_url, search_json, monkeypatch, tmp_path, corpus
):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in CORPUS_FILES:
        shutil.copyfile(corpus / name, folder / name)
    ingested = run_cli("ingest", str(folder), "--department", "HR", "--wait", "--as", "hr.clerk")
    assert ingested.exit_code == 0, ingested.output
    source_url = archive.settings.resolved_database_url
    assert source_url.startswith("sqlite:")
    assert archive.settings.resolved_object_store.startswith("file:")
    with archive.db.session(write=False) as session:
        texts = {
            document.id: list(session.scalars(select(Page.text).where(Page.document_id == document.id)))
            for document in session.scalars(select(Document))
        }
        renditions = {document_id: list(archive.store.keys(rendition_key(document_id, ""))) for document_id in texts}
    assert len(texts) == len(CORPUS_FILES)

    result = _migrate(run_cli, target)
    assert result.exit_code == 0, result.output
    assert f"objects\tcopied {len(CORPUS_FILES) + sum(map(len, renditions.values()))}\t" in result.stdout
    assert _rows(target["database"]) == _rows(source_url)

    _switch_to(monkeypatch, target, new_search_url)
    reindexed = run_cli("reindex")
    assert reindexed.stdout.strip() == f"reindexed {len(texts)} documents"
    for document_id, pages in texts.items():
        found = search_json(_distinct_word(pages), "hr.reader", "--per-page", "50")
        assert document_id in [hit["id"] for hit in found["hits"]]
    store = open_object_store(target["objects"])
    for document_id, keys in renditions.items():
        assert sorted(store.keys(rendition_key(document_id, ""))) == sorted(keys)
    verified = run_cli("verify")
    assert verified.exit_code == 0, verified.output

    # The id sequences moved past the copied rows, so a new document gets the next id.
    path = write_scan(tmp_path, "after.png", ["إشعار بعد نقل الأرشيف"])
    added = run_cli("ingest", str(path), "--department", "HR", "--wait")
    assert added.exit_code == 0, added.output
    assert int(added.stdout.split("\t")[0]) == max(texts) + 1


def _stored_record(archive, tmp_path, pages: tuple[str, ...]) -> int:
    """Insert an indexed record whose original really is in the store, and return its id."""
    data = " ".join(pages).encode()
    sha256 = hashlib.sha256(data).hexdigest()
    path = tmp_path / f"{sha256}.txt"
    path.write_bytes(data)
    archive.store.put_file(original_key(sha256), str(path), sha256)
    with archive.db.session() as session:
        department = get_department(session, "HR")
        session.add(Blob(sha256=sha256, size=len(data), mime="text/plain"))
        document = Document(
            department_id=department.id,
            blob_sha256=sha256,
            filename=path.name,
            title=pages[0],
            kind="pdf",
            page_count=len(pages),
            status=STATUS_INDEXED,
        )
        session.add(document)
        session.flush()
        for number, page_text in enumerate(pages, start=1):
            session.add(Page(document_id=document.id, number=number, text=page_text, source="text_layer"))
        return document.id


def _original_of(archive, document_id: int) -> str:
    with archive.db.session(write=False) as session:
        return original_key(session.get(Document, document_id).blob_sha256)


def test_second_run_resumes_and_catches_up(run_cli, staff, archive, target, tmp_path):
    partly_copied = _stored_record(archive, tmp_path, ("قرار تعيين", "ملحق القرار"))
    retitled = _stored_record(archive, tmp_path, ("إجازة سنوية",))
    deleted = _stored_record(archive, tmp_path, ("كتاب شكر",))
    assert _migrate(run_cli, target).exit_code == 0

    # What an interrupted first run leaves behind: an object and a row that never arrived.
    target_store = open_object_store(target["objects"])
    lost_key = _original_of(archive, partly_copied)
    target_store.delete(lost_key)
    engine = create_engine(target["database"], poolclass=NullPool)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM pages WHERE document_id = :id AND number = 2"), {"id": partly_copied})
    engine.dispose()
    # What the running archive changed meanwhile.
    with archive.db.session() as session:
        session.execute(update(Document).where(Document.id == retitled).values(title="عنوان جديد"))
        session.execute(Page.__table__.delete().where(Page.document_id == deleted))
        session.execute(Document.__table__.delete().where(Document.id == deleted))

    second = _migrate(run_cli, target)
    assert second.exit_code == 0, second.output
    assert "objects\tcopied 1\t" in second.stdout
    assert "table\tpages\tinserted 1\tupdated 0\tdeleted 1" in second.stdout
    assert "table\tdocuments\tinserted 0\tupdated 1\tdeleted 1" in second.stdout
    assert _rows(target["database"]) == _rows(archive.settings.resolved_database_url)
    assert target_store.exists(lost_key)

    third = _migrate(run_cli, target)
    assert third.exit_code == 0, third.output
    assert "objects\tcopied 0\talready there 3\t" in third.stdout
    assert "table\tdocuments\tinserted 0\tupdated 0\tdeleted 0" in third.stdout


def test_damaged_original_not_copied(run_cli, staff, archive, target, tmp_path):
    damaged = _stored_record(archive, tmp_path, ("شهادة خبرة",))
    missing = _stored_record(archive, tmp_path, ("طلب نقل",))
    healthy = _stored_record(archive, tmp_path, ("قرار ترفيع",))
    archive.store.put_bytes(_original_of(archive, damaged), b"changed on disk")
    archive.store.delete(_original_of(archive, missing))

    result = _migrate(run_cli, target)

    assert result.exit_code == 1
    assert "objects\tcopied 1\talready there 0\tproblems 2" in result.stdout
    assert f"{_original_of(archive, damaged)} hashes to" in result.stderr
    assert f"{_original_of(archive, missing)} is missing" in result.stderr
    target_store = open_object_store(target["objects"])
    assert not target_store.exists(_original_of(archive, damaged))
    assert target_store.exists(_original_of(archive, healthy))


def test_used_database_rejected(run_cli, staff, archive, target):
    engine = create_engine(target["database"], poolclass=NullPool)
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO departments (code, name_ar, name_en, created_at) VALUES ('X', 'س', 'X', now())")
        )
    engine.dispose()

    result = run_cli("migrate-storage", "--to-database", target["database"])

    assert result.exit_code == 2
    assert "already holds rows in departments" in result.stderr


def test_current_backends_rejected(run_cli, archive, monkeypatch):
    monkeypatch.delenv("DIWAN_MIGRATE_TO_DATABASE", raising=False)
    monkeypatch.delenv("DIWAN_MIGRATE_TO_OBJECTS", raising=False)
    database = run_cli("migrate-storage", "--to-database", archive.settings.resolved_database_url)
    objects = run_cli("migrate-storage", "--to-objects", archive.settings.resolved_object_store)
    neither = run_cli("migrate-storage")

    assert database.exit_code == 2
    assert "is the current database" in database.stderr
    assert objects.exit_code == 2
    assert "is the current store" in objects.stderr
    assert neither.exit_code == 2
    assert "Give --to-database, --to-objects or both, or set DIWAN_MIGRATE_TO_DATABASE" in neither.stderr


@pytest.mark.parametrize("table", Base.metadata.sorted_tables, ids=lambda table: table.name)
def test_table_key_supported(table):
    assert len(table.primary_key.columns) == 1


def test_targets_from_environment(run_cli, staff, archive, target, tmp_path, monkeypatch):
    document_id = _stored_record(archive, tmp_path, ("قرار تعيين",))
    monkeypatch.setenv("DIWAN_MIGRATE_TO_DATABASE", target["database"])
    monkeypatch.setenv("DIWAN_MIGRATE_TO_OBJECTS", target["objects"])

    result = run_cli("migrate-storage")

    assert result.exit_code == 0, result.output
    assert open_object_store(target["objects"]).exists(_original_of(archive, document_id))
    assert _rows(target["database"])["documents"] == _rows(archive.settings.resolved_database_url)["documents"]


def test_store_secret_masked():
    masked = masked_store_url("s3://archive?endpoint=http://127.0.0.1:9000&access_key=diwan&secret_key=a/b+c&region=x")

    assert masked == "s3://archive?endpoint=http://127.0.0.1:9000&access_key=diwan&secret_key=***&region=x"


def test_store_userinfo_masked():
    masked = masked_store_url("s3://archive?endpoint=http://minio:p%40ss@127.0.0.1:9000&secret_key=k")

    assert masked == "s3://archive?endpoint=http://minio:***@127.0.0.1:9000&secret_key=***"


def test_unreachable_database_masked(run_cli, archive, live_servers):
    postgres = live_servers.get("postgres")
    url = f"postgresql+psycopg://diwan:Sesame-4711@127.0.0.1:{postgres.port}/no_such_database"

    result = run_cli("migrate-storage", "--to-database", url)

    assert result.exit_code == 2
    assert "Sesame-4711" not in result.output
    assert "postgresql+psycopg://diwan:***@127.0.0.1" in result.stderr
    assert "no_such_database" in result.stderr
    assert "Check the URL's driver, host, port, user and password" in result.stderr


def test_unparsable_database_masked(run_cli, archive):
    result = run_cli("migrate-storage", "--to-database", "postgres ql://diwan:Sesame-4711@db/diwan")

    assert result.exit_code == 2
    assert "Sesame-4711" not in result.output
    assert "diwan:***@db" in result.stderr


def test_unknown_store_masked(run_cli, archive):
    result = run_cli("migrate-storage", "--to-objects", "gs://archive?access_key=diwan&secret_key=Sesame-4711")

    assert result.exit_code == 2
    assert "Sesame-4711" not in result.output
    assert "gs://archive?access_key=diwan&secret_key=***" in result.stderr


def test_bad_store_secret_masked(run_cli, archive):
    result = run_cli(
        "migrate-storage", "--to-objects", "s3://archive?endpoint=ftp://host&access_key=a&secret_key=Sesame-4711"
    )

    assert result.exit_code == 2
    assert "Sesame-4711" not in result.output
    assert "endpoint ftp://host" in result.stderr


def test_messages_in_arabic(run_cli, archive, monkeypatch):
    monkeypatch.setenv("LANG", "ar_JO.UTF-8")

    result = run_cli("migrate-storage")

    assert result.exit_code == 2
    assert "حدِّد الخيار --to-database" in result.stderr


def test_done_message_in_arabic(run_cli, staff, archive, target, tmp_path, monkeypatch):
    _stored_record(archive, tmp_path, ("قرار تعيين",))
    monkeypatch.setenv("LANGUAGE", "ar:en")

    result = _migrate(run_cli, target)

    assert result.exit_code == 0, result.output
    assert "objects\tcopied 1\t" in result.stdout
    assert "diwan reindex" in result.stdout
    assert "Done." not in result.stdout


def test_problem_count_reported(run_cli, staff, archive, target, tmp_path):
    missing = _stored_record(archive, tmp_path, ("طلب نقل",))
    archive.store.delete(_original_of(archive, missing))

    result = _migrate(run_cli, target)

    assert result.exit_code == 1
    assert "Objects not copied: 1. The copy is incomplete" in result.stderr


def test_endpoint_password_masked(run_cli, archive):
    result = run_cli(
        "migrate-storage",
        "--to-objects",
        "s3://archive?endpoint=http://minio:Sesame-4711@host&access_key=a&secret_key=b",
    )

    assert result.exit_code == 2
    assert "Sesame-4711" not in result.output
    assert "http://minio:***@host" in result.stderr


def test_fresh_target_unused(target):
    from archive_api.cli.migrate_storage import seeded_row_counts, used_tables

    engine = create_engine(target["database"], poolclass=NullPool)
    try:
        used = used_tables(engine)
    finally:
        engine.dispose()

    assert used == []
    assert seeded_row_counts()["audit_head"] == 1
