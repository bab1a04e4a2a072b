"""Shared fixtures: a fresh archive in a temporary data dir, users, and a CLI runner."""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

from archive_api.accounts import service as accounts  # noqa: E402
from archive_api.context import Archive, get_archive, reset_archive  # noqa: E402
from archive_api.settings import reset_settings  # noqa: E402

CORPUS = Path(__file__).parent / "data" / "corpus"
PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database migrated once per run; each test starts from a copy of it."""
    from archive_api.migrate import upgrade_database

    path = tmp_path_factory.mktemp("template") / "diwan.sqlite3"
    upgrade_database(f"sqlite:///{path}")
    return path


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, migrated_database: Path) -> Iterator[Path]:
    """An empty data dir that every backend of this test lives in."""
    directory = tmp_path / "data"
    directory.mkdir()
    shutil.copyfile(migrated_database, directory / "diwan.sqlite3")
    monkeypatch.setenv("DIWAN_DATA_DIR", str(directory))
    reset_settings()
    reset_archive()
    yield directory
    reset_archive()
    reset_settings()


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
