"""The staff list of applications as a CSV or XLSX file, one row per application.

Each row is taken from the frozen snapshot, so the file shows what the applicant submitted.
CSV files start with a UTF-8 byte order mark, because Excel reads a CSV without one in the
system's legacy code page and garbles Arabic. National IDs, mobile numbers and application
numbers are text: XLSX cells are typed as strings with the text format (@), so Excel keeps a
leading zero and never turns them into numbers or dates.

Values typed by applicants could start with =, +, - or @, which a spreadsheet would run as a
formula. CSV cells that start so get a leading apostrophe, and XLSX cells are stored as
strings, which Excel never evaluates.
"""

import csv
import io
import logging
from collections.abc import Callable, Iterable
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from archive_api.errors import N_
from archive_api.timeutil import to_local
from recruitment.announcements.labels import DEGREE_NAMES, GOVERNORATE_NAMES
from recruitment.applicants.phones import local_form
from recruitment.applications.labels import STATUS_LABELS
from recruitment.applications.models import Application
from recruitment.applications.service import snapshot_of

logger = logging.getLogger(__name__)

BYTE_ORDER_MARK = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TIME_FORMAT = "%Y-%m-%d %H:%M"
TEXT_FORMAT = "@"
SHEET_TITLE = "applications"
MIN_XLSX_COLUMN_WIDTH = 12
MAX_XLSX_COLUMN_WIDTH = 60

# (column key, header msgid); the keys of TEXT_COLUMNS are written as text in XLSX.
COLUMNS = (
    ("number", N_("Application number")),
    ("status", N_("Status")),
    ("submitted_at", N_("Submitted at (Palestine time)")),
    ("announcement", N_("Announcement number")),
    ("job_title", N_("Job title")),
    ("governorate", N_("Governorate")),
    ("full_name", N_("Full name")),
    ("national_id", N_("National ID number")),
    ("birth_date", N_("Date of birth")),
    ("mobile", N_("Mobile number")),
    ("degree_level", N_("Highest degree")),
    ("majors", N_("Majors")),
    ("experience_years", N_("Years of experience")),
    ("documents", N_("Documents")),
)
TEXT_COLUMNS = frozenset({"number", "announcement", "national_id", "mobile", "birth_date", "submitted_at"})

Translate = Callable[[str], str]


def headers(translate: Translate) -> list[str]:
    return [translate(header) for _key, header in COLUMNS]


def row_of(application: Application, document_count: int, translate: Translate) -> dict[str, Any]:
    """Return the export values of one application, by column key."""
    snapshot = snapshot_of(application)
    personal = snapshot["personal"]
    announcement = application.announcement
    degree = application.degree_level
    return {
        "number": application.number,
        "status": translate(STATUS_LABELS.get(application.status, application.status)),
        "submitted_at": to_local(application.submitted_at).strftime(TIME_FORMAT),
        "announcement": announcement.number,
        "job_title": announcement.title_ar,
        "governorate": translate(GOVERNORATE_NAMES.get(announcement.governorate, announcement.governorate)),
        "full_name": personal["full_name"],
        "national_id": personal["national_id"],
        "birth_date": personal["birth_date"],
        "mobile": local_form(personal["mobile"]),
        "degree_level": translate(DEGREE_NAMES[degree]) if degree in DEGREE_NAMES else "",
        "majors": " / ".join(entry["major"] for entry in snapshot["education"]),
        "experience_years": snapshot["experience_years"],
        "documents": document_count,
    }


def _csv_safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(header: list[str], rows: Iterable[dict[str, Any]]) -> bytes:
    """Return the rows as CSV in UTF-8 with a byte order mark, every field quoted."""
    buffer = io.StringIO()
    buffer.write(BYTE_ORDER_MARK)
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_safe(row[key]) for key, _header in COLUMNS])
    return buffer.getvalue().encode("utf-8")


def _xlsx_cell(sheet, key: str, value: Any) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        # openpyxl takes a string that starts with = for a formula unless told otherwise.
        cell.data_type = "s"
    if key in TEXT_COLUMNS:
        cell.number_format = TEXT_FORMAT
    return cell


def xlsx_bytes(header: list[str], rows: Iterable[dict[str, Any]], right_to_left: bool = True) -> bytes:
    """Return the rows as an XLSX workbook with one sheet, right to left for Arabic readers."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_TITLE)
    sheet.sheet_view.rightToLeft = right_to_left
    for index, title in enumerate(header):
        width = min(MAX_XLSX_COLUMN_WIDTH, max(MIN_XLSX_COLUMN_WIDTH, len(title) + 4))
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    sheet.append(header)
    for row in rows:
        sheet.append([_xlsx_cell(sheet, key, row[key]) for key, _header in COLUMNS])

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

