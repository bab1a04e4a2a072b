"""Delivery reports from the gateway: each one is kept, and moves its message forward.

Kannel calls the dlr-url of a message once per report type it asks for with dlr-mask: 8 when
the SMS centre accepted the message, 4 when it queued it, 1 when the phone received it, 2 when it
could not be delivered and 16 when the SMS centre rejected it. Reports can arrive in any order,
and before Diwan has recorded the gateway's answer, so a status never moves backwards:
delivered is final, a failure report does not undo a delivery, and an acceptance report turns a
queued (handed-over) message into sent.
"""

import hmac
import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive_api.errors import N_, DiwanError, PermissionDenied
from archive_api.timeutil import utcnow
from recruitment.notify.models import (
    STATUS_DELIVERED,
    STATUS_FAILED,
    STATUS_QUEUED,
    STATUS_SENT,
    SmsDeliveryReport,
    SmsMessage,
)
from recruitment.notify.reasons import is_unconfirmed, undelivered

logger = logging.getLogger(__name__)

DELIVERED = 1
UNDELIVERED = 2
BUFFERED = 4
SMSC_ACCEPTED = 8
SMSC_REJECTED = 16
REPORT_TYPES = (DELIVERED, UNDELIVERED, BUFFERED, SMSC_ACCEPTED, SMSC_REJECTED)
FAILURE_TYPES = (UNDELIVERED, SMSC_REJECTED)
MAX_REPLY_LENGTH = 200


class InvalidReport(DiwanError):
    http_status = 400
    code = "invalid_delivery_report"


def _check(message: SmsMessage | None, token: str) -> SmsMessage:
    # An unknown id and a wrong token get the same response, so ids cannot be probed.
    if message is None or not message.report_token or not hmac.compare_digest(token, message.report_token):
        raise PermissionDenied(N_("The delivery report does not match a message sent by Diwan."))
    return message


def parse_report_type(text: str) -> int:
    """Return a report type from the gateway's text; raises InvalidReport for anything else."""
    if not text.isascii() or not text.isdigit() or int(text) not in REPORT_TYPES:
        raise InvalidReport(
            N_("Delivery report type %(value)r is unknown; Kannel sends 1, 2, 4, 8 or 16."), value=text[:20]
        )
    return int(text)


def apply_report(session: Session, message_id: int, token: str, report_type: int, reply: str) -> SmsMessage:
    """Store one report and update its message; raises PermissionDenied for a wrong id or token."""
    message = _check(
        session.scalar(select(SmsMessage).where(SmsMessage.id == message_id).with_for_update()), token
    )
    reply = reply.strip()[:MAX_REPLY_LENGTH]
    session.add(SmsDeliveryReport(message_id=message.id, report_type=report_type, reply=reply))
    now = utcnow()

    if report_type == DELIVERED:
        message.status = STATUS_DELIVERED
        message.delivered_at = message.delivered_at or now
        message.sent_at = message.sent_at or now
        message.last_error = None
    elif report_type in FAILURE_TYPES:
        if message.status != STATUS_DELIVERED:
            message.status = STATUS_FAILED
            message.last_error = undelivered(report_type, reply).to_json()
    elif message.status == STATUS_QUEUED and message.handed_over_at is not None or (
        message.status == STATUS_FAILED and is_unconfirmed(message.last_error)
    ):
        message.status = STATUS_SENT
        message.sent_at = message.sent_at or now
        message.last_error = None

    logger.info("sms delivery report id=%s type=%s status=%s", message.id, report_type, message.status)
    return message
