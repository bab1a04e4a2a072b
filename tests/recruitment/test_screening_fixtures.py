"""Fixtures for the screening tests (no tests of its own).

`screening_job` is an announcement that closed an hour ago with four applications, one of them
withdrawn. The applications were submitted while it was open, because the tests pass the
submission time to the service. Staff come from the `gpc` fixture (gpc.admin, gpc.clerk, gpc.reader) plus gpc.other,
a recruitment reader who sits on no committee, and the `outsiders` department HR.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from archive_api.accounts import service as accounts
from archive_api.accounts.models import User
from archive_api.timeutil import utcnow
from recruitment.applications.models import Application
from recruitment.notify.models import SmsMessage
from recruitment.screening.committees import save_committee
from recruitment.screening.decisions import decide
from recruitment.screening.models import RejectionReason
from tests.recruitment import test_applications_fixtures as support

app = support.app
applicant_browser = support.applicant_browser
client = support.client
fresh_throttles = support.fresh_throttles
gpc = support.gpc
make_announcement = support.make_announcement
make_applicant = support.make_applicant
new_client = support.new_client
outsiders = support.outsiders
qualified = support.qualified
sign_in = support.sign_in

MEMBERS = ("gpc.clerk", "gpc.reader")
CHAIR = "gpc.clerk"


@dataclass(frozen=True)
class Filed:
    """One application of the screening job: its id, number and the applicant's national ID."""

    id: int
    number: str
    national_id: str


@dataclass(frozen=True)
class ScreeningJob:
    announcement_id: int
    applications: dict[str, Filed]  # huda, omar, sara (English) and ahmad (withdrawn)


def staff(session, username: str) -> User:
    return session.scalar(select(User).where(User.username == username))


@pytest.fixture
def other_staff(archive, gpc) -> str:
    """A recruitment reader who is on no committee."""
    with archive.db.session() as session:
        accounts.add_user(session, "gpc.other", "GPC", "reader", None)
    return "gpc.other"


def closed_announcement(make_announcement, **changes) -> int:
    now = utcnow()
    return make_announcement(opens_at=now - timedelta(days=10), closes_at=now - timedelta(hours=1), **changes)


@pytest.fixture
def screening_job(archive, make_announcement, qualified) -> ScreeningJob:
    announcement_id = closed_announcement(make_announcement)
    submitted_at = utcnow() - timedelta(days=2)
    people = {
        "huda": qualified(full_name="هدى خليل عودة"),
        "omar": qualified(full_name="عمر فارس حداد"),
        "sara": qualified(full_name="سارة يوسف ناصر", language="en"),
        "ahmad": qualified(full_name="أحمد سمير يوسف"),
    }
    filed = {}
    for name, national_id in people.items():
        application_id, number, _created = support.submit(archive, national_id, announcement_id, now=submitted_at)
        filed[name] = Filed(application_id, number, national_id)
    support.withdraw(archive, people["ahmad"], filed["ahmad"].id, now=submitted_at + timedelta(hours=1))
    return ScreeningJob(announcement_id, filed)


def form_committee(archive, announcement_id: int, members=MEMBERS, chair: str = CHAIR) -> int:
    with archive.db.session() as session:
        member_ids = [staff(session, name).id for name in members]
        committee = save_committee(session, staff(session, "gpc.admin"), announcement_id, member_ids,
                                   staff(session, chair).id)
        return committee.id


@pytest.fixture
def committee(archive, screening_job) -> int:
    return form_committee(archive, screening_job.announcement_id)


def reason_id(archive, label_en: str) -> int:
    with archive.db.session(write=False) as session:
        return session.scalar(select(RejectionReason.id).where(RejectionReason.label_en == label_en))


EXPERIENCE = "Insufficient experience"


def decide_as(archive, username: str, announcement_id: int, application_id: int, outcome: str,
              reason: int | None = None, notes: str = ""):
    with archive.db.session() as session:
        return decide(session, staff(session, username), announcement_id, application_id, outcome, reason, notes)


def decide_all(archive, job: ScreeningJob, notes: str = "لم تُرفق شهادة خبرة مصدقة") -> None:
    """Accept huda and omar, reject sara for insufficient experience."""
    decide_as(archive, CHAIR, job.announcement_id, job.applications["huda"].id, "accepted")
    decide_as(archive, CHAIR, job.announcement_id, job.applications["omar"].id, "accepted")
    decide_as(archive, "gpc.reader", job.announcement_id, job.applications["sara"].id, "rejected",
              reason_id(archive, EXPERIENCE), notes)


def messages(archive, template: str | None = None) -> list[SmsMessage]:
    with archive.db.session(write=False) as session:
        query = select(SmsMessage).order_by(SmsMessage.id)
        if template is not None:
            query = query.where(SmsMessage.template == template)
        return list(session.scalars(query))


def application(archive, application_id: int) -> Application:
    with archive.db.session(write=False) as session:
        return session.get(Application, application_id)
