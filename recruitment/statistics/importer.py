"""Importing the council's yearly figures from CSV.

The file is UTF-8 CSV with the header year,applications,applicants,vacancies,announcements
(in any order) and one row per year. The whole file is checked before anything is written:
one bad value stops the import, and every problem is listed with its line and column.
Importing a year that is already stored replaces its figures.
"""

import csv
import io
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from archive_api.accounts.models import User
from archive_api.audit.service import record
from archive_api.errors import N_, DiwanError
from archive_api.timeutil import to_local, utcnow
from recruitment.statistics.models import YearlyFigures

logger = logging.getLogger(__name__)

COLUMNS = ("year", "applications", "applicants", "vacancies", "announcements")
FIRST_YEAR = 2000
# A file with more rows than this is not a table of yearly figures.
MAX_ROWS = 500
_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")


class InvalidStatisticsFile(DiwanError):
    """The file cannot be imported; `problems` lists every bad line and column."""

    code = "invalid_statistics_file"

    def __init__(self, message: str, problems: list[str] | None = None, **params) -> None:
        self.problems = problems or []
        super().__init__(message, **params)


@dataclass(frozen=True)
class YearRow:
    year: int
    applications: int
    applicants: int
    vacancies: int
    announcements: int


@dataclass(frozen=True)
class ImportedYear:
    year: int
    replaced: bool


def _problem(message: str, **params) -> str:
    return DiwanError(message, **params).render()


def read_figures_csv(path: Path) -> list[YearRow]:
    """Read and check the whole file; raise InvalidStatisticsFile listing every problem."""
    text = _read_text(path)
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise InvalidStatisticsFile(
            N_("Statistics file %(file)s is empty; it needs the header %(header)s and one row per year."),
            file=path.name,
            header=",".join(COLUMNS),
        )

    positions, problems = _read_header(rows[0])
    if problems:
        raise _invalid(path, problems)

    parsed: list[tuple[int, YearRow]] = []
    for line_number, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        row = _read_row(line_number, cells, positions, problems)
        if row is not None:
            parsed.append((line_number, row))

    _check_years(parsed, problems)
    if not parsed and not problems:
        raise InvalidStatisticsFile(
            N_("Statistics file %(file)s has a header but no rows; add one row per year."), file=path.name
        )
    if len(parsed) > MAX_ROWS:
        problems.append(_problem(N_("The file has %(count)d rows; import at most %(maximum)d years at once."),
                                 count=len(parsed), maximum=MAX_ROWS))
    if problems:
        raise _invalid(path, problems)
    return [row for _line, row in parsed]


def _invalid(path: Path, problems: list[str]) -> InvalidStatisticsFile:
    return InvalidStatisticsFile(
        N_("Statistics file %(file)s has %(count)d problems, so nothing was imported; correct them and import "
           "the file again."),
        problems,
        file=path.name,
        count=len(problems),
    )


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InvalidStatisticsFile(
            N_("Statistics file %(file)s cannot be read (%(reason)s); check the path."),
            file=str(path),
            reason=error.strerror or type(error).__name__,
        ) from None
    try:
        # utf-8-sig drops the byte order mark that spreadsheet programs write.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidStatisticsFile(
            N_("Statistics file %(file)s is not UTF-8 text; save it as CSV UTF-8 and import it again."),
            file=path.name,
        ) from None


def _read_header(header: list[str]) -> tuple[dict[str, int], list[str]]:
    names = [cell.strip().lower() for cell in header]
    problems = []
    for index, name in enumerate(names):
        if name not in COLUMNS:
            problems.append(_problem(
                N_("line 1, column %(position)d: %(value)r is not a known column; the header is %(header)s."),
                position=index + 1, value=header[index], header=",".join(COLUMNS)))
        elif names.index(name) != index:
            problems.append(_problem(N_("line 1: column %(column)s appears twice; give it once."), column=name))
    for column in COLUMNS:
        if column not in names:
            problems.append(_problem(N_("line 1: column %(column)s is missing; the header is %(header)s."),
                                     column=column, header=",".join(COLUMNS)))
    return {name: names.index(name) for name in COLUMNS if name in names}, problems


def _read_row(line: int, cells: list[str], positions: dict[str, int], problems: list[str]) -> YearRow | None:
    if len(cells) != len(positions):
        problems.append(_problem(
            N_("line %(line)d: %(count)d values for %(columns)d columns; give one value per column."),
            line=line, count=len(cells), columns=len(positions)))
        return None

    values: dict[str, int] = {}
    for column, position in positions.items():
        value = cells[position].strip()
        if not value:
            problems.append(_problem(N_("line %(line)d, column %(column)s: the value is empty; enter a whole "
                                        "number."), line=line, column=column))
        elif not _WHOLE_NUMBER.fullmatch(value):
            problems.append(_problem(
                N_("line %(line)d, column %(column)s: %(value)r is not a whole number; write digits only, "
                   "without signs or separators."), line=line, column=column, value=value))
        else:
            values[column] = int(value)
    if len(values) != len(COLUMNS):
        return None

    row = YearRow(**values)
    before = len(problems)
    _check_row(line, row, problems)
    return row if len(problems) == before else None


def _check_row(line: int, row: YearRow, problems: list[str]) -> None:
    last_year = to_local(utcnow()).year
    if not FIRST_YEAR <= row.year <= last_year:
        problems.append(_problem(
            N_("line %(line)d, column year: %(value)d is outside %(first)d to %(last)d; give the year of "
               "the figures."), line=line, value=row.year, first=FIRST_YEAR, last=last_year))
    if row.applicants > row.applications:
        problems.append(_problem(
            N_("line %(line)d, column applicants: %(applicants)d distinct applicants is more than "
               "%(applications)d applications; every applicant made at least one application."),
            line=line, applicants=row.applicants, applications=row.applications))
    if row.vacancies < row.announcements:
        problems.append(_problem(
            N_("line %(line)d, column vacancies: %(vacancies)d vacancies is fewer than %(announcements)d "
               "announcements; every announcement has at least one vacancy."),
            line=line, vacancies=row.vacancies, announcements=row.announcements))


def _check_years(parsed: list[tuple[int, YearRow]], problems: list[str]) -> None:
    first_line: dict[int, int] = {}
    for line, row in parsed:
        if row.year in first_line:
            problems.append(_problem(
                N_("line %(line)d, column year: %(value)d already appears on line %(first)d; give each year "
                   "once."), line=line, value=row.year, first=first_line[row.year]))
        first_line.setdefault(row.year, line)


def import_figures(
    session: Session, rows: list[YearRow], source: str, actor: User | None = None
) -> list[ImportedYear]:
    """Store each year's figures, replacing a year already stored; audited in the caller's transaction."""
    imported = []
    for row in rows:
        stored = session.get(YearlyFigures, row.year)
        if stored is None:
            stored = YearlyFigures(year=row.year)
            session.add(stored)
        imported.append(ImportedYear(row.year, replaced=stored.applications is not None))
        stored.applications = row.applications
        stored.applicants = row.applicants
        stored.vacancies = row.vacancies
        stored.announcements = row.announcements
        stored.source = source[:200]
        stored.imported_at = utcnow()
    session.flush()

    record(session, actor, "statistics_import", "recruitment_statistics", None,
           {"source": source, "years": [item.year for item in imported]},
           actor_label=None if actor else "cli")
    logger.info("yearly recruitment figures imported years=%d", len(imported))
    return imported
