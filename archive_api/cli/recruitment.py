"""Recruitment commands: importing the council's yearly figures."""

from pathlib import Path

import click

from archive_api.cli.common import reports_errors
from archive_api.context import get_archive
from recruitment.statistics.importer import import_figures, read_figures_csv


@click.group()
def recruitment() -> None:
    """Manage the recruitment portal."""


@recruitment.command("import-statistics")
@click.argument("csv_file", metavar="CSV", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--source", help="Where the figures come from, kept with each year; default: the file name.")
@reports_errors
def import_statistics(csv_file: Path, source: str | None) -> None:
    """Import yearly figures from CSV (year,applications,applicants,vacancies,announcements).

    The whole file is checked first; a year already stored is replaced.
    """
    rows = read_figures_csv(csv_file)
    with get_archive().db.session() as session:
        imported = import_figures(session, rows, source or csv_file.name)

    for item, row in zip(imported, rows, strict=True):
        state = "replaced" if item.replaced else "added"
        click.echo(f"{row.year}\t{state}\t{row.applications}\t{row.applicants}\t{row.vacancies}\t{row.announcements}")
