"""CSV manifests that describe the files of a bulk import.

Columns (header row required, UTF-8): file, title, type, employee_number, date. Only `file` is
required; it matches a file's name or its path relative to the imported folder. The whole
manifest is checked before any file is accepted, so a bad row stops the import with nothing
half done.
"""

import csv
import io
import logging
from dataclasses import dataclass
from pathlib import Path

from archive_api.documents.metadata import DocumentMetadata, InvalidMetadata, clean_metadata
from archive_api.errors import N_, DiwanError

logger = logging.getLogger(__name__)

COLUMNS = ("file", "title", "type", "employee_number", "date")
MAX_MANIFEST_BYTES = 20 * 1024 * 1024


class InvalidManifest(DiwanError):
    code = "invalid_manifest"

    def __init__(self, message: str, problems: list[str] | None = None, **params) -> None:
        self.problems = problems or []
        super().__init__(message, **params)


@dataclass(frozen=True)
class Manifest:
    rows: dict[str, DocumentMetadata]

    def metadata_for(self, path: Path, root: Path | None) -> DocumentMetadata | None:
        if root is not None and path.is_relative_to(root):
            relative = path.relative_to(root).as_posix()
            if relative in self.rows:
                return self.rows[relative]
        return self.rows.get(path.name)


def _decode(raw: bytes, name: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidManifest(
            N_("Manifest %(file)s is not UTF-8 (byte %(offset)d); save it as CSV UTF-8 and try again."),
            file=name,
            offset=error.start,
        ) from None


def _read_header(reader, name: str) -> list[str]:
    header = next(reader, None)
    if not header:
        raise InvalidManifest(
            N_("Manifest %(file)s is empty; add a header row: %(columns)s."), file=name, columns=",".join(COLUMNS)
        )
    columns = [column.strip().lower() for column in header]
    unknown = [column for column in columns if column not in COLUMNS]
    if "file" not in columns or unknown:
        raise InvalidManifest(
            N_("Manifest %(file)s has the columns %(found)s; use only %(columns)s, with file required."),
            file=name,
            found=",".join(columns),
            columns=",".join(COLUMNS),
        )
    return columns


def load_manifest(path: Path) -> Manifest:
    """Read and check a manifest; raises InvalidManifest listing every bad row."""
    name = path.name
    if not path.is_file():
        raise InvalidManifest(N_("Manifest %(file)s was not found."), file=str(path))
    if path.stat().st_size > MAX_MANIFEST_BYTES:
        raise InvalidManifest(N_("Manifest %(file)s is larger than 20 MiB; split it."), file=name)

    reader = csv.reader(io.StringIO(_decode(path.read_bytes(), name)), strict=True)
    try:
        columns = _read_header(reader, name)
        rows: dict[str, DocumentMetadata] = {}
        problems: list[str] = []
        for line_number, values in enumerate(reader, start=2):
            if not any(value.strip() for value in values):
                continue
            _add_row(rows, problems, columns, values, line_number)
    except csv.Error as error:
        raise InvalidManifest(
            N_("Manifest %(file)s is not valid CSV: %(error)s."), file=name, error=str(error)
        ) from None

    if problems:
        raise InvalidManifest(
            N_("Manifest %(file)s has %(count)d invalid rows; fix them and run the import again."),
            problems=problems,
            file=name,
            count=len(problems),
        )
    return Manifest(rows)


def _add_row(rows, problems, columns, values, line_number) -> None:
    if len(values) != len(columns):
        problems.append(f"line {line_number}: {len(values)} fields, expected {len(columns)}")
        return
    row = {column: value.strip() for column, value in zip(columns, values, strict=True)}
    file_name = row.get("file", "")
    if not file_name:
        problems.append(f"line {line_number}: the file column is empty")
        return
    if file_name in rows:
        problems.append(f"line {line_number}: {file_name} is listed twice")
        return
    try:
        rows[file_name] = clean_metadata(row.get("title"), row.get("type"), row.get("employee_number"), row.get("date"))
    except InvalidMetadata as error:
        problems.append(f"line {line_number}: {error.render()}")
