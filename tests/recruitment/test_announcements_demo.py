"""The recruitment part of `diwan demo`: department, clerk, three announcements and the figures."""

from datetime import timedelta

from sqlalchemy import func, select

from archive_api.accounts.models import Department, User
from archive_api.demo import SAMPLES_DIR
from archive_api.timeutil import utcnow
from recruitment.announcements.demo import ensure_recruitment_staff, seed_recruitment
from recruitment.announcements.models import Announcement
from recruitment.announcements.service import state_of
from recruitment.statistics.models import YearlyFigures


def _seed(archive) -> list[str]:
    with archive.db.session() as session:
        session.add(Department(code="MOH", name_ar="وزارة الصحة", name_en="Ministry of Health"))
    ensure_recruitment_staff(archive)
    return list(seed_recruitment(archive, SAMPLES_DIR))


def test_demo_creates_recruitment_department(archive):
    created = ensure_recruitment_staff(archive)

    assert [username for username, _password in created] == ["gpc.clerk"]
    with archive.db.session(write=False) as session:
        department = session.scalar(select(Department).where(Department.code == "GPC"))
        clerk = session.scalar(select(User).where(User.username == "gpc.clerk"))
    assert department.recruitment
    assert department.name_ar == "ديوان الموظفين العام"
    assert department.name_en == "General Personnel Council"
    assert clerk.role == "clerk"
    assert clerk.department_id == department.id


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


def test_demo_twice_changes_nothing(archive):
    first = _seed(archive)
    second = list(seed_recruitment(archive, SAMPLES_DIR))

    assert len(first) == 4
    assert second == []
    assert ensure_recruitment_staff(archive) == []
    with archive.db.session(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Announcement)) == 3
