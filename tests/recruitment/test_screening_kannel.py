"""Screening to the applicant's phone through a real Kannel: outcome and exam SMS, and their delivery reports.

The committee works through the services (the pages have their own end-to-end test). The
dispatcher hands the messages to Kannel's smsbox, the fake SMS centre logs what it receives,
and the delivery reports come back to Diwan under uvicorn, as in production.
"""

import os
import re
import signal
import socket
import stat
import subprocess
import sys
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from archive_api.timeutil import to_local, utcnow
from recruitment.notify.fakesmsc_log import read_messages
from recruitment.notify.models import STATUS_DELIVERED, SmsDeliveryReport, SmsMessage
from recruitment.screening.closing import close_screening
from recruitment.screening.errors import UndecidedApplications
from recruitment.screening.sessions import assign_in_order, create_session
from tests.recruitment import test_screening_fixtures as screening
from tests.recruitment import test_sms_fixtures as sms
from tests.recruitment.test_screening_fixtures import CHAIR, EXPERIENCE, decide_as, form_committee, reason_id, staff
from tests.recruitment.test_sms_fixtures import wait_for
from tests.servers.kannel import PASSWORD, USERNAME, free_port

gpc = screening.gpc
make_announcement = screening.make_announcement
qualified = screening.qualified
screening_job = screening.screening_job
kannel = sms.kannel
kannel_setup = sms.kannel_setup

NOTES = "شهادة الخبرة المرفقة تغطي سنة واحدة فقط"
PLACE = "قاعة ديوان الموظفين العام - الخليل"


def _sms(archive, template: str) -> dict[int, SmsMessage]:
    """Return the messages of one template by application id."""
    with archive.db.session(write=False) as session:
        rows = session.scalars(select(SmsMessage).where(SmsMessage.template == template))
        return {row.application_id: row for row in rows}


def _report_types(archive, message_id: int) -> list[int]:
    with archive.db.session(write=False) as session:
        return sorted(session.scalars(select(SmsDeliveryReport.report_type)
                                      .where(SmsDeliveryReport.message_id == message_id)))


def _delivered(archive, template: str, count: int):
    def check() -> bool:
        rows = _sms(archive, template).values()
        return len(rows) == count and all(row.status == STATUS_DELIVERED for row in rows)
    return check


def _phone_texts(setup, count: int, expected: list[str]) -> list[str]:
    """Return the texts fakesmsc logged for this test, once `count` arrived with every expected one.

    A long message is logged part by part, so a count alone can be reached while the last
    message still lacks a part.
    """

    def texts() -> list[str]:
        return [message.text for message in read_messages(setup.server.fake_log, setup.sender)]

    wait_for(lambda: len(texts()) >= count and all(text in texts() for text in expected))
    return texts()


def _send_all(setup, archive, template: str, count: int) -> bool:
    """Run dispatcher rounds until the `count` messages of the template were handed to Kannel."""
    dispatcher = setup.dispatcher()

    def sent() -> bool:
        dispatcher.run_round()
        rows = _sms(archive, template).values()
        return len(rows) == count and all(row.sent_at is not None for row in rows)
    return wait_for(sent)


def _close_rejected(archive, announcement_id: int) -> UndecidedApplications:
    with pytest.raises(UndecidedApplications) as rejected, archive.db.session() as session:
        close_screening(session, staff(session, CHAIR), announcement_id)
    return rejected.value


def _schedule_exam(archive, announcement_id: int, starts) -> int:
    """Add an exam session at `starts` (Palestine time) and seat the accepted applications; returns the seats given."""
    with archive.db.session() as session:
        admin = staff(session, "gpc.admin")
        create_session(session, admin, announcement_id, "exam", PLACE, starts.strftime("%Y-%m-%dT%H:%M"), "25")
        return len(assign_in_order(session, admin, announcement_id, "exam").assigned)


