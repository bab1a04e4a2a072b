"""Fixtures for the announcement, public page and statistics tests (no tests of its own).

Test modules import what they use from here, together with the web fixtures of tests/web.
"""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from archive_api.accounts import service as accounts
from archive_api.accounts.models import User
from archive_api.timeutil import COUNCIL_TZ, to_local, utcnow
from recruitment.announcements.models import Announcement
from recruitment.announcements.service import close, create_announcement, publish
from tests.web.pages import PASSWORD

# Far enough ahead that a test run never reaches it, so these windows are in the future.
FUTURE_YEAR = 2090


def valid_values(**changes) -> dict:
    """Return form values of a valid announcement, with the given fields replaced."""
    values = {
        "number": "147/2026",
        "title_ar": "محاسب/ة",
        "title_en": "Accountant",
        "ministry": "MOH",
        "unit": "الإدارة العامة للشؤون المالية",
        "vacancies": "3",
        "governorate": "ramallah",
        "grade": "السادسة",
        "description": "إعداد القيود المحاسبية والتقارير المالية الشهرية.",
        "degree_level": "bachelor",
        "majors": "المحاسبة\nالعلوم المالية والمصرفية",
        "min_experience_years": "2",
        "required_documents": ["national_id", "diploma"],
        "opens_at": f"{FUTURE_YEAR}-05-01T08:00",
        "closes_at": f"{FUTURE_YEAR}-05-20T14:00",
    }
    values.update(changes)
    return values


def local_text(moment: datetime) -> str:
    """Format a naive UTC instant as the council-local text a form sends."""
    return to_local(moment).strftime("%Y-%m-%dT%H:%M")


def offset_changes(year: int) -> list[datetime]:
    """Return the naive UTC instants in `year` at which Asia/Hebron changes its UTC offset.

    Scans hour by hour, then narrows each change to the minute. The tests then follow the
    installed time zone database instead of dates copied into them.
    """
    changes = []
    moment = datetime(year, 1, 1, tzinfo=UTC)
    while moment.year == year:
        following = moment + timedelta(hours=1)
        if moment.astimezone(COUNCIL_TZ).utcoffset() != following.astimezone(COUNCIL_TZ).utcoffset():
            minute = moment
            while minute.astimezone(COUNCIL_TZ).utcoffset() == moment.astimezone(COUNCIL_TZ).utcoffset():
                minute += timedelta(minutes=1)
            changes.append(minute.replace(tzinfo=None))
        moment = following
    return changes


@pytest.fixture
def gpc(archive) -> str:
    """The recruitment department GPC (admin, clerk, reader) and the ministry MOH.

    The users have no password, because hashing one takes a noticeable part of a second.
    `sign_in` gives a user the test password when a test needs to sign in.
    """
    with archive.db.session() as session:
        accounts.add_department(session, "GPC", "ديوان الموظفين العام", "General Personnel Council", recruitment=True)
        accounts.add_department(session, "MOH", "وزارة الصحة", "Ministry of Health")
        for username, role in (("gpc.admin", "admin"), ("gpc.clerk", "clerk"), ("gpc.reader", "reader")):
            accounts.add_user(session, username, "GPC", role, None)
    return "GPC"


@pytest.fixture
def outsiders(archive) -> str:
    """Department HR, not a recruitment department, with an admin and a clerk (no passwords)."""
    with archive.db.session() as session:
        accounts.add_department(session, "HR", "دائرة شؤون الموظفين", "Human resources")
        accounts.add_user(session, "hr.admin", "HR", "admin", None)
        accounts.add_user(session, "hr.clerk", "HR", "clerk", None)
    return "HR"


@pytest.fixture
def sign_in(archive, new_client):
    """Return a factory of browsers signed in as the given user, who first gets the test password."""

    def make(username: str):
        with archive.db.session() as session:
            accounts.set_password(session, accounts.get_user(session, username), PASSWORD)
        browser = new_client()
        browser.login(username)
        return browser

    return make


@pytest.fixture
def make_announcement(archive, gpc):
    """Create an announcement through the service and return its id.

    `state` is draft, published or closed (published, then closed early). `opens_at` and
    `closes_at` are naive UTC; publishing happens a day before the opening, as staff would.
    """

    def make(state: str = "published", opens_at: datetime | None = None, closes_at: datetime | None = None,
             **changes) -> int:
        now = utcnow()
        opens_at = opens_at or now - timedelta(days=1)
        closes_at = closes_at or now + timedelta(days=10)
        values = valid_values(opens_at=local_text(opens_at), closes_at=local_text(closes_at), **changes)
        with archive.db.session() as session:
            clerk = session.scalar(select(User).where(User.username == "gpc.clerk"))
            announcement = create_announcement(session, clerk, values)
            if state in ("published", "closed"):
                publish(session, clerk, announcement, now=min(announcement.opens_at, now) - timedelta(days=1))
            if state == "closed":
                close(session, clerk, announcement)
            return announcement.id

    return make


def stored(archive, announcement_id: int) -> Announcement:
    with archive.db.session(write=False) as session:
        return session.get(Announcement, announcement_id)
