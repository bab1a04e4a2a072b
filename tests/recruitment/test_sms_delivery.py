"""Delivery steps without a real gateway: claims, hand-over, crash windows, retries, leases and pacing."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from archive_api.settings import Settings
from archive_api.timeutil import utcnow
from recruitment.notify.delivery import (
    BACKOFF_MAX_S,
    MAX_SEND_ATTEMPTS,
    BatchResult,
    backoff_s,
    claim,
    deliver,
    expire_unconfirmed,
    hand_over,
    is_sendable_number,
    record_accepted,
)
from recruitment.notify.dispatcher import (
    SmsDispatcher,
    hold_lease,
    report_url_template,
    start_sms_dispatcher,
)
from recruitment.notify.gateway import (
    Accepted,
    GatewayMisconfigured,
    GatewayUnavailable,
    InvalidGatewaySetting,
    MessageRejected,
    OutcomeUnknown,
)
from recruitment.notify.models import STATUS_DELIVERED, STATUS_FAILED, STATUS_QUEUED, STATUS_SENT, SmsMessage
from recruitment.notify.rate import RateLimiter
from recruitment.notify.reasons import reason_text
from recruitment.notify.reports import DELIVERED, SMSC_ACCEPTED, apply_report
from tests.recruitment.test_sms_fixtures import add_applicant, message, queue

REPORT_URL = "http://127.0.0.1:9/sms/dlr?id={id}&token={token}"


class RecordingGateway:
    """Accepts every message and remembers what it was given, or raises `error` for every message."""

    delivers = True

    def __init__(self, error: Exception | None = None) -> None:
        self.error = error
        self.sent: list[tuple[int, str | None]] = []

    def send(self, item: SmsMessage, report_url: str | None) -> Accepted:
        if self.error is not None:
            raise self.error
        self.sent.append((item.id, report_url))
        return Accepted(f"ref-{item.id}")

    def describe(self) -> str:
        return "recording"

    def close(self) -> None:
        pass


def _dispatcher(archive, gateway, owner: str = "worker-a") -> SmsDispatcher:
    return SmsDispatcher(archive.db, gateway, REPORT_URL, 0, owner=owner)


def _unavailable() -> GatewayUnavailable:
    return GatewayUnavailable("smsbox at %(endpoint)s refused the connection", endpoint="http://127.0.0.1:9")


def _set(archive, message_id: int, **values) -> None:
    with archive.db.session() as session:
        row = session.get(SmsMessage, message_id)
        for name, value in values.items():
            setattr(row, name, value)


@pytest.fixture
def applicant(archive) -> int:
    return add_applicant(archive)


def test_round_sends_and_records(archive, applicant):
    ids = queue(archive, applicant, count=3)
    gateway = RecordingGateway()

    result = _dispatcher(archive, gateway).run_round().batch
    sent = message(archive, ids[0])

    assert result.sent == 3
    assert [message_id for message_id, _url in gateway.sent] == ids
    assert sent.status == STATUS_SENT
    assert sent.attempts == 1
    assert sent.gateway_reference == f"ref-{ids[0]}"
    assert sent.lease_owner is None


def test_report_url_has_token(archive, applicant):
    [message_id] = queue(archive, applicant)
    gateway = RecordingGateway()

    _dispatcher(archive, gateway).run_round()
    token = message(archive, message_id).report_token

    assert len(token) >= 32
    assert gateway.sent[0][1] == f"http://127.0.0.1:9/sms/dlr?id={message_id}&token={token}"


def test_codes_go_first(archive, applicant):
    bulk = queue(archive, applicant, count=3)
    [code] = queue(archive, applicant, "sign_up_code", {"code": "493817", "expires": "14:35"}, "sign_up")

    claimed = claim(archive.db, "worker-a", 10)

    assert claimed == [code, *bulk]


def test_claim_skips_leased(archive, applicant):
    ids = queue(archive, applicant, count=2)

    first = claim(archive.db, "worker-a", 1)
    second = claim(archive.db, "worker-b", 10)

    assert first == [ids[0]]
    assert second == [ids[1]]


def test_expired_lease_claimed_again(archive, applicant):
    """A dispatcher that died after claiming sent nothing: another one takes the message when the lease ends."""
    [message_id] = queue(archive, applicant)
    claim(archive.db, "dead-worker", 10)
    _set(archive, message_id, lease_until=utcnow() - timedelta(seconds=1))
    gateway = RecordingGateway()

    _dispatcher(archive, gateway, owner="worker-b").run_round()

    assert [sent_id for sent_id, _url in gateway.sent] == [message_id]
    assert message(archive, message_id).status == STATUS_SENT


def test_lost_claim_not_handed_over(archive, applicant):
    [message_id] = queue(archive, applicant)
    claim(archive.db, "worker-a", 10)
    _set(archive, message_id, lease_until=utcnow() - timedelta(seconds=1))
    claim(archive.db, "worker-b", 10)

    assert hand_over(archive.db, "worker-a", message_id) is None
    assert hand_over(archive.db, "worker-b", message_id) is not None


def test_handed_over_never_claimed(archive, applicant):
    """A crash after the hand-over: the message may have reached the gateway, so it is never offered again."""
    [message_id] = queue(archive, applicant)
    claim(archive.db, "dead-worker", 10)
    hand_over(archive.db, "dead-worker", message_id)
    _set(archive, message_id, lease_until=utcnow() - timedelta(seconds=1))
    gateway = RecordingGateway()

    result = _dispatcher(archive, gateway, owner="worker-b").run_round().batch

    assert result.claimed == 0
    assert gateway.sent == []
    assert message(archive, message_id).status == STATUS_QUEUED


def test_report_settles_handed_over(archive, applicant):
    [message_id] = queue(archive, applicant)
    claim(archive.db, "dead-worker", 10)
    token = hand_over(archive.db, "dead-worker", message_id).report_token

    with archive.db.session() as session:
        apply_report(session, message_id, token, SMSC_ACCEPTED, "ACK/")

    assert message(archive, message_id).status == STATUS_SENT


def test_unconfirmed_expires_failed(archive, applicant):
    [message_id] = queue(archive, applicant)
    claim(archive.db, "dead-worker", 10)
    hand_over(archive.db, "dead-worker", message_id)
    _set(archive, message_id, handed_over_at=utcnow() - timedelta(hours=2))

    expired = expire_unconfirmed(archive.db)
    failed = message(archive, message_id)

    assert expired == 1
    assert failed.status == STATUS_FAILED
    assert "sending process stopped during the hand-over" in reason_text(failed.last_error)


def test_recent_hand_over_kept(archive, applicant):
    [message_id] = queue(archive, applicant)
    claim(archive.db, "worker-a", 10)
    hand_over(archive.db, "worker-a", message_id)

    assert expire_unconfirmed(archive.db) == 0
    assert message(archive, message_id).status == STATUS_QUEUED


def test_late_report_after_expiry(archive, applicant):
    [message_id] = queue(archive, applicant)
    claim(archive.db, "worker-a", 10)
    token = hand_over(archive.db, "worker-a", message_id).report_token
    expire_unconfirmed(archive.db, after_s=0)

    with archive.db.session() as session:
        apply_report(session, message_id, token, DELIVERED, "")
    delivered = message(archive, message_id)

    assert delivered.status == STATUS_DELIVERED
    assert delivered.last_error is None


def test_report_before_record_kept(archive, applicant):
    """Kannel may report delivery before Diwan records the 202; recording does not undo the delivery."""
    [message_id] = queue(archive, applicant)
    claim(archive.db, "worker-a", 10)
    token = hand_over(archive.db, "worker-a", message_id).report_token
    with archive.db.session() as session:
        apply_report(session, message_id, token, DELIVERED, "")

    record_accepted(archive.db, message_id, Accepted(None))
    recorded = message(archive, message_id)

    assert recorded.status == STATUS_DELIVERED
    assert recorded.attempts == 1
    assert recorded.sent_at is not None


def test_unavailable_backs_off(archive, applicant):
    ids = queue(archive, applicant, count=3)

    result = _dispatcher(archive, RecordingGateway(_unavailable())).run_round().batch
    first, second = message(archive, ids[0]), message(archive, ids[1])

    assert result.retried == 1
    assert isinstance(result.problem, GatewayUnavailable)
    assert first.status == STATUS_QUEUED
    assert first.attempts == 1
    assert first.handed_over_at is None
    assert first.next_attempt_at > utcnow() + timedelta(seconds=5)
    assert second.attempts == 0
    assert second.lease_owner is None
    assert "refused the connection" in reason_text(first.last_error)


def test_backoff_not_due(archive, applicant):
    [message_id] = queue(archive, applicant)
    _dispatcher(archive, RecordingGateway(_unavailable())).run_round()
    gateway = RecordingGateway()

    result = _dispatcher(archive, gateway).run_round().batch

    assert result.claimed == 0
    assert gateway.sent == []


def test_unavailable_gives_up(archive, applicant):
    [message_id] = queue(archive, applicant)
    dispatcher = _dispatcher(archive, RecordingGateway(_unavailable()))

    for _ in range(MAX_SEND_ATTEMPTS):
        _set(archive, message_id, next_attempt_at=None)
        dispatcher.run_round()
    failed = message(archive, message_id)

    assert failed.status == STATUS_FAILED
    assert failed.attempts == MAX_SEND_ATTEMPTS
    assert "did not accept the message in 10 attempts" in reason_text(failed.last_error)
    assert "refused the connection" in reason_text(failed.last_error)


def test_misconfigured_not_charged(archive, applicant):
    [message_id] = queue(archive, applicant)
    error = GatewayMisconfigured("smsbox answered %(status)s", status=403)

    for _ in range(MAX_SEND_ATTEMPTS + 2):
        _dispatcher(archive, RecordingGateway(error)).run_round()
    waiting = message(archive, message_id)

    assert waiting.status == STATUS_QUEUED
    assert waiting.attempts == 0
    assert waiting.next_attempt_at is None


def test_rejected_never_retried(archive, applicant):
    [message_id] = queue(archive, applicant)
    error = MessageRejected("smsbox answered %(answer)s", answer="Number(s) has/have been denied")
    rejecting = RecordingGateway(error)

    first = _dispatcher(archive, rejecting).run_round().batch
    second = _dispatcher(archive, RecordingGateway()).run_round().batch
    failed = message(archive, message_id)

    assert first.failed == 1
    assert second.claimed == 0
    assert failed.status == STATUS_FAILED
    assert failed.attempts == 1
    assert "denied" in reason_text(failed.last_error)


def test_unknown_stops_batch(archive, applicant):
    ids = queue(archive, applicant, count=2)
    error = OutcomeUnknown("no answer from %(endpoint)s", endpoint="http://127.0.0.1:9")

    result = _dispatcher(archive, RecordingGateway(error)).run_round().batch
    first, second = message(archive, ids[0]), message(archive, ids[1])

    assert result.unknown == 1
    assert first.handed_over_at is not None
    assert first.attempts == 1
    assert second.handed_over_at is None
    assert second.lease_owner is None


@pytest.mark.parametrize("number", ["+9705912", "0599123456", "+97059912345", "+970 599 123 456", "+97022123456"])
def test_invalid_number_failed(archive, number):
    applicant = add_applicant(archive, mobile=number)
    [message_id] = queue(archive, applicant)
    gateway = RecordingGateway()

    result = _dispatcher(archive, gateway).run_round().batch
    failed = message(archive, message_id)

    assert result.failed == 1
    assert gateway.sent == []
    assert failed.status == STATUS_FAILED
    assert failed.attempts == 0
    assert failed.handed_over_at is None
    assert number in reason_text(failed.last_error)


@pytest.mark.parametrize("number", ["+970599123456", "+970568765432", "+972599123456", "+962791234567"])
def test_sendable_numbers(number):
    assert is_sendable_number(number)


def test_deliver_skips_lost_claim(archive, applicant):
    [message_id] = queue(archive, applicant)
    gateway = RecordingGateway()
    result = BatchResult()

    carry_on = deliver(archive.db, gateway, "never-claimed", message_id, REPORT_URL, result)

    assert carry_on
    assert gateway.sent == []
    assert message(archive, message_id).handed_over_at is None


def test_lease_held_by_one(archive):
    assert hold_lease(archive.db, "worker-a")
    assert hold_lease(archive.db, "worker-a")
    assert not hold_lease(archive.db, "worker-b")


def test_lease_taken_after_expiry(archive):
    hold_lease(archive.db, "worker-a", lease_s=-1)

    assert hold_lease(archive.db, "worker-b")
    assert not hold_lease(archive.db, "worker-a")


def test_second_dispatcher_waits(archive, applicant):
    queue(archive, applicant)
    hold_lease(archive.db, "worker-a")
    gateway = RecordingGateway()

    outcome = _dispatcher(archive, gateway, owner="worker-b").run_round()

    assert outcome.batch is None
    assert gateway.sent == []


def test_dispatcher_thread_sends(archive, applicant):
    [message_id] = queue(archive, applicant)
    gateway = RecordingGateway()
    dispatcher = _dispatcher(archive, gateway)
    thread = threading.Thread(target=dispatcher.run)

    thread.start()
    for _ in range(200):
        if gateway.sent:
            break
        dispatcher.stop.wait(0.05)
    dispatcher.stop.set()
    thread.join(10)

    assert not thread.is_alive()
    assert [sent_id for sent_id, _url in gateway.sent] == [message_id]
    assert hold_lease(archive.db, "worker-b")


@pytest.mark.parametrize(("attempts", "seconds"), [(1, 10), (2, 20), (3, 40), (7, 640), (8, BACKOFF_MAX_S),
                                                   (30, BACKOFF_MAX_S)])
def test_backoff_doubles_bounded(attempts, seconds):
    assert backoff_s(attempts) == seconds


class FakeTime:
    """A clock and a stop event whose wait() moves the clock instead of sleeping."""

    def __init__(self) -> None:
        self.now = 100.0
        self.waits: list[float] = []

    def clock(self) -> float:
        return self.now

    def is_set(self) -> bool:
        return False

    def wait(self, seconds: float) -> bool:
        self.waits.append(round(seconds, 6))
        self.now += seconds
        return False


def test_rate_spaces_calls():
    fake = FakeTime()
    limiter = RateLimiter(4, clock=fake.clock, stop=fake)

    for _ in range(5):
        limiter.wait()

    assert fake.waits == [0.25, 0.25, 0.25, 0.25]
    assert fake.now == pytest.approx(101.0)


def test_rate_no_burst_after_idle():
    fake = FakeTime()
    limiter = RateLimiter(2, clock=fake.clock, stop=fake)
    limiter.wait()
    fake.now += 60

    limiter.wait()
    limiter.wait()

    assert fake.waits == [0.5]


def test_rate_zero_unlimited():
    fake = FakeTime()
    limiter = RateLimiter(0, clock=fake.clock, stop=fake)

    for _ in range(100):
        limiter.wait()

    assert fake.waits == []


def test_rate_stops_waiting():
    stop = threading.Event()
    limiter = RateLimiter(0.001, stop=stop)
    limiter.wait()
    stop.set()

    assert limiter.wait() is False


def test_batch_follows_rate(archive):
    slow = SmsDispatcher(archive.db, RecordingGateway(), REPORT_URL, 2)
    fast = SmsDispatcher(archive.db, RecordingGateway(), REPORT_URL, 500)

    assert slow.batch_size == 10
    assert fast.batch_size == 50


def test_outbox_only_starts_nothing(archive):
    assert start_sms_dispatcher(archive.db, Settings(sms_gateway_url="")) is None


def test_bad_url_starts_nothing(archive, caplog):
    settings = Settings(sms_gateway_url="kannel+http://127.0.0.1:13013/cgi-bin/sendsms?from=Diwan",
                        sms_report_url="http://127.0.0.1:8000")

    assert start_sms_dispatcher(archive.db, settings) is None
    assert "has no user name and password" in caplog.text


@pytest.mark.parametrize("base", ["", "ftp://example.ps", "http://127.0.0.1:8000/?x=1", "127.0.0.1:8000"])
def test_report_url_required(base):
    with pytest.raises(InvalidGatewaySetting):
        report_url_template(Settings(sms_report_url=base))


def test_report_url_from_public(archive):
    settings = Settings(public_base_url="https://jobs.example.ps/")

    assert report_url_template(settings) == "https://jobs.example.ps/sms/dlr?id={id}&token={token}"


def test_queued_message_has_token(archive, applicant):
    [message_id] = queue(archive, applicant)

    with archive.db.session(write=False) as session:
        tokens = list(session.scalars(select(SmsMessage.report_token).where(SmsMessage.id == message_id)))

    assert tokens[0]
