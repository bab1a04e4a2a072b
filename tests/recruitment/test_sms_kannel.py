"""SMS delivery through a real Kannel (bearerbox, smsbox and the fake SMSC from Debian) and back.

Each test sends with its own sender name and reads what the fake SMS centre received from its
log, decoding the UTF-16 parts as a phone would. Delivery reports travel from Kannel to the
/sms/dlr endpoint of Diwan running under uvicorn.
"""

import os
import subprocess
import sys
import textwrap
import threading

import pytest
from sqlalchemy import func, select

from archive_api.context import get_archive
from recruitment.notify.delivery import expire_unconfirmed
from recruitment.notify.gateway import GatewayMisconfigured, MessageRejected, open_gateway
from recruitment.notify.kannel import KannelGateway, mask_url, parse_kannel_url
from recruitment.notify.models import (
    STATUS_DELIVERED,
    STATUS_FAILED,
    STATUS_QUEUED,
    STATUS_SENT,
    SmsDeliveryReport,
    SmsMessage,
)
from recruitment.notify.parts import sms_size
from recruitment.notify.reasons import reason_text
from tests.recruitment import test_sms_fixtures as support
from tests.recruitment.test_sms_fixtures import add_applicant, message, messages, queue, wait_for
from tests.servers.kannel import decode_text

kannel = support.kannel
kannel_setup = support.kannel_setup

ARABIC_LONG = (
    "تعلن وزارة المالية عن حاجتها لتعيين محاسبين في مديرياتها بالضفة الغربية وقطاع غزة، "
    "على من يرغب التقدم بطلبه عبر بوابة ديوان قبل نهاية الشهر، مع إرفاق الشهادات المصدقة وصورة الهوية."
)


def _group_messages(parts):
    """Group received parts into messages by their concatenation reference (single parts stand alone)."""
    groups: dict = {}
    for index, part in enumerate(parts):
        key = part.reference[0] if part.reference else f"single-{index}"
        groups.setdefault(key, []).append(part)
    return list(groups.values())


def _reports(archive, message_id: int) -> list[int]:
    with archive.db.session(write=False) as session:
        return sorted(session.scalars(select(SmsDeliveryReport.report_type)
                                      .where(SmsDeliveryReport.message_id == message_id)))


def _delivered(archive, message_ids):
    return lambda: all(item.status == STATUS_DELIVERED for item in messages(archive, message_ids))


def test_arabic_text_arrives(kannel_setup, archive):
    applicant = add_applicant(archive)
    [message_id] = queue(archive, applicant)
    body = message(archive, message_id).body

    kannel_setup.dispatcher().run_round()
    parts = kannel_setup.server.wait_received(kannel_setup.sender, sms_size(body).parts)

    assert decode_text(parts, ucs2=True) == body
    assert {part.receiver for part in parts} == {"+970599123456"}


def test_plus_sign_not_space(kannel_setup, archive):
    # The number and a text with + would both arrive with a space if the + were not percent-encoded.
    applicant = add_applicant(archive, language="en")
    [message_id] = queue(archive, applicant, params={"job_title": "C++ developer", "number": "2026-1-00001"})

    kannel_setup.dispatcher().run_round()
    parts = kannel_setup.server.wait_received(kannel_setup.sender, 1)

    assert parts[0].receiver == "+970599123456"
    assert decode_text(parts, ucs2=False) == message(archive, message_id).body


@pytest.mark.parametrize("length", [70, 71, 134, 135, 201])
def test_parts_match_preview(kannel_setup, archive, length):
    applicant = add_applicant(archive)
    text = (ARABIC_LONG * 2)[:length]
    with archive.db.session() as session:
        row = session.scalar(select(SmsMessage).where(SmsMessage.id == queue(archive, applicant)[0]))
        row.body = text
    expected = sms_size(text)

    kannel_setup.dispatcher().run_round()
    parts = kannel_setup.server.wait_received(kannel_setup.sender, expected.parts)
    wait_for(lambda: len(kannel_setup.server.received(kannel_setup.sender)) > expected.parts, 1)

    assert len(kannel_setup.server.received(kannel_setup.sender)) == expected.parts
    assert decode_text(parts, ucs2=True) == text
    if expected.parts > 1:
        assert max(len(part.payload()) for part in parts) == 2 * 67


def test_report_marks_delivered(kannel_setup, archive):
    applicant = add_applicant(archive)
    [message_id] = queue(archive, applicant)

    kannel_setup.dispatcher().run_round()
    wait_for(_delivered(archive, [message_id]))
    wait_for(lambda: len(_reports(archive, message_id)) >= 2, 5)
    delivered = message(archive, message_id)

    assert delivered.status == STATUS_DELIVERED
    assert delivered.sent_at is not None
    assert delivered.delivered_at is not None
    assert _reports(archive, message_id) == [1, 8]


