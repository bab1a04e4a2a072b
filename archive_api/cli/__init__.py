"""The `diwan` command line. Its command names and options are a contract for other tools."""

import os
from pathlib import Path

import click

from archive_api.cli.accounts import department, grant, token, user
from archive_api.cli.ingest import ingest, retry, status
from archive_api.cli.maintenance import migrate, reindex, verify
from archive_api.cli.migrate_storage import migrate_storage
from archive_api.cli.recruitment import recruitment
from archive_api.cli.search import search
from archive_api.cli.server import demo, serve, worker
from archive_api.context import reset_archive
from archive_api.logs import configure_logging
from archive_api.settings import get_settings, reset_settings


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="DIWAN_DATA_DIR",
    default="data",
    show_default=True,
    help="Directory holding the database, objects and index of the embedded defaults.",
)
def cli(data_dir: Path) -> None:
    """Diwan: the personnel archive and recruitment platform."""
    os.environ["DIWAN_DATA_DIR"] = str(data_dir.resolve())
    reset_settings()
    reset_archive()
    configure_logging(os.environ.get("DIWAN_LOG_LEVEL", "WARNING"))
    _note_new_archive(get_settings())


def _note_new_archive(settings) -> None:
    """Say so when a command is about to create an empty archive, the usual sign of a wrong folder."""
    if settings.database_url:
        return
    database = settings.data_dir / "diwan.sqlite3"
    if not database.exists():
        click.echo(
            f"note: there is no archive in {settings.data_dir.resolve()}, so a new empty one is created; "
            "use --data-dir or DIWAN_DATA_DIR to work on an existing archive",
            err=True,
        )


for command in (
    department,
    user,
    token,
    grant,
    ingest,
    retry,
    status,
    search,
    reindex,
    verify,
    migrate,
    migrate_storage,
    serve,
    worker,
    demo,
    recruitment,
):
    cli.add_command(command)


def main() -> None:
    cli()
