"""Handing queued SMS to the gateway so that none is lost and none reaches the gateway twice.

Each message goes through these steps, each its own committed transaction:

1. claim: a batch of due messages gets this dispatcher's name and a lease. A dispatcher that
   dies now has sent nothing; the lease runs out and another dispatcher takes the messages.
2. hand-over: handed_over_at is set on one message, on the condition that this dispatcher still
   holds its claim and nobody handed it over before. Only when that update changed the row does
   the gateway call happen, so a message is offered to the gateway at most once per hand-over.
3. the gateway call.
4. record: accepted (sent), rejected for good (failed), not reached (queued again with backoff,
   handed_over_at cleared), or outcome unknown.

A dispatcher killed between 2 and 4, or a gateway that timed out after receiving the request,
leaves a message that may or may not have reached the gateway. It is never offered again: a
delivery report from the gateway settles it (recruitment.notify.reports), and without one it is
marked failed after UNCONFIRMED_AFTER_S, for staff to resend. That trades a rare message that
needs a resend for the guarantee that no applicant gets an SMS twice, because Kannel has no way
to drop a repeated request.
"""

import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import phonenumbers
from sqlalchemy import String, bindparam, case, func, or_, select, update

from archive_api.db import Database
from archive_api.errors import DiwanError
from archive_api.timeutil import utcnow
from recruitment.notify.gateway import (
    Accepted,
    GatewayError,
    GatewayMisconfigured,
    GatewayUnavailable,
    MessageRejected,
    OutcomeUnknown,
    SmsGateway,
)
from recruitment.notify.models import STATUS_FAILED, STATUS_QUEUED, STATUS_SENT, SmsMessage
from recruitment.notify.reasons import gave_up, invalid_number, unconfirmed
from recruitment.notify.templates import TEMPLATES

logger = logging.getLogger(__name__)

CLAIM_LEASE_S = 300
BACKOFF_FIRST_S = 10
BACKOFF_MAX_S = 900
# With the backoff above, the ten attempts span about 51 minutes.
MAX_SEND_ATTEMPTS = 10
UNCONFIRMED_AFTER_S = 3600
# One-time codes expire within minutes, so they go before any waiting bulk message.
URGENT_TEMPLATES = tuple(key for key, template in TEMPLATES.items() if template.secret)
MOBILE_TYPES = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


@dataclass
class BatchResult:
    """What one batch did. `problem` is the gateway error that stopped it early, if any."""

    claimed: int = 0
    sent: int = 0
    failed: int = 0
    retried: int = 0
    unknown: int = 0
    problem: GatewayError | None = None
    sent_ids: list[int] = field(default_factory=list)


def backoff_s(attempts: int) -> float:
    """Return the wait before the next attempt after `attempts` failed ones: 10 s doubling, at most 15 min."""
    return min(BACKOFF_FIRST_S * 2 ** max(0, attempts - 1), BACKOFF_MAX_S)


def is_sendable_number(number: str) -> bool:
    """Return True for a valid mobile number in E.164 form, the only form the gateway is given."""
    if not number.startswith("+"):
        return False
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return False
    if phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) != number:
        return False
    return phonenumbers.is_valid_number(parsed) and phonenumbers.number_type(parsed) in MOBILE_TYPES


def _due(now: datetime):
    return (
        SmsMessage.status == STATUS_QUEUED,
        SmsMessage.handed_over_at.is_(None),
        or_(SmsMessage.next_attempt_at.is_(None), SmsMessage.next_attempt_at <= now),
        or_(SmsMessage.lease_until.is_(None), SmsMessage.lease_until < now),
    )


def claim(db: Database, owner: str, limit: int, lease_s: int = CLAIM_LEASE_S) -> list[int]:
    """Claim up to `limit` due messages for `owner`, one-time codes first, then oldest first."""
    now = utcnow()
    urgent_first = case((SmsMessage.template.in_(URGENT_TEMPLATES), 0), else_=1)
    with db.session() as session:
        candidates = list(session.scalars(
            select(SmsMessage.id).where(*_due(now))
            .order_by(urgent_first, SmsMessage.created_at, SmsMessage.id).limit(limit)
        ))
        if not candidates:
            return []
        # The conditions are checked again in the update, so two dispatchers never claim one row.
        session.execute(
            update(SmsMessage).where(SmsMessage.id.in_(candidates), *_due(now))
            .values(lease_owner=owner, lease_until=now + timedelta(seconds=lease_s))
            .execution_options(synchronize_session=False)
        )
        claimed = set(session.scalars(
            select(SmsMessage.id).where(SmsMessage.id.in_(candidates), SmsMessage.lease_owner == owner)
        ))
    return [message_id for message_id in candidates if message_id in claimed]


def release(db: Database, owner: str, message_ids: list[int]) -> None:
    """Give back claimed messages that were not handed over, so they are due again at once."""
    if not message_ids:
        return
    with db.session() as session:
        session.execute(
            update(SmsMessage)
            .where(SmsMessage.id.in_(message_ids), SmsMessage.lease_owner == owner,
                   SmsMessage.handed_over_at.is_(None))
            .values(lease_owner=None, lease_until=None)
            .execution_options(synchronize_session=False)
        )


