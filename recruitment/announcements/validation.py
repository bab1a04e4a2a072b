"""Reading an announcement from form values: every field checked, each error naming its value.

`clean_announcement` takes the text a form sends and returns typed fields, or raises
InvalidAnnouncement with one error per bad field, so a form can show each message beside its
field and the CLI can list them all.
"""

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive_api.accounts.models import Department
from archive_api.errors import N_, Conflict, DiwanError, Term
from archive_api.timeutil import to_local
from recruitment.announcements.models import DEGREE_LEVELS, DOCUMENT_KINDS, GOVERNORATES, Announcement
from recruitment.announcements.window import DISPLAY_FORMAT, Occurrence, ascii_digits, parse_local_time

logger = logging.getLogger(__name__)

FIELD_NAMES = (
    "number",
    "title_ar",
    "title_en",
    "ministry",
    "unit",
    "vacancies",
    "governorate",
    "grade",
    "description",
    "degree_level",
    "majors",
    "min_experience_years",
    "required_documents",
    "opens_at",
    "closes_at",
)

# A sequence and a four-digit year, as the council numbers its announcements.
NUMBER_PATTERN = re.compile(r"^(\d{1,6})/(\d{4})$")
ARABIC_LETTER = re.compile("[\u0621-\u064a]")
# Majors are typed one per line or separated by commas (Arabic or Latin).
MAJOR_SEPARATORS = re.compile(r"[\n\r,،;؛]+")
MAX_LENGTHS = {"title_ar": 300, "title_en": 300, "unit": 200, "grade": 64, "description": 20_000}
MAX_MAJOR_LENGTH = 200
MAX_MAJORS = 50
MAX_EXPERIENCE_YEARS = 40
# Far above any single announcement the council has made; a larger figure is a typing error.
MAX_VACANCIES = 10_000


class InvalidAnnouncementField(DiwanError):
    http_status = 422
    code = "invalid_announcement_field"


class InvalidAnnouncement(DiwanError):
    """Several fields of one announcement are invalid; `field_errors` maps each to its error."""

    http_status = 422
    code = "invalid_announcement"

    def __init__(self, field_errors: dict[str, DiwanError]) -> None:
        self.field_errors = field_errors
        super().__init__(
            N_("%(count)d fields of the announcement are invalid; correct them and save again."),
            count=len(field_errors),
        )

    @property
    def problems(self) -> list[str]:
        return [f"{name}: {error.render()}" for name, error in self.field_errors.items()]


@dataclass
class AnnouncementFields:
    """The checked values of one announcement; times are naive UTC."""

    number: str
    title_ar: str
    title_en: str | None
    ministry_id: int
    unit: str | None
    vacancies: int
    governorate: str
    grade: str | None
    description: str
    degree_level: str | None
    majors: list[str]
    min_experience_years: int
    required_documents: list[str]
    opens_at: datetime
    closes_at: datetime

    def column_values(self) -> dict:
        """Return the values as Announcement columns, with the lists as JSON."""
        values = asdict(self)
        values["majors"] = json.dumps(self.majors, ensure_ascii=False)
        values["required_documents"] = json.dumps(self.required_documents)
        return values


def clean_announcement(
    session: Session, values: Mapping[str, str | list[str]], current: Announcement | None = None
) -> AnnouncementFields:
    """Check every field and return typed values; raise InvalidAnnouncement listing every bad field.

    `current` is the announcement being edited, whose own number is not a duplicate.
    """
    cleaners = {
        "number": lambda: _number(session, _text(values, "number"), current),
        "title_ar": lambda: _title_ar(_text(values, "title_ar")),
        "title_en": lambda: _optional(values, "title_en"),
        "ministry_id": lambda: _ministry(session, _text(values, "ministry")),
        "unit": lambda: _optional(values, "unit"),
        "vacancies": lambda: _vacancies(_text(values, "vacancies")),
        "governorate": lambda: _governorate(_text(values, "governorate")),
        "grade": lambda: _optional(values, "grade"),
        "description": lambda: _length("description", _text(values, "description")),
        "degree_level": lambda: _degree(_text(values, "degree_level")),
        "majors": lambda: _majors(_text(values, "majors")),
        "min_experience_years": lambda: _experience(_text(values, "min_experience_years")),
        "required_documents": lambda: _documents(values.get("required_documents")),
        "opens_at": lambda: parse_local_time(
            _text(values, "opens_at"), Term(N_("opening time")), Occurrence.FIRST
        ),
        "closes_at": lambda: parse_local_time(
            _text(values, "closes_at"), Term(N_("closing time")), Occurrence.SECOND
        ),
    }

    cleaned: dict = {}
    errors: dict[str, DiwanError] = {}
    for name, cleaner in cleaners.items():
        field = "ministry" if name == "ministry_id" else name
        try:
            cleaned[name] = cleaner()
        except DiwanError as error:
            errors[field] = error

    if "opens_at" in cleaned and "closes_at" in cleaned:
        try:
            check_window_order(cleaned["opens_at"], cleaned["closes_at"])
        except DiwanError as error:
            errors["closes_at"] = error

    if errors:
        raise InvalidAnnouncement(errors)
    return AnnouncementFields(**cleaned)


def check_window_order(opens_at: datetime, closes_at: datetime) -> None:
    if closes_at <= opens_at:
        raise InvalidAnnouncementField(
            N_("The closing time %(closes)s is not after the opening time %(opens)s; set a later closing time."),
            closes=to_local(closes_at).strftime(DISPLAY_FORMAT),
            opens=to_local(opens_at).strftime(DISPLAY_FORMAT),
        )


