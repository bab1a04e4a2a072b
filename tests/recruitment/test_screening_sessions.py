"""Exam and interview sessions after screening: the gate, the fields, seats, capacity and their SMS."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from archive_api.errors import PermissionDenied
from archive_api.timeutil import COUNCIL_TZ
from recruitment.screening.closing import close_screening
from recruitment.screening.errors import AssignmentRefused, CommitteeNotFound, InvalidSession, ScreeningStillOpen
from recruitment.screening.models import AssessmentSession, SessionAssignment
from recruitment.screening.sessions import assign_in_order, assign_seat, create_session
from tests.recruitment import test_screening_fixtures as support
from tests.recruitment.test_screening_fixtures import CHAIR, decide_all, messages, staff

app = support.app
client = support.client
committee = support.committee
fresh_throttles = support.fresh_throttles
gpc = support.gpc
make_announcement = support.make_announcement
new_client = support.new_client
qualified = support.qualified
screening_job = support.screening_job

START = "2090-07-01 09:30"


@pytest.fixture
def screened(archive, committee, screening_job):
    """The screening job after closing: huda and omar accepted, sara rejected."""
    decide_all(archive, screening_job)
    with archive.db.session() as session:
        close_screening(session, staff(session, CHAIR), screening_job.announcement_id)
    return screening_job


def _session(archive, job, kind: str = "exam", place: str = "قاعة ديوان الموظفين العام - رام الله",
             starts: str = START, capacity: str = "30", username: str = "gpc.clerk", announcement_id=None):
    with archive.db.session() as session:
        return create_session(session, staff(session, username), announcement_id or job.announcement_id, kind, place,
                              starts, capacity).id


def _seat(archive, job, session_id: int, name: str, now: datetime | None = None):
    with archive.db.session() as session:
        return assign_seat(session, staff(session, "gpc.clerk"), job.announcement_id, session_id,
                           job.applications[name].id, now=now)


def _seats(archive) -> list[tuple[int, int]]:
    with archive.db.session(write=False) as session:
        return [(row.session_id, row.application_id) for row in
                session.scalars(select(SessionAssignment).order_by(SessionAssignment.id))]


def test_session_before_closing(archive, committee, screening_job):
    with pytest.raises(ScreeningStillOpen):
        _session(archive, screening_job)


def test_session_without_committee(archive, screening_job):
    with pytest.raises(CommitteeNotFound):
        _session(archive, screening_job)


def test_session_stored_utc(archive, screened):
    session_id = _session(archive, screened, starts="٢٠٩٠-٠٧-٠١ ٠٩:٣٠", capacity="٣")
    expected = datetime(2090, 7, 1, 9, 30, tzinfo=COUNCIL_TZ).astimezone(UTC).replace(tzinfo=None)

    with archive.db.session(write=False) as session:
        stored = session.get(AssessmentSession, session_id)

    assert stored.starts_at == expected
    assert stored.capacity == 3


@pytest.mark.parametrize(("changes", "field"), [
    ({"kind": "party"}, "kind"),
    ({"place": "  "}, "place"),
    ({"place": "ق" * 201}, "place"),
    ({"starts": "tomorrow"}, "starts_at"),
    ({"starts": ""}, "starts_at"),
    ({"starts": "2020-01-01 09:00"}, "starts_at"),
    ({"capacity": "0"}, "capacity"),
    ({"capacity": "-3"}, "capacity"),
    ({"capacity": "abc"}, "capacity"),
    ({"capacity": "1001"}, "capacity"),
])
def test_session_bad_fields(archive, screened, changes, field):
    with pytest.raises(InvalidSession) as raised:
        _session(archive, screened, **changes)

    assert field in raised.value.field_errors


def test_session_editors_only(archive, screened):
    with pytest.raises(PermissionDenied):
        _session(archive, screened, username="gpc.reader")


def test_seat_queues_exam_sms(archive, screened):
    session_id = _session(archive, screened)

    _seat(archive, screened, session_id, "huda")

    sms = messages(archive, "exam_scheduled")
    assert len(sms) == 1
    assert sms[0].stage == "exam"
    assert sms[0].application_id == screened.applications["huda"].id
    assert "2090-07-01" in sms[0].body
    assert "09:30" in sms[0].body
    assert "قاعة ديوان الموظفين العام - رام الله" in sms[0].body


def test_seat_queues_interview_sms(archive, screened):
    session_id = _session(archive, screened, kind="interview", place="مبنى الديوان، الطابق الثالث")

    _seat(archive, screened, session_id, "omar")

    sms = messages(archive, "interview_scheduled")
    assert len(sms) == 1
    assert "مقابلة" in sms[0].body
    assert "مبنى الديوان، الطابق الثالث" in sms[0].body


def test_rejected_gets_no_seat(archive, screened):
    session_id = _session(archive, screened)

    with pytest.raises(AssignmentRefused):
        _seat(archive, screened, session_id, "sara")

    assert _seats(archive) == []
    assert messages(archive, "exam_scheduled") == []


def test_withdrawn_gets_no_seat(archive, screened):
    session_id = _session(archive, screened)

    with pytest.raises(AssignmentRefused):
        _seat(archive, screened, session_id, "ahmad")


def test_seat_over_capacity(archive, screened):
    session_id = _session(archive, screened, capacity="1")
    _seat(archive, screened, session_id, "huda")

    with pytest.raises(AssignmentRefused) as raised:
        _seat(archive, screened, session_id, "omar")

    assert "full" in str(raised.value)
    assert len(_seats(archive)) == 1
    assert len(messages(archive, "exam_scheduled")) == 1


def test_second_seat_same_kind(archive, screened):
    first = _session(archive, screened)
    second = _session(archive, screened, starts="2090-07-02 09:30")
    _seat(archive, screened, first, "huda")

    with pytest.raises(AssignmentRefused):
        _seat(archive, screened, second, "huda")


def test_seat_in_started_session(archive, screened):
    session_id = _session(archive, screened)

    with pytest.raises(AssignmentRefused):
        _seat(archive, screened, session_id, "huda", now=datetime(2090, 7, 1, 12, 0))


def test_seat_other_announcement_session(archive, screened, make_announcement):
    other = support.closed_announcement(make_announcement, number="151/2026")
    support.form_committee(archive, other)
    with archive.db.session() as session:
        close_screening(session, staff(session, CHAIR), other)
    foreign = _session(archive, screened, announcement_id=other)

    with pytest.raises(InvalidSession):
        _seat(archive, screened, foreign, "huda")


def test_seats_in_order(archive, screened):
    later = _session(archive, screened, starts="2090-07-02 09:30", capacity="5")
    earlier = _session(archive, screened, capacity="1")

    with archive.db.session() as session:
        result = assign_in_order(session, staff(session, "gpc.clerk"), screened.announcement_id, "exam")

    assert result.left_without_seat == 0
    assert _seats(archive) == [(earlier, screened.applications["huda"].id), (later, screened.applications["omar"].id)]
    assert len(messages(archive, "exam_scheduled")) == 2


def test_seats_in_order_partial(archive, screened):
    _session(archive, screened, capacity="1")

    with archive.db.session() as session:
        result = assign_in_order(session, staff(session, "gpc.clerk"), screened.announcement_id, "exam")

    assert len(result.assigned) == 1
    assert result.left_without_seat == 1


def test_seats_in_order_no_session(archive, screened):
    with archive.db.session() as session, pytest.raises(AssignmentRefused):
        assign_in_order(session, staff(session, "gpc.clerk"), screened.announcement_id, "exam")


def test_seats_in_order_bad_kind(archive, screened):
    with archive.db.session() as session, pytest.raises(InvalidSession):
        assign_in_order(session, staff(session, "gpc.clerk"), screened.announcement_id, "party")


def test_seats_in_order_before_closing(archive, committee, screening_job):
    with archive.db.session() as session, pytest.raises(ScreeningStillOpen):
        assign_in_order(session, staff(session, "gpc.clerk"), screening_job.announcement_id, "exam")


def test_past_start_message(archive, screened):
    yesterday = (datetime.now(COUNCIL_TZ) - timedelta(days=1)).strftime("%Y-%m-%d %H:%M")

    with pytest.raises(InvalidSession) as raised:
        _session(archive, screened, starts=yesterday)

    assert "in the past" in raised.value.field_errors["starts_at"].render()