def test_screening_sms_through_kannel(kannel_setup, archive, screening_job):
    job = screening_job
    huda, omar, sara = (job.applications[name] for name in ("huda", "omar", "sara"))
    form_committee(archive, job.announcement_id)
    decide_as(archive, CHAIR, job.announcement_id, huda.id, "accepted")
    decide_as(archive, "gpc.reader", job.announcement_id, sara.id, "accepted")

    rejected_close = _close_rejected(archive, job.announcement_id)
    assert rejected_close.undecided == [omar.number]
    assert _sms(archive, "screening_passed") == {}

    decide_as(archive, "gpc.reader", job.announcement_id, omar.id, "rejected", reason_id(archive, EXPERIENCE), NOTES)
    with archive.db.session() as session:
        result = close_screening(session, staff(session, CHAIR), job.announcement_id)
    assert (result.passed, result.not_passed) == (2, 1)

    # The outcomes reach the phones: four receipts of the applications came first.
    assert _send_all(kannel_setup, archive, "screening_not_passed", 1)
    passed, not_passed = _sms(archive, "screening_passed"), _sms(archive, "screening_not_passed")
    texts = _phone_texts(kannel_setup, 7, [message.body for message in [*passed.values(), *not_passed.values()]])
    assert sorted(passed) == sorted([huda.id, sara.id])
    assert list(not_passed) == [omar.id]
    for message in (passed[huda.id], passed[sara.id], not_passed[omar.id]):
        assert message.body in texts, message.body
    assert huda.number in passed[huda.id].body
    assert "اجتاز الفرز الأولي" in passed[huda.id].body
    assert "passed the first screening" in passed[sara.id].body
    assert omar.number in not_passed[omar.id].body
    assert "لم يجتز الفرز الأولي" in not_passed[omar.id].body
    assert "الخبرة غير كافية" in not_passed[omar.id].body
    assert NOTES in not_passed[omar.id].body

    # Kannel reports delivery back to Diwan.
    outcomes = [*passed.values(), *not_passed.values()]
    wait_for(lambda: all(len(_report_types(archive, message.id)) >= 2 for message in outcomes))
    for message in [*_sms(archive, "screening_passed").values(), *_sms(archive, "screening_not_passed").values()]:
        assert message.status == STATUS_DELIVERED, message.body
        assert message.delivered_at is not None, message.body
        assert _report_types(archive, message.id) == [1, 8], message.body

    # The exam notices go to the two accepted applicants only.
    starts = to_local(utcnow() + timedelta(days=20)).replace(hour=9, minute=30)
    assert _schedule_exam(archive, job.announcement_id, starts) == 2
    assert _send_all(kannel_setup, archive, "exam_scheduled", 2)
    exam = _sms(archive, "exam_scheduled")
    texts = _phone_texts(kannel_setup, 9, [message.body for message in exam.values()])
    assert sorted(exam) == sorted([huda.id, sara.id])
    date_text, time_text = starts.strftime("%Y-%m-%d"), starts.strftime("%H:%M")
    assert f"{date_text} الساعة {time_text} في {PLACE}" in exam[huda.id].body
    assert f"{date_text} at {time_text}, {PLACE}" in exam[sara.id].body
    for message in exam.values():
        assert message.body in texts, message.body

    wait_for(_delivered(archive, "exam_scheduled", 2))
    for message in _sms(archive, "exam_scheduled").values():
        assert message.status == STATUS_DELIVERED, message.body


def test_log_reader_decodes_texts(kannel_setup):
    # A long GSM text arrives in udh parts whose coding the log does not name, and a GSM text
    # with a line break is logged as two lines.
    english = "Your exam is on 2090-07-01 at 09:30 in the council hall, Hebron. " * 3
    arabic = "امتحان وظيفة سائق/ة سيارة إسعاف في قاعة ديوان الموظفين العام - الخليل. " * 2
    two_lines = "Diwan mobile confirmation code: 123456\nValid until 10:00. Do not share it."
    server = kannel_setup.server
    gsm = {"username": USERNAME, "password": PASSWORD, "from": kannel_setup.sender, "to": "+970599123456"}
    with httpx.Client() as client:
        assert client.get(server.sendsms_url, params={**gsm, "text": english}).status_code == 202
        assert server.sendsms(client, kannel_setup.sender, "+970599123456", arabic).status_code == 202
        assert client.get(server.sendsms_url, params={**gsm, "text": two_lines}).status_code == 202

    wait_for(lambda: len(read_messages(server.fake_log, kannel_setup.sender)) >= 3)
    wait_for(lambda: read_messages(server.fake_log, kannel_setup.sender)[-1].text == two_lines, 2)
    messages = read_messages(server.fake_log, kannel_setup.sender)

    assert [message.text for message in messages] == [english, arabic, two_lines]
    assert [message.receiver for message in messages] == ["+970599123456"] * 3
    assert [message.parts > 1 for message in messages] == [True, True, False]


def _port_open(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_demo_runner_stops_everything(data_dir):
    port = free_port()
    output = data_dir / "runner.log"
    with output.open("wb") as log:
        runner = subprocess.Popen([sys.executable, "-m", "recruitment.notify.kannel_demo", "--port", str(port)],
                                  env={**os.environ, "DIWAN_DATA_DIR": str(data_dir)}, stdout=log, stderr=log)
    try:
        wait_for(lambda: _port_open(port) or runner.poll() is not None, 60)
        served = _port_open(port)
        config = (data_dir / "kannel" / "kannel.conf").read_text()
        kannel_ports = sorted({int(value) for value in re.findall(r"^[a-z-]*port = (\d+)$", config, re.MULTILINE)})
        kannel_open = [_port_open(kannel_port) for kannel_port in kannel_ports]
        runner.send_signal(signal.SIGINT)
        runner.wait(60)
    finally:
        if runner.poll() is None:
            runner.kill()
            runner.wait()

    assert served
    assert len(kannel_ports) == 4
    assert kannel_open == [True] * 4
    assert stat.S_IMODE((data_dir / "kannel" / "kannel.conf").stat().st_mode) == 0o600
    assert "fakesmsc.log" in output.read_text()
    assert not _port_open(port)
    assert [_port_open(kannel_port) for kannel_port in kannel_ports] == [False] * 4
