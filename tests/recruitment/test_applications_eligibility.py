"""Eligibility: each requirement checked and explained, and nothing submitted while one is unmet."""

import pytest
from sqlalchemy import func, select

from archive_api.i18n import gettext_for
from recruitment.announcements.models import Announcement
from recruitment.applications.eligibility import eligibility_of, major_key
from recruitment.applications.errors import NotEligible
from recruitment.applications.models import Application
from recruitment.notify.models import SmsMessage
from tests.recruitment import test_applications_fixtures as support
from tests.recruitment.test_applications_fixtures import PROFILE_DAY, applicant_of, submit

gpc = support.gpc
job = support.job
make_announcement = support.make_announcement
make_applicant = support.make_applicant
qualified = support.qualified

DIPLOMA = ({"degree_level": "diploma", "major": "محاسبة", "institution": "كلية فلسطين التقنية",
            "graduation_year": "2016", "grade": ""},)
HISTORY = ({"degree_level": "bachelor", "major": "التاريخ", "institution": "جامعة بيت لحم",
            "graduation_year": "2018", "grade": ""},)
ONE_YEAR = ({"employer": "بلدية جنين", "job_title": "محاسب", "start_date": "2021-01-01", "end_date": "2021-12-31"},)


def _check(archive, national_id, announcement_id):
    with archive.db.session(write=False) as session:
        applicant = applicant_of(session, national_id)
        eligibility, _snapshot, _versions = eligibility_of(session, applicant,
                                                           session.get(Announcement, announcement_id), PROFILE_DAY)
        return eligibility


def _unmet(archive, national_id, announcement_id) -> list[str]:
    return [check.name for check in _check(archive, national_id, announcement_id).unmet]


def _stored(archive, model, *conditions) -> int:
    with archive.db.session(write=False) as session:
        return session.scalar(select(func.count()).select_from(model).where(*conditions))


def test_qualified_meets_all(archive, job, qualified):
    eligibility = _check(archive, qualified(), job)

    assert eligibility.ok
    assert [check.name for check in eligibility.checks] == ["degree", "major", "experience", "document", "document",
                                                            "mobile"]


@pytest.mark.parametrize(("changes", "unmet"), [
    ({"education": DIPLOMA}, ["degree", "major"]),
    ({"education": ()}, ["degree", "major"]),
    ({"education": HISTORY}, ["major"]),
    ({"jobs": ONE_YEAR}, ["experience"]),
    ({"jobs": ()}, ["experience"]),
    ({"documents": ("diploma",)}, ["document"]),
    ({"documents": ("national_id",)}, ["document"]),
    ({"documents": ()}, ["document", "document"]),
    ({"confirmed": False}, ["mobile"]),
])
def test_unmet_requirement_named(archive, job, qualified, changes, unmet):
    national_id = qualified(**changes)

    assert _unmet(archive, national_id, job) == unmet


@pytest.mark.parametrize(("changes", "unmet"), [
    ({"education": DIPLOMA}, ["degree", "major"]),
    ({"education": HISTORY}, ["major"]),
    ({"jobs": ONE_YEAR}, ["experience"]),
    ({"documents": ("national_id",)}, ["document"]),
    ({"confirmed": False}, ["mobile"]),
])
def test_ineligible_submit_refused(archive, job, qualified, changes, unmet):
    national_id = qualified(**changes)

    with pytest.raises(NotEligible) as raised:
        submit(archive, national_id, job)

    assert [check.name for check in raised.value.unmet] == unmet
    assert _stored(archive, Application) == 0
    assert _stored(archive, SmsMessage, SmsMessage.template == "application_received") == 0


def test_missing_document_reason(archive, job, qualified):
    national_id = qualified(documents=("national_id",))

    reason = _check(archive, national_id, job).unmet[0].render(gettext_for("en"))

    assert reason == ("This job requires a document of the kind “Degree certificate”, and you have not uploaded one; "
                      "upload it on the My documents page.")


def test_lower_degree_reason(archive, job, qualified):
    national_id = qualified(education=DIPLOMA)

    reason = _check(archive, national_id, job).unmet[0].render(gettext_for("en"))

    assert reason == ("Required degree: Bachelor's degree or higher, but the highest degree in your profile is: "
                      "Intermediate diploma.")


def test_experience_reason(archive, job, qualified):
    national_id = qualified(jobs=ONE_YEAR)

    reason = _check(archive, national_id, job).unmet[0]

    assert reason.params == {"required": 2, "years": 1, "months": 0}


def test_reason_in_arabic(archive, job, qualified):
    national_id = qualified(education=HISTORY)

    reason = _check(archive, national_id, job).unmet[0].render(gettext_for("ar"))

    assert "التاريخ" in reason
    assert "This job" not in reason


def test_higher_degree_meets(archive, job, qualified):
    master = ({"degree_level": "master", "major": "المحاسبة", "institution": "جامعة النجاح",
               "graduation_year": "2020", "grade": ""},)

    assert _unmet(archive, qualified(education=master), job) == []


def test_major_at_lower_level_ignored(archive, job, qualified):
    both = DIPLOMA + HISTORY

    assert _unmet(archive, qualified(education=both), job) == ["major"]


def test_empty_majors_accept_any(archive, make_announcement, qualified):
    announcement_id = make_announcement(majors="")

    assert _unmet(archive, qualified(education=HISTORY), announcement_id) == []


def test_no_degree_required(archive, make_announcement, qualified):
    announcement_id = make_announcement(degree_level="", majors="", min_experience_years="0",
                                        required_documents=[])

    eligibility = _check(archive, qualified(education=(), jobs=(), documents=()), announcement_id)

    assert eligibility.ok
    assert [check.name for check in eligibility.checks] == ["mobile"]


@pytest.mark.parametrize(("listed", "typed"), [
    ("المحاسبة", "محاسبة"),
    ("إدارة الأعمال", "ادارة اعمال"),
    ("العلوم المالية والمصرفية", "علوم مالية ومصرفية"),
    ("المحاسبة", "المحاسبه"),
    ("Computer Science", "computer science"),
])
def test_major_spellings_match(listed, typed):
    assert major_key(listed) == major_key(typed)


@pytest.mark.parametrize(("listed", "typed"), [
    ("المحاسبة", "التاريخ"),
    ("إدارة الأعمال", "إدارة المستشفيات"),
])
def test_different_majors_differ(listed, typed):
    assert major_key(listed) != major_key(typed)
