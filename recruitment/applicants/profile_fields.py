"""Checks of the profile fields: text, choices, years, numbers and dates, each naming its field.

Every function takes the typed text and returns the clean value or raises
InvalidApplicantData. Field names are Terms, so a message reads "the major" in English and
"التخصص" in Arabic.
"""

import logging
import unicodedata
from datetime import date

from archive_api.documents.metadata import InvalidMetadata, parse_date
from archive_api.errors import N_, Term
from recruitment.applicants.errors import InvalidApplicantData
from recruitment.applicants.national_id import to_ascii_digits

logger = logging.getLogger(__name__)

FIRST_YEAR = 1950


def clean_text(value: str | None, field: Term, maximum: int, required: bool = True) -> str:
    """Return the text with single spaces, or "" when it is optional and blank."""
    text = " ".join(unicodedata.normalize("NFC", value or "").split())
    if not text:
        if required:
            raise InvalidApplicantData(N_("Enter the %(field)s."), field=field)
        return ""
    if len(text) > maximum:
        raise InvalidApplicantData(
            N_("The %(field)s is %(length)d characters long; shorten it to %(maximum)d."),
            field=field, length=len(text), maximum=maximum,
        )
    return text


def clean_long_text(value: str | None, field: Term, maximum: int) -> str:
    """Return optional free text with its line breaks kept and outer spaces removed."""
    text = unicodedata.normalize("NFC", value or "").replace("\r\n", "\n").strip()
    if len(text) > maximum:
        raise InvalidApplicantData(
            N_("The %(field)s is %(length)d characters long; shorten it to %(maximum)d."),
            field=field, length=len(text), maximum=maximum,
        )
    return text


def clean_choice(value: str | None, field: Term, choices: tuple[str, ...]) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidApplicantData(N_("Choose the %(field)s."), field=field)
    if text not in choices:
        raise InvalidApplicantData(
            N_("Choose the %(field)s from the list; %(value)r is not one of the choices."), field=field, value=text
        )
    return text


def clean_whole_number(
    value: str | None, field: Term, minimum: int, maximum: int, required: bool = True
) -> int | None:
    """Return a whole number typed with any digits, within [minimum, maximum]."""
    text = to_ascii_digits((value or "").strip())
    if not text:
        if required:
            raise InvalidApplicantData(N_("Enter the %(field)s."), field=field)
        return None
    if not text.isascii() or not text.isdigit() or not minimum <= int(text) <= maximum:
        raise InvalidApplicantData(
            N_("The %(field)s %(value)s is not a whole number from %(minimum)d to %(maximum)d."),
            field=field, value=text, minimum=minimum, maximum=maximum,
        )
    return int(text)


def clean_year(value: str | None, field: Term, first: int, last: int) -> int:
    """Return a four-digit year within [first, last]."""
    text = to_ascii_digits((value or "").strip())
    if not text:
        raise InvalidApplicantData(N_("Enter the %(field)s."), field=field)
    if not text.isascii() or not text.isdigit() or not first <= int(text) <= last:
        raise InvalidApplicantData(
            N_("The %(field)s %(value)s is not a year from %(first)d to %(last)d."),
            field=field, value=text, first=first, last=last,
        )
    return int(text)


def clean_past_date(value: str | None, field: Term, earliest: date, today: date, required: bool = True) -> date | None:
    """Return a date (YYYY-MM-DD or DD/MM/YYYY, any digits) that is neither in the future nor before `earliest`."""
    text = (value or "").strip()
    if not text:
        if required:
            raise InvalidApplicantData(N_("Enter the %(field)s."), field=field)
        return None
    try:
        day = parse_date(text, field)
    except InvalidMetadata as error:
        raise InvalidApplicantData(error.message, **error.params) from error
    if day > today:
        raise InvalidApplicantData(
            N_("The %(field)s %(value)s is in the future; check the date."), field=field, value=day.isoformat()
        )
    if day < earliest:
        raise InvalidApplicantData(
            N_("The %(field)s %(value)s is too early (before %(earliest)s); check the year."),
            field=field, value=day.isoformat(), earliest=earliest.isoformat(),
        )
    return day
