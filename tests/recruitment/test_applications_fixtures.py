"""Fixtures for the application, dashboard and staff application tests (no tests of its own).

Profiles are filled through the profile service. Documents are archive records inserted
straight in the database (tests/factories/records.py) with their applicant document and
version rows, because the intake checks of a real upload take a second or more. The end-to-end
tests upload real files through the documents page instead.
"""

import functools
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from archive_api.accounts.models import User
from archive_api.accounts.passwords import hash_password
from archive_api.timeutil import to_local, utcnow
from recruitment.announcements.models import Announcement
from recruitment.announcements.service import create_announcement, publish
from recruitment.applicants.documents import applicants_department
from recruitment.applicants.models import Applicant, ApplicantDocument, ApplicantDocumentVersion
from recruitment.applicants.profile import SECTIONS, save_entry
from recruitment.applications.models import Application
from recruitment.applications.service import submit_application, withdraw_application
from tests.factories.records import make_record
from tests.recruitment import test_announcements_fixtures as announcements
from tests.recruitment import test_applicant_fixtures as applicants

app = applicants.app
client = applicants.client
new_client = applicants.new_client
applicant_browser = applicants.applicant_browser
make_applicant = applicants.make_applicant
signed_in = applicants.signed_in
fresh_throttles = applicants.fresh_throttles
gpc = announcements.gpc
outsiders = announcements.outsiders
sign_in = announcements.sign_in
make_announcement = announcements.make_announcement

PROFILE_DAY = date(2026, 6, 1)
DEFAULT_EDUCATION = ({"degree_level": "bachelor", "major": "محاسبة", "institution": "جامعة بيرزيت",
                      "graduation_year": "2018", "grade": "جيد جدا"},)
# Three and a half years, enough for the two years that valid_values requires.
DEFAULT_JOBS = ({"employer": "وزارة المالية", "job_title": "محاسب", "start_date": "2019-01-01",
                 "end_date": "2022-06-30"},)
DEFAULT_DOCUMENTS = ("national_id", "diploma")


def applicant_of(session, national_id: str) -> Applicant:
    return session.scalar(select(Applicant).where(Applicant.national_id == national_id))


def fill_profile(archive, national_id: str, education=DEFAULT_EDUCATION, jobs=DEFAULT_JOBS) -> None:
    """Add education and experience entries through the profile service."""
    with archive.db.session() as session:
        applicant = applicant_of(session, national_id)
        for values in education:
            save_entry(session, applicant, SECTIONS["education"], values, today=PROFILE_DAY)
        for values in jobs:
            save_entry(session, applicant, SECTIONS["experience"], values, today=PROFILE_DAY)


def give_document(archive, national_id: str, kind: str, title: str | None = None) -> tuple[int, int]:
    """Add an applicant document with one version on a new archive record; returns (document id, version id)."""
    with archive.db.session() as session:
        applicant_id = applicant_of(session, national_id).id
        department = applicants_department(session, archive.settings.applicants_department).code
    record_id = make_record(archive, department, doc_type=kind, owner_applicant_id=applicant_id, title=title or kind)
    with archive.db.session() as session:
        document = ApplicantDocument(applicant_id=applicant_id, kind=kind, title=title or kind)
        session.add(document)
        session.flush()
        version = ApplicantDocumentVersion(applicant_document_id=document.id, version=1, document_id=record_id)
        session.add(version)
        session.flush()
        return document.id, version.id


def new_version(archive, national_id: str, document_id: int) -> int:
    """Add the next version of an applicant document on a new archive record; returns the version id."""
    with archive.db.session() as session:
        applicant_id = applicant_of(session, national_id).id
        department = applicants_department(session, archive.settings.applicants_department).code
    record_id = make_record(archive, department, owner_applicant_id=applicant_id)
    with archive.db.session() as session:
        latest = session.scalar(select(func.max(ApplicantDocumentVersion.version))
                                .where(ApplicantDocumentVersion.applicant_document_id == document_id))
        version = ApplicantDocumentVersion(applicant_document_id=document_id, version=latest + 1,
                                           document_id=record_id)
        session.add(version)
        session.flush()
        return version.id


@functools.lru_cache(maxsize=1)
def password_hash() -> str:
    """Hash the test password once per run, because each argon2 hash takes a noticeable part of a second."""
    return hash_password(applicants.APPLICANT_PASSWORD)


def add_applicant(archive, confirmed: bool = True, language: str = "ar",
                  full_name: str = "ليلى محمود عبد الرحمن الخطيب") -> str:
    """Insert a confirmed account with the test password (no sign-up SMS); returns its national ID."""
    national_id = applicants.next_national_id()
    with archive.db.session() as session:
        session.add(Applicant(
            national_id=national_id, full_name=full_name, birth_date=date(1996, 4, 23), mobile="+970599123456",
            mobile_confirmed_at=utcnow() if confirmed else None, password_hash=password_hash(), language=language,
        ))
    return national_id


@pytest.fixture
def qualified(archive):
    """Return a factory: a confirmed applicant whose profile meets valid_values' requirements."""

    def make(documents=DEFAULT_DOCUMENTS, education=DEFAULT_EDUCATION, jobs=DEFAULT_JOBS, **changes) -> str:
        national_id = add_applicant(archive, **changes)
        fill_profile(archive, national_id, education, jobs)
        for kind in documents:
            give_document(archive, national_id, kind)
        return national_id

    return make


@pytest.fixture
def job(make_announcement) -> int:
    """A published announcement open now: bachelor in accounting, 2 years, identity card and diploma."""
    return make_announcement()


def announce_local(archive, opens: str, closes: str, **changes) -> int:
    """Create and publish an announcement whose window staff typed in Palestine time; returns its id."""
    values = announcements.valid_values(opens_at=opens, closes_at=closes, **changes)
    with archive.db.session() as session:
        clerk = session.scalar(select(User).where(User.username == "gpc.clerk"))
        announcement = create_announcement(session, clerk, values)
        publish(session, clerk, announcement, now=announcement.opens_at)
        return announcement.id


def submit(archive, national_id: str, announcement_id: int, now: datetime | None = None):
    """Submit through the service in a write session; returns (application id, number, created)."""
    with archive.db.session() as session:
        submission = submit_application(session, applicant_of(session, national_id), announcement_id,
                                        now=now or utcnow(), today=PROFILE_DAY)
        return submission.application.id, submission.application.number, submission.created


def withdraw(archive, national_id: str, application_id: int, now: datetime | None = None) -> bool:
    """Withdraw through the service in a write session; returns whether anything changed."""
    with archive.db.session() as session:
        return withdraw_application(session, applicant_of(session, national_id), application_id, now=now).changed


def shown_moment(moment: datetime) -> str:
    """Return a naive UTC time as messages show it: Palestine time between left-to-right isolates."""
    return "\u2066" + to_local(moment).strftime("%Y-%m-%d %H:%M") + "\u2069"


def stored_application(archive, application_id: int) -> Application:
    with archive.db.session(write=False) as session:
        return session.get(Application, application_id)


def window_of(archive, announcement_id: int) -> tuple[datetime, datetime]:
    with archive.db.session(write=False) as session:
        announcement = session.get(Announcement, announcement_id)
        return announcement.opens_at, announcement.closes_at
