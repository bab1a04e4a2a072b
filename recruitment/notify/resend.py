"""Sending a failed SMS again: a new outbox row linked to the failed one, audited.

The new message keeps the text, template, stage, applicant and application of the failed one,
and goes to the applicant's current mobile number, so a number corrected after the failure is
used. One-time codes are not resent, because the code has expired or will soon; the applicant
asks for a new one.
"""

import logging
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive_api.accounts.models import User
from archive_api.audit.service import record
from archive_api.errors import N_, Conflict, NotFound, PermissionDenied
from recruitment.applicants.models import Applicant
from recruitment.notify.models import STATUS_FAILED, STATUS_QUEUED, SmsMessage
from recruitment.notify.templates import TEMPLATES

logger = logging.getLogger(__name__)

RESEND_ROLES = ("admin", "clerk")


def can_resend(user: User | None) -> bool:
    return user is not None and user.department.recruitment and user.role in RESEND_ROLES


def resend_of(session: Session, message_id: int) -> SmsMessage | None:
    """Return the message that resent this one, if any."""
    return session.scalar(select(SmsMessage).where(SmsMessage.resent_from_id == message_id).limit(1))


def resend_message(session: Session, user: User, message_id: int) -> SmsMessage:
    """Queue a failed message again in the caller's transaction and return the new message."""
    if not can_resend(user):
        raise PermissionDenied(N_("Only administrators and clerks of the recruitment department can resend SMS."))
    failed = session.scalar(select(SmsMessage).where(SmsMessage.id == message_id).with_for_update())
    if failed is None:
        raise NotFound(N_("SMS %(id)s was not found in the outbox."), id=message_id)
    if failed.status != STATUS_FAILED:
        raise Conflict(N_("SMS %(id)s has not failed, so it is not resent."), id=message_id)
    template = TEMPLATES.get(failed.template)
    if template is not None and template.secret:
        raise Conflict(N_("SMS %(id)s carries a one-time code, which has expired; ask the applicant to request "
                          "a new code."), id=message_id)
    earlier = resend_of(session, message_id)
    if earlier is not None:
        raise Conflict(N_("SMS %(id)s was already resent as SMS %(resend)s; resend that one if it failed too."),
                       id=message_id, resend=earlier.id)

    applicant = session.get(Applicant, failed.applicant_id) if failed.applicant_id else None
    message = SmsMessage(
        to_number=applicant.mobile if applicant is not None else failed.to_number,
        body=failed.body,
        language=failed.language,
        template=failed.template,
        stage=failed.stage,
        applicant_id=failed.applicant_id,
        application_id=failed.application_id,
        idempotency_key=secrets.token_hex(16),
        report_token=secrets.token_urlsafe(24),
        status=STATUS_QUEUED,
        resent_from_id=failed.id,
    )
    session.add(message)
    session.flush()
    record(session, user, "sms_resend", "sms_message", message.id,
           {"resent_from": failed.id, "applicant": failed.applicant_id, "number_changed": message.to_number !=
            failed.to_number})
    logger.info("sms resent id=%s from=%s user=%s", message.id, failed.id, user.id)
    return message
