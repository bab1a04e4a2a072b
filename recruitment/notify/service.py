"""The SMS outbox: messages queued in the caller's transaction, and the queries of the outbox pages.

queue_sms only adds a row; it never talks to a gateway. A message therefore exists exactly
when the event it announces was committed, and a rolled-back transaction sends nothing. A
gateway (recruitment.notify.gateway) picks queued messages up later.
"""

import logging
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from archive_api.errors import N_, DiwanError
from recruitment.applicants.errors import InvalidApplicantData
from recruitment.applicants.models import Applicant
from recruitment.applicants.national_id import clean_national_id, to_ascii_digits
from recruitment.applicants.phones import clean_mobile
from recruitment.applications.models import Application
from recruitment.notify.models import (
    STATUS_DELIVERED,
    STATUS_FAILED,
    STATUS_QUEUED,
    STATUS_SENT,
    SmsMessage,
)
from recruitment.notify.parts import sms_size
from recruitment.notify.template_store import effective_template
from recruitment.notify.templates import ENGLISH, TemplateError, render_template

logger = logging.getLogger(__name__)

STATUSES = (STATUS_QUEUED, STATUS_SENT, STATUS_DELIVERED, STATUS_FAILED)
STAGE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
# Each part is charged as one SMS, so a value long enough to need more parts is rejected as a mistake.
MAX_PARTS = 6
OUTBOX_PER_PAGE = 50
# Application numbers: year-announcement-sequence, or A<announcement id>-sequence for announcements
# whose number has no year (recruitment.applications.numbering).
APPLICATION_NUMBER = re.compile(r"^(?:[0-9]{4}-[0-9]{1,6}|A[0-9]{1,9})-[0-9]{1,9}$")


class InvalidOutboxSearch(DiwanError):
    http_status = 422
    code = "invalid_outbox_search"


def queue_sms(
    session: Session,
    applicant: Applicant,
    template: str,
    params: Mapping[str, Any],
    stage: str,
    application=None,
) -> SmsMessage:
    """Add an SMS for the applicant to the outbox, in the caller's transaction, and return it.

    The text is the template's Arabic variant, or the English one when the applicant's language
    is en, so pass values (such as a job title) in that language. Raises MissingPlaceholder or
    UnknownTemplate before anything is added; `application` is an Application row or None.
    """
    if not STAGE.match(stage):
        raise TemplateError(
            N_("SMS stage %(stage)r is invalid; use lowercase letters, digits and _, such as application."),
            stage=stage,
        )
    language = ENGLISH if applicant.language == ENGLISH else "ar"
    body = render_template(template, params, language, effective_template(session, template))
    parts = sms_size(body).parts
    if parts > MAX_PARTS:
        raise TemplateError(
            N_("SMS %(template)s would be sent in %(parts)d parts, more than %(maximum)d; shorten its values."),
            template=template, parts=parts, maximum=MAX_PARTS,
        )

    message = SmsMessage(
        to_number=applicant.mobile,
        body=body,
        language=language,
        template=template,
        stage=stage,
        applicant_id=applicant.id,
        application_id=application.id if application is not None else None,
        idempotency_key=secrets.token_hex(16),
        report_token=secrets.token_urlsafe(24),
        status=STATUS_QUEUED,
    )
    session.add(message)
    session.flush()
    logger.info("sms queued id=%s template=%s stage=%s parts=%s applicant=%s",
                message.id, template, stage, parts, applicant.id)
    return message


@dataclass(frozen=True)
class OutboxPage:
    messages: list[SmsMessage]
    total: int
    page: int
    page_count: int


def _search_condition(query: str):
    """Return the condition for a mobile number or national ID number; raises InvalidOutboxSearch."""
    conditions = []
    try:
        conditions.append(SmsMessage.to_number == clean_mobile(query))
    except InvalidApplicantData:
        pass
    try:
        national_id = clean_national_id(query)
    except InvalidApplicantData:
        national_id = None
    if national_id is not None:
        applicant_ids = select(Applicant.id).where(Applicant.national_id == national_id)
        conditions.append(SmsMessage.applicant_id.in_(applicant_ids))

    if not conditions:
        raise InvalidOutboxSearch(
            N_("%(value)s is neither a Palestinian mobile number nor a valid national ID number; "
               "enter one of them, such as 0599 123 456."),
            value=query,
        )
    return or_(*conditions)


def _application_condition(number: str):
    """Return the condition for an application number; raises InvalidOutboxSearch."""
    cleaned = to_ascii_digits(number).strip().upper()
    if not APPLICATION_NUMBER.match(cleaned):
        raise InvalidOutboxSearch(
            N_("%(value)s is not an application number; enter it as the applicant received it, such as "
               "2026-147-00023."),
            value=number,
        )
    return SmsMessage.application_id.in_(select(Application.id).where(Application.number == cleaned))


def outbox_conditions(query: str = "", status: str = "", stage: str = "", application: str = "") -> list:
    """Check the outbox filters and return their SQL conditions; raises InvalidOutboxSearch."""
    conditions = []
    if query.strip():
        conditions.append(_search_condition(query.strip()))
    if application.strip():
        conditions.append(_application_condition(application.strip()))
    if status:
        if status not in STATUSES:
            raise InvalidOutboxSearch(
                N_("Status %(value)r is unknown; choose one of %(known)s."), value=status, known=", ".join(STATUSES)
            )
        conditions.append(SmsMessage.status == status)
    if stage:
        if not STAGE.match(stage):
            raise InvalidOutboxSearch(N_("Stage %(value)r is invalid; choose a stage from the list."), value=stage)
        conditions.append(SmsMessage.stage == stage)
    return conditions


def outbox_page(session: Session, conditions: list, page: int, per_page: int = OUTBOX_PER_PAGE) -> OutboxPage:
    """Return one page of messages matching the conditions, newest first."""
    total = session.scalar(select(func.count()).select_from(SmsMessage).where(*conditions)) or 0
    page_count = max(1, -(-total // per_page))
    page = min(max(1, page), page_count)
    messages = session.scalars(
        select(SmsMessage).where(*conditions)
        .order_by(SmsMessage.created_at.desc(), SmsMessage.id.desc())
        .offset((page - 1) * per_page).limit(per_page)
    ).all()
    return OutboxPage(list(messages), total, page, page_count)


def stages_in_outbox(session: Session) -> list[str]:
    return list(session.scalars(select(SmsMessage.stage).distinct().order_by(SmsMessage.stage)))


def messages_of(session: Session, applicant: Applicant, page: int, per_page: int = 20) -> OutboxPage:
    """Return one page of the SMS sent to this applicant, newest first."""
    return outbox_page(session, [SmsMessage.applicant_id == applicant.id], page, per_page)
