"""The applicant's CV, entered once: education, experience, training, languages and skills.

Each section is described by a Section: its table, its form fields and a check that turns the
typed values into column values. save_entry and delete_entry act only on the applicant's own
rows, and treat another applicant's entry id as not found.
"""

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive_api.errors import N_, NotFound, Term
from recruitment.announcements.models import DEGREE_LEVELS
from recruitment.applicants.errors import EntryInvalid, InvalidApplicantData
from recruitment.applicants.experience import ExperienceTotal, total_experience
from recruitment.applicants.models import Applicant, Education, Experience, LanguageSkill, Skill, Training
from recruitment.applicants.personal import add_years, council_today
from recruitment.applicants.profile_fields import (
    FIRST_YEAR,
    clean_choice,
    clean_long_text,
    clean_past_date,
    clean_text,
    clean_whole_number,
    clean_year,
)

logger = logging.getLogger(__name__)

LANGUAGE_LEVELS = ("basic", "good", "very_good", "excellent", "native")
# Plausibility limits that catch a mistyped year, not rules of eligibility.
MIN_STUDY_AGE = 10
MIN_WORK_AGE = 14
MAX_TRAINING_HOURS = 5000
MAX_ENTRIES = 30
MAX_SKILLS = 50

Clean = Callable[[Mapping[str, str], Applicant, date], dict]


@dataclass(frozen=True)
class Section:
    """One part of the CV: its table, its form fields and how typed values become column values."""

    name: str
    title: str
    model: type
    fields: tuple[str, ...]
    clean: Clean
    max_entries: int = MAX_ENTRIES


def _field_checks(checks: Mapping[str, Callable[[], object]]) -> dict:
    """Run each field's check; return the clean values or raise EntryInvalid with every bad field."""
    values, errors = {}, {}
    for name, check in checks.items():
        try:
            values[name] = check()
        except InvalidApplicantData as error:
            errors[name] = error
    if errors:
        raise EntryInvalid(N_("Some fields need attention; see the messages below each one."), errors)
    return values


def _clean_education(raw: Mapping[str, str], applicant: Applicant, today: date) -> dict:
    first_year = max(FIRST_YEAR, applicant.birth_date.year + MIN_STUDY_AGE)
    return _field_checks({
        "degree_level": lambda: clean_choice(raw.get("degree_level"), Term(N_("degree level")), DEGREE_LEVELS),
        "major": lambda: clean_text(raw.get("major"), Term(N_("major")), 200),
        "institution": lambda: clean_text(raw.get("institution"), Term(N_("university or school")), 200),
        "graduation_year": lambda: clean_year(raw.get("graduation_year"), Term(N_("graduation year")),
                                              first_year, today.year),
        "grade": lambda: clean_text(raw.get("grade"), Term(N_("grade")), 32, required=False) or None,
    })


def _clean_experience(raw: Mapping[str, str], applicant: Applicant, today: date) -> dict:
    earliest = add_years(applicant.birth_date, MIN_WORK_AGE)
    current = raw.get("current", "") in ("1", "on", "true")
    values = _field_checks({
        "employer": lambda: clean_text(raw.get("employer"), Term(N_("employer")), 200),
        "job_title": lambda: clean_text(raw.get("job_title"), Term(N_("job title")), 200),
        "start_date": lambda: clean_past_date(raw.get("start_date"), Term(N_("start date")), earliest, today),
        # A job that continues has no end date, whatever was typed in the field.
        "end_date": lambda: None if current else clean_past_date(
            raw.get("end_date"), Term(N_("end date")), earliest, today
        ),
        "description": lambda: clean_long_text(raw.get("description"), Term(N_("description")), 2000),
    })
    if values["end_date"] is not None and values["end_date"] < values["start_date"]:
        error = InvalidApplicantData(
            N_("The end date %(value)s is before the start date %(start)s; check both dates."),
            value=values["end_date"].isoformat(), start=values["start_date"].isoformat(),
        )
        raise EntryInvalid(N_("Some fields need attention; see the messages below each one."), {"end_date": error})
    return values


def _clean_training(raw: Mapping[str, str], applicant: Applicant, today: date) -> dict:
    first_year = max(FIRST_YEAR, applicant.birth_date.year + MIN_STUDY_AGE)
    return _field_checks({
        "title": lambda: clean_text(raw.get("title"), Term(N_("course title")), 200),
        "provider": lambda: clean_text(raw.get("provider"), Term(N_("training provider")), 200),
        "year": lambda: clean_year(raw.get("year"), Term(N_("year")), first_year, today.year),
        "hours": lambda: clean_whole_number(raw.get("hours"), Term(N_("number of hours")), 1, MAX_TRAINING_HOURS,
                                            required=False),
    })


def _clean_language(raw: Mapping[str, str], applicant: Applicant, today: date) -> dict:
    return _field_checks({
        "language": lambda: clean_text(raw.get("language"), Term(N_("language")), 64),
        "level": lambda: clean_choice(raw.get("level"), Term(N_("level")), LANGUAGE_LEVELS),
    })