def _text(values: Mapping, name: str) -> str:
    value = values.get(name)
    if isinstance(value, list):
        value = value[0] if value else ""
    return value.strip() if isinstance(value, str) else ""


def _length(name: str, value: str) -> str:
    maximum = MAX_LENGTHS[name]
    if len(value) > maximum:
        raise InvalidAnnouncementField(
            N_("This field has %(length)d characters; shorten it to %(maximum)d characters or fewer."),
            length=len(value),
            maximum=maximum,
        )
    return value


def _optional(values: Mapping, name: str) -> str | None:
    return _length(name, _text(values, name)) or None


def _number(session: Session, text: str, current: Announcement | None) -> str:
    text = ascii_digits(text).replace(" ", "")
    if not text:
        raise InvalidAnnouncementField(N_("Enter the announcement number, such as 147/2026."))
    match = NUMBER_PATTERN.match(text)
    if match is None or not 2000 <= int(match.group(2)) <= 2100:
        raise InvalidAnnouncementField(
            N_("Announcement number %(value)r is invalid; use the sequence and the year, such as 147/2026."),
            value=text,
        )

    # Leading zeros would let 007/2026 and 7/2026 coexist as two announcements.
    number = f"{int(match.group(1))}/{match.group(2)}"
    existing = session.scalar(select(Announcement.id).where(Announcement.number == number))
    if existing is not None and (current is None or existing != current.id):
        raise Conflict(
            N_("Announcement number %(value)s is already used by another announcement; check the number."),
            value=number,
        )
    return number


def _title_ar(text: str) -> str:
    if not text:
        raise InvalidAnnouncementField(N_("Enter the Arabic title of the job."))
    if not ARABIC_LETTER.search(text):
        raise InvalidAnnouncementField(
            N_("The Arabic title %(value)r has no Arabic letters; write the title in Arabic."), value=text
        )
    return _length("title_ar", text)


def _ministry(session: Session, code: str) -> int:
    if not code:
        raise InvalidAnnouncementField(N_("Choose the ministry that announces the job."))
    department_id = session.scalar(select(Department.id).where(Department.code == code.upper()))
    if department_id is None:
        raise InvalidAnnouncementField(
            N_("Ministry %(value)r does not exist; choose one from the list."), value=code
        )
    return department_id


def _whole_number(text: str, empty: DiwanError, not_number_message: str) -> int:
    if not text:
        raise empty
    digits = ascii_digits(text)
    if not re.fullmatch(r"-?\d{1,12}", digits):
        raise InvalidAnnouncementField(not_number_message, value=text)
    return int(digits)


def _vacancies(text: str) -> int:
    count = _whole_number(
        text,
        InvalidAnnouncementField(N_("Enter the number of vacancies.")),
        N_("The number of vacancies %(value)r is not a whole number; enter 1 or more."),
    )
    if count < 1:
        raise InvalidAnnouncementField(
            N_("The number of vacancies is %(value)d; an announcement needs at least 1 vacancy."), value=count
        )
    if count > MAX_VACANCIES:
        raise InvalidAnnouncementField(
            N_("The number of vacancies is %(value)d, more than %(maximum)d; check the number."),
            value=count,
            maximum=MAX_VACANCIES,
        )
    return count


def _governorate(code: str) -> str:
    if not code:
        raise InvalidAnnouncementField(N_("Choose the governorate of the job."))
    if code not in GOVERNORATES:
        raise InvalidAnnouncementField(N_("Governorate %(value)r is unknown; choose one from the list."), value=code)
    return code


def _degree(code: str) -> str | None:
    if not code:
        return None
    if code not in DEGREE_LEVELS:
        raise InvalidAnnouncementField(N_("Degree level %(value)r is unknown; choose one from the list."), value=code)
    return code


def _majors(text: str) -> list[str]:
    majors = [part.strip() for part in MAJOR_SEPARATORS.split(text) if part.strip()]
    if len(majors) > MAX_MAJORS:
        raise InvalidAnnouncementField(
            N_("There are %(count)d majors; list at most %(maximum)d, or leave the field empty for any major."),
            count=len(majors),
            maximum=MAX_MAJORS,
        )
    for major in majors:
        if len(major) > MAX_MAJOR_LENGTH:
            raise InvalidAnnouncementField(
                N_("The major %(value)r is longer than %(maximum)d characters; shorten it."),
                value=major[:40] + "…",
                maximum=MAX_MAJOR_LENGTH,
            )
    # Keep the typed order but drop repeats.
    return list(dict.fromkeys(majors))


def _experience(text: str) -> int:
    if not text:
        return 0
    years = _whole_number(
        text,
        InvalidAnnouncementField(N_("Enter the minimum years of experience.")),
        N_("The minimum years of experience %(value)r is not a whole number; enter 0 or more."),
    )
    if years < 0:
        raise InvalidAnnouncementField(
            N_("The minimum years of experience is %(value)d; enter 0 or more."), value=years
        )
    if years > MAX_EXPERIENCE_YEARS:
        raise InvalidAnnouncementField(
            N_("The minimum years of experience is %(value)d, more than %(maximum)d; check the number."),
            value=years,
            maximum=MAX_EXPERIENCE_YEARS,
        )
    return years


def _documents(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    kinds = value if isinstance(value, list) else [part for part in re.split(r"[,\s]+", value)]
    kinds = [kind.strip() for kind in kinds if kind and kind.strip()]
    for kind in kinds:
        if kind not in DOCUMENT_KINDS:
            raise InvalidAnnouncementField(
                N_("Document kind %(value)r is unknown; choose from the list."), value=kind
            )
    # Stored in the order of DOCUMENT_KINDS, so pages list them the same way everywhere.
    return [kind for kind in DOCUMENT_KINDS if kind in kinds]