def test_long_message_one_report_each(kannel_setup, archive):
    applicant = add_applicant(archive)
    with archive.db.session() as session:
        [message_id] = queue(archive, applicant)
        session.get(SmsMessage, message_id).body = ARABIC_LONG[:200]

    kannel_setup.dispatcher().run_round()
    kannel_setup.server.wait_received(kannel_setup.sender, 3)
    wait_for(lambda: len(_reports(archive, message_id)) >= 2)
    wait_for(lambda: len(_reports(archive, message_id)) > 2, 1)

    assert len(kannel_setup.server.received(kannel_setup.sender)) == 3
    assert _reports(archive, message_id) == [1, 8]


class StoppingGateway:
    """The real Kannel gateway, which stops smsbox after `after` messages and starts it again 1.5 s later."""

    delivers = True

    def __init__(self, server, after: int) -> None:
        self.gateway = open_gateway(get_archive().settings.sms_gateway_url)
        self.server = server
        self.after = after
        self.sent = 0
        self.restarted = threading.Event()

    def send(self, item, report_url):
        accepted = self.gateway.send(item, report_url)
        self.sent += 1
        if self.sent == self.after:
            self.server.stop_smsbox()
            threading.Timer(1.5, self._restart).start()
        return accepted

    def _restart(self) -> None:
        self.server.start_smsbox()
        self.restarted.set()

    def describe(self) -> str:
        return self.gateway.describe()

    def close(self) -> None:
        self.gateway.close()


def _skip_backoff(archive, message_ids) -> None:
    with archive.db.session() as session:
        for item in session.scalars(select(SmsMessage).where(SmsMessage.id.in_(message_ids))):
            item.next_attempt_at = None


def test_smsbox_stopped_mid_batch(kannel_setup, archive):
    """smsbox stops after three of eight messages and starts again: every message arrives exactly once."""
    applicant = add_applicant(archive)
    ids = queue(archive, applicant, count=8)
    body = message(archive, ids[0]).body
    gateway = StoppingGateway(kannel_setup.server, after=3)
    dispatcher = kannel_setup.dispatcher(gateway=gateway)

    first = dispatcher.run_round().batch
    waiting = messages(archive, ids)
    assert gateway.restarted.wait(30)
    _skip_backoff(archive, ids)
    for _ in range(3):
        dispatcher.run_round()
    wait_for(_delivered(archive, ids))
    received = kannel_setup.server.received(kannel_setup.sender)
    texts = [decode_text(parts, ucs2=True) for parts in _group_messages(received)]

    assert first.sent == 3
    assert first.retried == 1
    assert [item.status for item in waiting].count(STATUS_QUEUED) == 5
    assert texts == [body] * len(ids)
    assert all(item.status == STATUS_DELIVERED for item in messages(archive, ids))
    assert max(item.attempts for item in messages(archive, ids)) == 2


def test_slow_smsbox_waited_for(kannel_setup, archive):
    """smsbox frozen for 1.5 s, within the 10 s timeout: the message goes out once when it answers."""
    applicant = add_applicant(archive)
    [message_id] = queue(archive, applicant)
    kannel_setup.server.pause_smsbox()
    resume = threading.Timer(1.5, kannel_setup.server.resume_smsbox)
    resume.start()
    try:
        result = kannel_setup.dispatcher().run_round().batch
    finally:
        resume.join()
    wait_for(_delivered(archive, [message_id]))

    assert result.sent == 1
    assert len(_group_messages(kannel_setup.server.received(kannel_setup.sender))) == 1
    assert message(archive, message_id).status == STATUS_DELIVERED


def test_timeout_never_resent(kannel_setup, archive):
    """smsbox answers after the timeout: the message is not offered again, and fails as unconfirmed."""
    applicant = add_applicant(archive)
    [message_id] = queue(archive, applicant)
    url = get_archive().settings.sms_gateway_url + "&timeout=0.5"
    kannel_setup.server.pause_smsbox()
    try:
        result = kannel_setup.dispatcher(gateway=open_gateway(url)).run_round().batch
        waiting = message(archive, message_id)
    finally:
        kannel_setup.server.resume_smsbox()
    second = kannel_setup.dispatcher().run_round().batch
    expired = expire_unconfirmed(archive.db, after_s=0)
    failed = message(archive, message_id)

    assert result.unknown == 1
    assert waiting.status == STATUS_QUEUED
    assert waiting.handed_over_at is not None
    assert second.claimed == 0
    assert expired == 1
    assert failed.status == STATUS_FAILED
    assert "gateway did not answer in time" in reason_text(failed.last_error)
    # smsbox drops a request whose client has gone, so nothing arrived; staff resend it.
    assert kannel_setup.server.received(kannel_setup.sender) == []