# The two statements that run for every message, built once: building them per call cost more
# than executing them on SQLite.
_HAND_OVER = (
    update(SmsMessage)
    .where(SmsMessage.id == bindparam("message_id"), SmsMessage.lease_owner == bindparam("owner"),
           SmsMessage.status == STATUS_QUEUED, SmsMessage.handed_over_at.is_(None))
    .values(handed_over_at=bindparam("now"),
            report_token=func.coalesce(SmsMessage.report_token, bindparam("token")))
    .returning(SmsMessage)
    .execution_options(synchronize_session=False)
)
_RECORD_ACCEPTED = (
    update(SmsMessage).where(SmsMessage.id == bindparam("message_id"))
    .values(attempts=SmsMessage.attempts + 1,
            status=case((SmsMessage.status == STATUS_QUEUED, STATUS_SENT), else_=SmsMessage.status),
            sent_at=func.coalesce(SmsMessage.sent_at, bindparam("now")),
            gateway_reference=func.coalesce(bindparam("reference", type_=String), SmsMessage.gateway_reference),
            last_error=None, lease_owner=None, lease_until=None)
    .execution_options(synchronize_session=False)
)


def hand_over(db: Database, owner: str, message_id: int) -> SmsMessage | None:
    """Mark one claimed message as being handed to the gateway; None when the claim was lost."""
    params = {"message_id": message_id, "owner": owner, "now": utcnow(), "token": secrets.token_urlsafe(24)}
    with db.session() as session:
        message = session.scalars(_HAND_OVER, params).one_or_none()
    if message is None:
        logger.warning("sms claim lost before hand-over id=%s owner=%s", message_id, owner)
    return message


def _locked(session, message_id: int) -> SmsMessage:
    return session.scalar(select(SmsMessage).where(SmsMessage.id == message_id).with_for_update())


def record_accepted(db: Database, message_id: int, accepted: Accepted) -> None:
    """Record that the gateway took the message, in one statement; a delivery report that came first is kept."""
    with db.session() as session:
        session.execute(_RECORD_ACCEPTED, {"message_id": message_id, "now": utcnow(), "reference": accepted.reference})


def record_failed(db: Database, message_id: int, reason: DiwanError, handed_over: bool) -> None:
    """Mark a message failed for good; it is never offered to the gateway again."""
    with db.session() as session:
        message = _locked(session, message_id)
        if handed_over:
            message.attempts += 1
        else:
            message.handed_over_at = None
        if message.status == STATUS_QUEUED:
            message.status = STATUS_FAILED
        message.last_error = reason.to_json()
        message.lease_owner = message.lease_until = None


def record_not_reached(db: Database, message_id: int, error: GatewayError, charge: bool) -> None:
    """Queue a message again after a request that did not reach the gateway.

    `charge` counts the attempt towards MAX_SEND_ATTEMPTS and waits with backoff before the next
    one. A misconfigured gateway is not charged: no message can pass until the settings change.
    """
    with db.session() as session:
        message = _locked(session, message_id)
        message.handed_over_at = None
        message.lease_owner = message.lease_until = None
        message.last_error = error.to_json()
        if not charge:
            return
        message.attempts += 1
        if message.attempts >= MAX_SEND_ATTEMPTS:
            message.status = STATUS_FAILED
            message.last_error = gave_up(message.attempts, message.last_error).to_json()
            return
        message.next_attempt_at = utcnow() + timedelta(seconds=backoff_s(message.attempts))


def record_unknown(db: Database, message_id: int, error: OutcomeUnknown) -> None:
    """Leave a message handed over and without a result: only a delivery report or the timeout settles it."""
    with db.session() as session:
        message = _locked(session, message_id)
        message.attempts += 1
        message.last_error = error.to_json()
        message.lease_owner = message.lease_until = None


def expire_unconfirmed(db: Database, after_s: int = UNCONFIRMED_AFTER_S) -> int:
    """Mark failed the handed-over messages that stayed unconfirmed for `after_s`; returns how many."""
    cutoff = utcnow() - timedelta(seconds=after_s)
    with db.session() as session:
        stale = list(session.scalars(
            select(SmsMessage).where(SmsMessage.status == STATUS_QUEUED, SmsMessage.handed_over_at.is_not(None),
                                     SmsMessage.handed_over_at < cutoff).with_for_update()
        ))
        for message in stale:
            timed_out = message.last_error is not None
            message.status = STATUS_FAILED
            message.last_error = unconfirmed(after_s / 3600, timed_out).to_json()
            logger.warning("sms unconfirmed after hand-over id=%s; marked failed, not sent again", message.id)
    return len(stale)


def deliver(db: Database, gateway: SmsGateway, owner: str, message_id: int, report_url: str | None,
            result: BatchResult) -> bool:
    """Hand one claimed message to the gateway and record the outcome; False stops the batch."""
    message = hand_over(db, owner, message_id)
    if message is None:
        return True
    if not is_sendable_number(message.to_number):
        record_failed(db, message_id, invalid_number(message.to_number), handed_over=False)
        result.failed += 1
        logger.warning("sms not sent, invalid number id=%s", message_id)
        return True

    url = report_url.format(id=message.id, token=message.report_token) if report_url else None
    try:
        accepted = gateway.send(message, url)
    except MessageRejected as error:
        record_failed(db, message_id, error, handed_over=True)
        result.failed += 1
        logger.warning("sms rejected by the gateway id=%s error=%s", message_id, error)
        return True
    except OutcomeUnknown as error:
        record_unknown(db, message_id, error)
        result.unknown += 1
        result.problem = error
        logger.warning("sms outcome unknown id=%s error=%s", message_id, error)
        return False
    except (GatewayUnavailable, GatewayMisconfigured) as error:
        record_not_reached(db, message_id, error, charge=isinstance(error, GatewayUnavailable))
        result.retried += 1
        result.problem = error
        logger.warning("sms gateway did not take id=%s error=%s", message_id, error)
        return False

    record_accepted(db, message_id, accepted)
    result.sent += 1
    result.sent_ids.append(message_id)
    return True
