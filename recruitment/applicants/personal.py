"""Checks of the personal data given at sign-up: full name, date of birth and password."""

import logging
import unicodedata
from datetime import date, datetime

from archive_api.accounts.service import InvalidAccountData, check_password_strength
from archive_api.documents.metadata import InvalidMetadata, parse_date
from archive_api.errors import N_
from archive_api.timeutil import COUNCIL_TZ
from recruitment.applicants.errors import InvalidApplicantData
from recruitment.applicants.national_id import to_ascii_digits

logger = logging.getLogger(__name__)

MAX_NAME_LENGTH = 200
MIN_NAME_PARTS = 2
# Characters allowed in a name besides letters and combining marks (Arabic diacritics).
NAME_PUNCTUATION = frozenset(" -'’.")
MIN_AGE_YEARS = 16
# Guards against a mistyped year such as 1097; no applicant is this old.
MAX_AGE_YEARS = 100
MAX_PASSWORD_LENGTH = 128
MIN_DISTINCT_PASSWORD_CHARACTERS = 5


def council_today() -> date:
    """Return today's date in the council's time zone (Asia/Hebron)."""
    return datetime.now(COUNCIL_TZ).date()


def _is_name_character(char: str) -> bool:
    return char.isalpha() or char in NAME_PUNCTUATION or unicodedata.category(char) == "Mn"


def clean_full_name(value: str | None) -> str:
    """Return the full name with single spaces; raises InvalidApplicantData."""
    name = " ".join(unicodedata.normalize("NFC", value or "").split())
    if not name:
        raise InvalidApplicantData(N_("Enter your full name as it appears on your identity card."))
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidApplicantData(
            N_("The name is %(length)d characters long; shorten it to %(maximum)d."),
            length=len(name), maximum=MAX_NAME_LENGTH,
        )
    if not all(_is_name_character(char) for char in name):
        raise InvalidApplicantData(
            N_("The name %(value)s contains digits or symbols; use letters only, as on your identity card."),
            value=name,
        )
    if len(name.split(" ")) < MIN_NAME_PARTS:
        raise InvalidApplicantData(
            N_("Enter your full name (your name, your father's name and your family name), not %(value)s alone."),
            value=name,
        )
    return name


def add_years(day: date, years: int) -> date:
    """Return the same calendar day `years` later; 29 February becomes 1 March in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def age_on(birth_date: date, day: date) -> int:
    """Return the age in whole years on `day`; someone born on 29 February ages on 1 March."""
    had_birthday = (day.month, day.day) >= (birth_date.month, birth_date.day)
    return day.year - birth_date.year - (0 if had_birthday else 1)


def clean_birth_date(value: str | None, today: date | None = None) -> date:
    """Parse the date of birth (YYYY-MM-DD or DD/MM/YYYY, any digits) and check the age limits."""
    today = today or council_today()
    text = (value or "").strip()
    if not text:
        raise InvalidApplicantData(N_("Enter your date of birth, such as 1998-04-23."))
    try:
        birth_date = parse_date(text)
    except InvalidMetadata as error:
        raise InvalidApplicantData(
            N_("The date of birth %(value)s is not a date; write it as YYYY-MM-DD, for example 1998-04-23."),
            value=to_ascii_digits(text),
        ) from error

    if birth_date > today:
        raise InvalidApplicantData(
            N_("The date of birth %(value)s is in the future; check the year."), value=birth_date.isoformat()
        )
    age = age_on(birth_date, today)
    if age < MIN_AGE_YEARS:
        raise InvalidApplicantData(
            N_("Applicants must be at least %(minimum)d years old; with the date of birth %(value)s you are %(age)d."),
            minimum=MIN_AGE_YEARS, value=birth_date.isoformat(), age=age,
        )
    if age > MAX_AGE_YEARS:
        raise InvalidApplicantData(
            N_("The date of birth %(value)s gives an age over %(maximum)d; check the year."),
            value=birth_date.isoformat(), maximum=MAX_AGE_YEARS,
        )
    return birth_date


def check_applicant_password(password: str, national_id: str = "") -> None:
    """Raise InvalidApplicantData unless the password is long and varied enough.

    The minimum length is the archive's own rule for staff passwords. An applicant's password
    must also not contain their national ID number, because many people know it.
    """
    try:
        check_password_strength(password)
    except InvalidAccountData as error:
        raise InvalidApplicantData(error.message, **error.params) from error
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidApplicantData(
            N_("The password is %(length)d characters long; use at most %(maximum)d."),
            length=len(password), maximum=MAX_PASSWORD_LENGTH,
        )
    if len(set(password)) < MIN_DISTINCT_PASSWORD_CHARACTERS:
        raise InvalidApplicantData(
            N_("The password repeats the same few characters; use at least %(minimum)d different letters, "
               "digits or symbols."),
            minimum=MIN_DISTINCT_PASSWORD_CHARACTERS,
        )
    if national_id and national_id in to_ascii_digits(password):
        raise InvalidApplicantData(
            N_("The password contains your national ID number, which others may know; choose another password.")
        )

