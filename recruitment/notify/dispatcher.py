"""The SMS dispatcher: a loop in each worker process that sends queued messages through the gateway.

There is no Celery beat and no task per message. Every `diwan worker` (and the worker that
`diwan serve` starts) runs this loop in a thread beside its housekeeping, and a lease row in the
database lets one of them send at a time, so DIWAN_SMS_RATE_PER_S holds for the whole
installation. When the worker holding the lease stops, another one takes over within
LEASE_S. Messages queued by a web request are picked up within IDLE_POLL_S.

While the gateway is unreachable or refuses Diwan's requests, the loop waits between rounds,
doubling the pause from PAUSE_FIRST_S to PAUSE_MAX_S, and messages stay queued.
"""

import logging
import os
import socket
import threading
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from archive_api.db import Database
from archive_api.errors import N_
from archive_api.settings import Settings
from archive_api.timeutil import utcnow
from recruitment.notify.delivery import BatchResult, claim, deliver, expire_unconfirmed, release
from recruitment.notify.gateway import InvalidGatewaySetting, SmsGateway, default_gateway
from recruitment.notify.models import SmsDispatcherLease
from recruitment.notify.rate import RateLimiter

logger = logging.getLogger(__name__)

LEASE_NAME = "sms"
LEASE_S = 30
IDLE_POLL_S = 1.0
PAUSE_FIRST_S = 1.0
PAUSE_MAX_S = 60.0
MAX_BATCH = 50
# A batch takes about this long at the configured rate, so the lease is renewed often enough.
BATCH_SECONDS = 5
EXPIRE_EVERY_S = 60
REPORT_PATH = "/sms/dlr"


def report_url_template(settings: Settings) -> str:
    """Return the delivery report address with {id} and {token} to fill; raises InvalidGatewaySetting."""
    base = (settings.sms_report_url or settings.public_base_url).strip().rstrip("/")
    if not base.startswith(("http://", "https://")) or "?" in base or "#" in base:
        raise InvalidGatewaySetting(
            N_("DIWAN_SMS_REPORT_URL is %(url)r; set it to the address at which the SMS gateway reaches Diwan, "
               "such as http://10.0.0.5:8000, so that delivery reports can come back."),
            url=base,
        )
    return base + REPORT_PATH + "?id={id}&token={token}"


def dispatcher_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def hold_lease(db: Database, owner: str, lease_s: int = LEASE_S) -> bool:
    """Take or renew the dispatcher lease; returns False while another live dispatcher holds it."""
    now = utcnow()
    expires = now + timedelta(seconds=lease_s)
    try:
        with db.session() as session:
            lease = session.scalar(
                select(SmsDispatcherLease).where(SmsDispatcherLease.name == LEASE_NAME).with_for_update()
            )
            if lease is None:
                session.add(SmsDispatcherLease(name=LEASE_NAME, owner=owner, expires_at=expires))
                return True
            if lease.owner != owner and lease.expires_at >= now:
                return False
            lease.owner, lease.expires_at = owner, expires
            return True
    except IntegrityError:
        # Another dispatcher created the row at the same moment.
        return False


def drop_lease(db: Database, owner: str) -> None:
    with db.session() as session:
        lease = session.get(SmsDispatcherLease, LEASE_NAME)
        if lease is not None and lease.owner == owner:
            session.delete(lease)


@dataclass
class RoundResult:
    batch: BatchResult | None  # None when another dispatcher holds the lease


class SmsDispatcher:
    """Sends queued messages in rounds: take the lease, claim a batch, hand each message over."""

    def __init__(self, db: Database, gateway: SmsGateway, report_url: str | None, rate_per_s: float,
                 owner: str | None = None, stop: threading.Event | None = None) -> None:
        self.db = db
        self.gateway = gateway
        self.report_url = report_url
        self.owner = owner or dispatcher_name()
        self.stop = stop or threading.Event()
        self.limiter = RateLimiter(rate_per_s, stop=self.stop)
        self.batch_size = MAX_BATCH if rate_per_s <= 0 else max(1, min(MAX_BATCH, int(rate_per_s * BATCH_SECONDS)))
        self._next_expiry = 0.0

    def run_round(self) -> RoundResult:
        """Send one batch; returns what it did, or RoundResult(None) when another dispatcher holds the lease."""
        if not hold_lease(self.db, self.owner):
            return RoundResult(None)
        self._expire_now_and_then()

        result = BatchResult()
        message_ids = claim(self.db, self.owner, self.batch_size)
        result.claimed = len(message_ids)
        for index, message_id in enumerate(message_ids):
            if not self.limiter.wait() or not deliver(self.db, self.gateway, self.owner, message_id,
                                                      self.report_url, result):
                release(self.db, self.owner, message_ids[index + 1:])
                break
        if result.claimed:
            logger.info("sms round owner=%s claimed=%s sent=%s failed=%s retried=%s unknown=%s", self.owner,
                        result.claimed, result.sent, result.failed, result.retried, result.unknown)
        return RoundResult(result)

    def _expire_now_and_then(self) -> None:
        now = utcnow().timestamp()
        if now < self._next_expiry:
            return
        self._next_expiry = now + EXPIRE_EVERY_S
        expire_unconfirmed(self.db)

    def run(self) -> None:
        """Send rounds until the stop event is set, pausing while idle or while the gateway has problems."""
        logger.info("sms dispatcher started owner=%s gateway=%s", self.owner, self.gateway.describe())
        pause = 0.0
        while not self.stop.is_set():
            try:
                outcome = self.run_round()
            except Exception:
                # A database that is briefly locked or down; the next round tries again.
                logger.exception("sms dispatcher round failed owner=%s", self.owner)
                outcome = RoundResult(BatchResult())
            pause = self._pause_after(outcome.batch, pause)
            if pause:
                self.stop.wait(pause)
        drop_lease(self.db, self.owner)
        self.gateway.close()
        logger.info("sms dispatcher stopped owner=%s", self.owner)

    @staticmethod
    def _pause_after(batch: BatchResult | None, previous: float) -> float:
        if batch is not None and batch.problem is not None:
            return min(PAUSE_MAX_S, max(PAUSE_FIRST_S, previous * 2))
        if batch is None or not batch.claimed:
            return IDLE_POLL_S
        return 0.0


_running: tuple[SmsDispatcher, threading.Thread] | None = None


def start_sms_dispatcher(db: Database, settings: Settings) -> SmsDispatcher | None:
    """Start the dispatcher thread of this process when a delivering gateway is configured.

    Returns None with the outbox-only gateway, or after logging why the settings cannot be used:
    a worker keeps its other work when the SMS settings are wrong.
    """
    global _running
    if _running is not None:
        return _running[0]
    try:
        gateway = default_gateway(settings)
        if not gateway.delivers:
            logger.info("sms gateway: outbox only, no dispatcher started")
            return None
        report_url = report_url_template(settings)
    except InvalidGatewaySetting as error:
        logger.error("sms dispatcher not started: %s", error)
        return None

    dispatcher = SmsDispatcher(db, gateway, report_url, settings.sms_rate_per_s)
    thread = threading.Thread(target=dispatcher.run, name="diwan-sms-dispatcher", daemon=True)
    thread.start()
    _running = (dispatcher, thread)
    return dispatcher


def stop_sms_dispatcher(timeout_s: float = 15.0) -> None:
    """Stop this process's dispatcher thread and wait for its current message to be recorded."""
    global _running
    if _running is None:
        return
    dispatcher, thread = _running
    dispatcher.stop.set()
    thread.join(timeout_s)
    _running = None
