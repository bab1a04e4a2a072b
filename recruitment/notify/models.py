from datetime import datetime

from sqlalchemy import ForeignKey, Index, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from archive_api.db import Base
from archive_api.timeutil import utcnow

STATUS_QUEUED = "queued"
STATUS_SENT = "sent"
STATUS_DELIVERED = "delivered"
STATUS_FAILED = "failed"


class SmsMessage(Base):
    """One SMS, written to the outbox in the same transaction as the event it announces."""

    __tablename__ = "sms_messages"
    # The outbox page lists newest first, unfiltered or by status, stage or mobile number.
    __table_args__ = (
        Index("ix_sms_status_created", "status", "created_at"),
        Index("ix_sms_stage_created", "stage", "created_at"),
        Index("ix_sms_to_number_created", "to_number", "created_at"),
        Index("ix_sms_created", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    to_number: Mapped[str] = mapped_column(String(16))  # E.164
    body: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8), default="ar")
    template: Mapped[str] = mapped_column(String(64))  # the template key, such as application_received
    # What caused the message: sign_up, password_reset, application, screening, exam, ...
    stage: Mapped[str] = mapped_column(String(32))
    applicant_id: Mapped[int | None] = mapped_column(ForeignKey("applicants.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), index=True)
    # Sent to the gateway with the message, so a retry after a crash is not delivered twice.
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    # Proves that a delivery report comes from the gateway this message was handed to; it rides in
    # the report URL, so reports need no staff session.
    report_token: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=STATUS_QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    gateway_reference: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    sent_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]

    # Delivery state of a queued message (recruitment.notify.delivery). A dispatcher claims a
    # batch with a lease, so a dispatcher that dies before sending leaves messages that another
    # one picks up once the lease runs out. handed_over_at is committed just before the gateway
    # call: a message with it set and still queued may have reached the gateway, so it is never
    # offered again, and a delivery report or the unconfirmed timeout settles it.
    next_attempt_at: Mapped[datetime | None]
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None]
    handed_over_at: Mapped[datetime | None]
    # The failed message that staff sent again as this one.
    resent_from_id: Mapped[int | None] = mapped_column(ForeignKey("sms_messages.id"), index=True)


class SmsDeliveryReport(Base):
    """One delivery report from the gateway, kept as received (Kannel's dlr types 1, 2, 4, 8 and 16)."""

    __tablename__ = "sms_delivery_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("sms_messages.id"), index=True)
    report_type: Mapped[int] = mapped_column(SmallInteger)
    # The SMSC's own response, such as "ACK/" or "NACK/0x0000000b/Invalid Destination Address".
    reply: Mapped[str] = mapped_column(String(200), default="")
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class SmsTemplateText(Base):
    """A staff edit of a built-in SMS template; without a row the built-in texts are sent."""

    __tablename__ = "sms_template_texts"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    arabic: Mapped[str] = mapped_column(Text)
    english: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64))


class SmsDispatcherLease(Base):
    """The lease that lets one dispatcher at a time send SMS, so the rate limit holds across workers."""

    __tablename__ = "sms_dispatcher_leases"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner: Mapped[str] = mapped_column(String(100))
    expires_at: Mapped[datetime]
