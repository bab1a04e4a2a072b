"""Validation of the descriptive fields of a record: title, type, employee number and date."""

import re
from dataclasses import dataclass
from datetime import date, datetime

from archive_api.errors import N_, DiwanError

DOC_TYPE = re.compile(r"^[\w-]{1,64}$")
EMPLOYEE_NUMBER = re.compile(r"^[A-Za-z0-9-]{1,32}$")
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
# Arabic-Indic and Eastern Arabic-Indic digits, as clerks often type dates with them.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


class InvalidMetadata(DiwanError):
    code = "invalid_metadata"


@dataclass(frozen=True)
class DocumentMetadata:
    title: str | None = None
    doc_type: str | None = None
    employee_number: str | None = None
    doc_date: date | None = None


def parse_date(value: str | None, field: str = "date") -> date | None:
    """Parse YYYY-MM-DD or DD/MM/YYYY, with Western or Arabic-Indic digits; blank means None."""
    if value is None or not value.strip():
        return None
    text = value.strip().translate(_DIGITS)
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise InvalidMetadata(
        N_("The %(field)s %(value)r is not a date; write it as YYYY-MM-DD, for example 2019-07-21."),
        field=field,
        value=value,
    )


def clean_metadata(
    title: str | None = None,
    doc_type: str | None = None,
    employee_number: str | None = None,
    doc_date: str | date | None = None,
) -> DocumentMetadata:
    """Check and normalise metadata from a form, the API or a manifest row."""
    title = (title or "").strip() or None
    if title and len(title) > 500:
        raise InvalidMetadata(N_("The title is %(length)d characters long; shorten it to 500."), length=len(title))

    doc_type = (doc_type or "").strip().lower() or None
    if doc_type and not DOC_TYPE.match(doc_type):
        raise InvalidMetadata(
            N_("Document type %(value)r is invalid; use up to 64 letters, digits, _ or -, for example contract."),
            value=doc_type,
        )

    employee_number = (employee_number or "").strip().translate(_DIGITS) or None
    if employee_number and not EMPLOYEE_NUMBER.match(employee_number):
        raise InvalidMetadata(
            N_("Employee number %(value)r is invalid; use up to 32 letters, digits or -."),
            value=employee_number,
        )

    parsed_date = doc_date if isinstance(doc_date, date) else parse_date(doc_date, "document date")
    if parsed_date and parsed_date > date.today():
        raise InvalidMetadata(N_("The document date %(value)s is in the future; check the date."), value=parsed_date)
    return DocumentMetadata(title, doc_type, employee_number, parsed_date)
