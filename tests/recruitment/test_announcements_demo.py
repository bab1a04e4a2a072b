"""The recruitment part of `diwan demo`: department, staff, announcements, applications, committee, figures."""

from datetime import timedelta

from sqlalchemy import func, select

from archive_api.accounts.models import Department, User
from archive_api.demo import SAMPLES_DIR
from archive_api.timeutil import utcnow
from recruitment.announcements.demo import ensure_recruitment_staff, seed_recruitment
from recruitment.announcements.models import Announcement
from recruitment.announcements.service import state_of
from recruitment.applicants.accounts import authenticate
from recruitment.applicants.models import Applicant, ApplicantDocument
from recruitment.applicants.national_id import has_valid_check_digit
from recruitment.applicants.phones import clean_mobile
from recruitment.applications.eligibility import eligibility_of
from recruitment.applications.models import Application
from recruitment.notify.models import SmsMessage
from recruitment.screening.committees import find_committee, members_of
from recruitment.screening.demo import SAMPLE_APPLICANTS, seed_screening
from recruitment.screening.models import ScreeningDecision
from recruitment.statistics.models import YearlyFigures

ARABIC_LETTER = range(0x0621, 0x064B)


def _seed(archive) -> list[str]:
    with archive.db.session() as session:
        session.add(Department(code="MOH", name_ar="وزارة الصحة", name_en="Ministry of Health"))
    ensure_recruitment_staff(archive)
    return list(seed_recruitment(archive, SAMPLES_DIR))


def test_demo_creates_recruitment_department(archive):
    created = ensure_recruitment_staff(archive)

    assert [username for username, _password in created] == ["gpc.clerk", "gpc.chair", "gpc.member"]
    with archive.db.session(write=False) as session:
        department = session.scalar(select(Department).where(Department.code == "GPC"))
        staff = {name: session.scalar(select(User).where(User.username == name))
                 for name in ("gpc.clerk", "gpc.chair", "gpc.member")}
    assert department.recruitment
    assert department.name_ar == "ديوان الموظفين العام"
    assert department.name_en == "General Personnel Council"
    for user in staff.values():
        assert user.role == "clerk", user.username
        assert user.department_id == department.id, user.username


def test_demo_announcement_states(archive):
    _seed(archive)
    now = utcnow()

    with archive.db.session(write=False) as session:
        announcements = list(session.scalars(select(Announcement).order_by(Announcement.number)))
    states = [state_of(item, now) for item in announcements]
    assert states == ["open", "open", "closed"]
    assert announcements[1].closes_at - now < timedelta(days=3)
    assert announcements[0].closes_at - now > timedelta(days=14)


def test_demo_imports_figures(archive):
    _seed(archive)

    with archive.db.session(write=False) as session:
        years = list(session.scalars(select(YearlyFigures.year).order_by(YearlyFigures.year)))
        figures_2021 = session.get(YearlyFigures, 2021)
    assert years == [2017, 2018, 2019, 2020, 2021, 2022]
    assert (figures_2021.applications, figures_2021.applicants) == (157_256, 70_493)


def _counts(archive) -> dict[str, int]:
    tables = (Announcement, Applicant, ApplicantDocument, Application, SmsMessage, User, ScreeningDecision)
    with archive.db.session(write=False) as session:
        return {table.__name__: session.scalar(select(func.count()).select_from(table)) for table in tables}


def test_demo_twice_changes_nothing(archive):
    first = _seed(archive)
    before = _counts(archive)
    second = list(seed_recruitment(archive, SAMPLES_DIR))

    # 3 announcements, 4 applicants, 4 applications, the committee and the figures.
    assert len(first) == 13
    assert second == []
    assert ensure_recruitment_staff(archive) == []
    assert _counts(archive) == before
    assert before["Announcement"] == 3
    assert before["Application"] == 4


def _closed_announcement(session) -> Announcement:
    return session.scalar(select(Announcement).where(Announcement.number.startswith("103/")))


def test_demo_applications_inside_window(archive):
    _seed(archive)

    with archive.db.session(write=False) as session:
        announcement = _closed_announcement(session)
        applications = list(session.scalars(select(Application).where(
            Application.announcement_id == announcement.id)))
    assert len(applications) == 4
    for application in applications:
        assert application.status == "submitted", application.number
        assert announcement.opens_at <= application.submitted_at < announcement.closes_at, application.number
    assert state_of(announcement, utcnow()) == "closed"


def test_demo_applicants_valid(archive):
    _seed(archive)

    with archive.db.session(write=False) as session:
        applicants = list(session.scalars(select(Applicant).order_by(Applicant.id)))
    assert [applicant.national_id for applicant in applicants] == [sample.national_id for sample in SAMPLE_APPLICANTS]
    for applicant in applicants:
        assert has_valid_check_digit(applicant.national_id), applicant.national_id
        assert clean_mobile(applicant.mobile) == applicant.mobile, applicant.mobile
        assert applicant.mobile.startswith(("+97059", "+97056")), applicant.mobile
        assert applicant.mobile_confirmed_at is not None, applicant.national_id
        assert all(ord(char) in ARABIC_LETTER or char == " " for char in applicant.full_name), applicant.full_name
    assert len({applicant.mobile for applicant in applicants}) == 4


def test_demo_applicants_eligible(archive):
    _seed(archive)

    with archive.db.session(write=False) as session:
        announcement = _closed_announcement(session)
        for applicant in session.scalars(select(Applicant)):
            eligibility, _snapshot, versions = eligibility_of(session, applicant, announcement)
            assert eligibility.ok, [check.name for check in eligibility.unmet]
            kinds = sorted(version.applicant_document.kind for version in versions)
            assert kinds == ["diploma", "national_id", "other"], applicant.national_id


def test_demo_committee_undecided(archive):
    _seed(archive)

    with archive.db.session(write=False) as session:
        committee = find_committee(session, _closed_announcement(session).id)
        members = [user.username for user in members_of(session, committee)]
        chair = committee.chair.username
        closed_at = committee.closed_at
        decisions = session.scalar(select(func.count()).select_from(ScreeningDecision))
    assert members == ["gpc.chair", "gpc.member"]
    assert chair == "gpc.chair"
    assert closed_at is None
    assert decisions == 0


def test_demo_applicant_passwords_saved(archive):
    _seed(archive)

    lines = (archive.settings.data_dir / "demo-credentials.txt").read_text().splitlines()
    saved = dict(line.split("\t") for line in lines)
    with archive.db.session(write=False) as session:
        for sample in SAMPLE_APPLICANTS:
            assert authenticate(session, sample.national_id, saved[sample.national_id]).full_name == sample.full_name


def test_screening_demo_needs_announcements(archive):
    ensure_recruitment_staff(archive)

    assert list(seed_screening(archive)) == []
    with archive.db.session(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Applicant)) == 0