def _clean_skill(raw: Mapping[str, str], applicant: Applicant, today: date) -> dict:
    return _field_checks({"name": lambda: clean_text(raw.get("name"), Term(N_("skill")), 100)})


SECTIONS: dict[str, Section] = {
    section.name: section
    for section in (
        Section("education", N_("Education"), Education,
                ("degree_level", "major", "institution", "graduation_year", "grade"), _clean_education),
        Section("experience", N_("Work experience"), Experience,
                ("employer", "job_title", "start_date", "end_date", "current", "description"), _clean_experience),
        Section("training", N_("Training courses"), Training, ("title", "provider", "year", "hours"),
                _clean_training),
        Section("languages", N_("Languages"), LanguageSkill, ("language", "level"), _clean_language),
        Section("skills", N_("Skills"), Skill, ("name",), _clean_skill, MAX_SKILLS),
    )
}
# Sections where the same name may appear only once, and the column that contains it.
UNIQUE_NAME_COLUMNS = {"languages": "language", "skills": "name"}


def get_section(name: str) -> Section:
    section = SECTIONS.get(name)
    if section is None:
        raise NotFound(N_("There is no profile section %(section)s."), section=name)
    return section


def _order(section: Section):
    model = section.model
    if model is Education:
        return (Education.graduation_year.desc(), Education.id)
    if model is Experience:
        return (Experience.start_date.desc(), Experience.id)
    if model is Training:
        return (Training.year.desc(), Training.id)
    return (model.id,)


def entries(session: Session, applicant: Applicant, section: Section) -> list:
    """Return the applicant's rows of one section, newest first where rows have dates."""
    model = section.model
    return list(session.scalars(select(model).where(model.applicant_id == applicant.id).order_by(*_order(section))))


def get_entry(session: Session, applicant: Applicant, section: Section, entry_id: int):
    """Return one of the applicant's own rows; another applicant's row is not found, like a missing one."""
    row = session.get(section.model, entry_id)
    if row is None or row.applicant_id != applicant.id:
        raise NotFound(N_("This entry was not found in your profile; reload the page."))
    return row


def _check_unique_name(session: Session, applicant: Applicant, section: Section, values: dict, entry_id) -> None:
    column_name = UNIQUE_NAME_COLUMNS.get(section.name)
    if column_name is None:
        return
    column = getattr(section.model, column_name)
    clash = session.scalar(
        select(section.model.id).where(
            section.model.applicant_id == applicant.id,
            func.lower(column) == values[column_name].lower(),
            section.model.id != (entry_id or 0),
        )
    )
    if clash is not None:
        error = InvalidApplicantData(
            N_("%(value)s is already in your list; edit that entry instead."), value=values[column_name]
        )
        raise EntryInvalid(N_("Some fields need attention; see the messages below each one."), {column_name: error})


def _check_room(session: Session, applicant: Applicant, section: Section) -> None:
    count = session.scalar(
        select(func.count()).select_from(section.model).where(section.model.applicant_id == applicant.id)
    )
    if count >= section.max_entries:
        raise InvalidApplicantData(
            N_("%(section)s can hold at most %(maximum)d entries; delete one before adding another."),
            section=Term(section.title), maximum=section.max_entries,
        )


def save_entry(
    session: Session, applicant: Applicant, section: Section, raw: Mapping[str, str],
    entry_id: int | None = None, today: date | None = None,
):
    """Add a row (entry_id None) or change one of the applicant's rows; return the row.

    Raises EntryInvalid with an error per bad field, InvalidApplicantData when the section is
    full, and NotFound for an entry that is not the applicant's.
    """
    today = today or council_today()
    row = get_entry(session, applicant, section, entry_id) if entry_id is not None else None
    if row is None:
        _check_room(session, applicant, section)
    values = section.clean(raw, applicant, today)
    _check_unique_name(session, applicant, section, values, entry_id)

    if row is None:
        row = section.model(applicant_id=applicant.id, **values)
        session.add(row)
    else:
        for name, value in values.items():
            setattr(row, name, value)
    session.flush()
    logger.info("profile entry saved applicant=%s section=%s id=%s", applicant.id, section.name, row.id)
    return row


def delete_entry(session: Session, applicant: Applicant, section: Section, entry_id: int) -> None:
    row = get_entry(session, applicant, section, entry_id)
    session.delete(row)
    session.flush()
    logger.info("profile entry deleted applicant=%s section=%s id=%s", applicant.id, section.name, entry_id)


def form_values(section: Section, row) -> dict[str, str]:
    """Return a row's values as the form shows them, for editing."""
    values = {}
    for name in section.fields:
        if name == "current":
            values[name] = "1" if getattr(row, "end_date", None) is None else ""
            continue
        value = getattr(row, name)
        if value is None:
            values[name] = ""
        elif isinstance(value, date):
            values[name] = value.isoformat()
        else:
            values[name] = str(value)
    return values


def experience_of(session: Session, applicant: Applicant, today: date | None = None) -> ExperienceTotal:
    """Return the applicant's total experience, counting overlapping jobs once."""
    rows = entries(session, applicant, SECTIONS["experience"])
    return total_experience(((row.start_date, row.end_date) for row in rows), today or council_today())

