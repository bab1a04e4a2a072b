"""The profile as plain data, frozen into an application when it is submitted."""

import logging
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from recruitment.applicants.models import Applicant
from recruitment.applicants.personal import council_today
from recruitment.applicants.profile import SECTIONS, entries, experience_of

logger = logging.getLogger(__name__)

SNAPSHOT_VERSION = 1


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _rows(session: Session, applicant: Applicant, section_name: str, columns: tuple[str, ...]) -> list[dict]:
    rows = entries(session, applicant, SECTIONS[section_name])
    return [{name: _plain(getattr(row, name)) for name in columns} for row in rows]


def profile_snapshot(session: Session, applicant: Applicant, today: date | None = None) -> dict[str, Any]:
    """Return the applicant's personal data and CV as a JSON-ready dict (dates as YYYY-MM-DD).

    Keys: version, personal, education, experience, experience_months, experience_years,
    training, languages, skills and taken_on (the day the totals were computed). Experience
    counts overlapping jobs once and runs to `today` (council-local) for a job that continues.
    """
    today = today or council_today()
    total = experience_of(session, applicant, today)
    return {
        "version": SNAPSHOT_VERSION,
        "personal": {
            "national_id": applicant.national_id,
            "full_name": applicant.full_name,
            "birth_date": applicant.birth_date.isoformat(),
            "mobile": applicant.mobile,
            "language": applicant.language,
        },
        "education": _rows(session, applicant, "education",
                           ("degree_level", "major", "institution", "graduation_year", "grade")),
        "experience": _rows(session, applicant, "experience",
                            ("employer", "job_title", "start_date", "end_date", "description")),
        "experience_months": total.months,
        "experience_years": total.years,
        "training": _rows(session, applicant, "training", ("title", "provider", "year", "hours")),
        "languages": _rows(session, applicant, "languages", ("language", "level")),
        "skills": [row["name"] for row in _rows(session, applicant, "skills", ("name",))],
        "taken_on": today.isoformat(),
    }