KILLED_WORKER = textwrap.dedent("""
    import os, sys
    from archive_api.context import get_archive
    from archive_api.settings import get_settings
    from recruitment.notify.dispatcher import SmsDispatcher, report_url_template
    from recruitment.notify.gateway import default_gateway

    gateway = default_gateway(get_settings())

    class DyingGateway:
        delivers = True

        def send(self, message, report_url):
            gateway.send(message, report_url)
            os._exit(9)  # killed after the gateway accepted, before Diwan recorded it

        def describe(self):
            return "dying"

        def close(self):
            pass

    SmsDispatcher(get_archive().db, DyingGateway(), report_url_template(get_settings()), 0).run_round()
""")


def test_worker_killed_after_send(kannel_setup, archive):
    applicant = add_applicant(archive)
    [message_id] = queue(archive, applicant)
    environment = {**os.environ, "PYTHONPATH": os.getcwd()}

    killed = subprocess.run([sys.executable, "-c", KILLED_WORKER], env=environment, timeout=60, capture_output=True)
    after_crash = message(archive, message_id)
    with archive.db.session() as session:
        # The claim lease of the dead worker has run out.
        session.get(SmsMessage, message_id).lease_until = None
    kannel_setup.dispatcher().run_round()
    wait_for(_delivered(archive, [message_id]))
    wait_for(lambda: len(kannel_setup.server.received(kannel_setup.sender)) > 2, 1)

    assert killed.returncode == 9
    assert after_crash.handed_over_at is not None
    assert after_crash.status in (STATUS_QUEUED, STATUS_SENT, STATUS_DELIVERED)
    assert len(_group_messages(kannel_setup.server.received(kannel_setup.sender))) == 1
    assert message(archive, message_id).status == STATUS_DELIVERED


def test_wrong_password_waits(kannel_setup, archive):
    applicant = add_applicant(archive)
    [message_id] = queue(archive, applicant)
    url = get_archive().settings.sms_gateway_url.replace("%2Btest", "%2Bwrong")

    result = kannel_setup.dispatcher(gateway=open_gateway(url)).run_round().batch
    waiting = message(archive, message_id)

    assert isinstance(result.problem, GatewayMisconfigured)
    assert waiting.status == STATUS_QUEUED
    assert waiting.attempts == 0
    assert waiting.handed_over_at is None
    assert "Authorization failed" in reason_text(waiting.last_error)
    assert "wrong" not in reason_text(waiting.last_error)
    assert kannel_setup.server.received(kannel_setup.sender) == []


def test_invalid_number_never_sent(kannel_setup, archive):
    applicant = add_applicant(archive, mobile="+9705912")
    [message_id] = queue(archive, applicant)

    result = kannel_setup.dispatcher().run_round().batch
    kannel_setup.dispatcher().run_round()
    failed = message(archive, message_id)

    assert result.failed == 1
    assert failed.status == STATUS_FAILED
    assert failed.attempts == 0
    assert "+9705912 is not a valid mobile number" in reason_text(failed.last_error)
    assert kannel_setup.server.received(kannel_setup.sender) == []


def test_number_denied_by_kannel(kannel_setup, archive):
    # smsbox denies a receiver that is not a number; the gateway reports it as a rejection of this message.
    gateway = KannelGateway(parse_kannel_url(get_archive().settings.sms_gateway_url))
    applicant = add_applicant(archive)
    [message_id] = queue(archive, applicant)
    with archive.db.session() as session:
        row = session.get(SmsMessage, message_id)
        row.to_number = "abc"

    with pytest.raises(MessageRejected) as raised:
        gateway.send(message(archive, message_id), None)

    assert "denied" in str(raised.value)


def test_gateway_url_masked(kannel_setup):
    url = get_archive().settings.sms_gateway_url

    assert "kannel+test" not in mask_url(url)
    assert ":****@127.0.0.1" in mask_url(url)


def test_counts_reports_stored(kannel_setup, archive):
    applicant = add_applicant(archive)
    ids = queue(archive, applicant, count=3)

    kannel_setup.dispatcher().run_round()
    wait_for(_delivered(archive, ids))
    wait_for(lambda: all(len(_reports(archive, item)) >= 2 for item in ids), 5)
    with archive.db.session(write=False) as session:
        stored = session.scalar(select(func.count()).select_from(SmsDeliveryReport)
                                .where(SmsDeliveryReport.message_id.in_(ids)))

    assert stored == 6
