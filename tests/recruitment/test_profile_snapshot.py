"""The profile snapshot that applications freeze: plain JSON data, experience counted once."""

import json
from datetime import date

from sqlalchemy import select

from recruitment.applicants.models import Applicant
from recruitment.applicants.profile import SECTIONS, save_entry
from recruitment.applicants.snapshot import profile_snapshot
from tests.recruitment import test_applicant_fixtures as support

make_applicant = support.make_applicant

TODAY = date(2026, 3, 15)


def _fill(archive, national_id):
    entries = [
        ("education", {"degree_level": "master", "major": "إدارة الأعمال", "institution": "جامعة القدس",
                       "graduation_year": "2022", "grade": ""}),
        ("experience", {"employer": "وزارة الصحة", "job_title": "محاسب", "start_date": "2019-01-01",
                        "end_date": "2020-12-31"}),
        ("experience", {"employer": "بلدية نابلس", "job_title": "مدقق", "start_date": "2020-07-01",
                        "current": "1"}),
        ("training", {"title": "التدقيق الداخلي", "provider": "جمعية المدققين", "year": "2021", "hours": ""}),
        ("languages", {"language": "الإنجليزية", "level": "good"}),
        ("skills", {"name": "Excel"}),
    ]
    with archive.db.session() as session:
        applicant = session.scalar(select(Applicant).where(Applicant.national_id == national_id))
        for section, values in entries:
            save_entry(session, applicant, SECTIONS[section], values, today=TODAY)


def _snapshot(archive, national_id) -> dict:
    with archive.db.session(write=False) as session:
        applicant = session.scalar(select(Applicant).where(Applicant.national_id == national_id))
        return profile_snapshot(session, applicant, TODAY)


def test_snapshot_is_json(archive, make_applicant):
    national_id = make_applicant()
    _fill(archive, national_id)

    snapshot = _snapshot(archive, national_id)

    assert json.loads(json.dumps(snapshot, ensure_ascii=False)) == snapshot


def test_snapshot_personal(archive, make_applicant):
    national_id = make_applicant()

    personal = _snapshot(archive, national_id)["personal"]

    assert personal == {"national_id": national_id, "full_name": "ليلى محمود عبد الرحمن الخطيب",
                        "birth_date": "1998-04-23", "mobile": "+970599123456", "language": "ar"}


def test_snapshot_sections(archive, make_applicant):
    national_id = make_applicant()
    _fill(archive, national_id)

    snapshot = _snapshot(archive, national_id)

    assert snapshot["education"] == [{"degree_level": "master", "major": "إدارة الأعمال",
                                      "institution": "جامعة القدس", "graduation_year": 2022, "grade": None}]
    assert [job["employer"] for job in snapshot["experience"]] == ["بلدية نابلس", "وزارة الصحة"]
    assert snapshot["experience"][0]["end_date"] is None
    assert snapshot["training"][0]["hours"] is None
    assert snapshot["languages"] == [{"language": "الإنجليزية", "level": "good"}]
    assert snapshot["skills"] == ["Excel"]


def test_snapshot_experience_once(archive, make_applicant):
    national_id = make_applicant()
    _fill(archive, national_id)

    snapshot = _snapshot(archive, national_id)

    # 2019-01-01 through 2026-03-15 with the overlap counted once: 7 years, 2 months and 15 days.
    assert snapshot["experience_months"] == 86
    assert snapshot["experience_years"] == 7
    assert snapshot["taken_on"] == "2026-03-15"


def test_snapshot_empty_profile(archive, make_applicant):
    national_id = make_applicant()

    snapshot = _snapshot(archive, national_id)

    assert (snapshot["education"], snapshot["skills"], snapshot["experience_months"]) == ([], [], 0)
