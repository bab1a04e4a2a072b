from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
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
    __table_args__ = (Index("ix_sms_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    to_number: Mapped[str] = mapped_column(String(16))  # E.164
    body: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8), default="ar")
    template: Mapped[str] = mapped_column(String(64))  # the template key, such as application_received
    # What caused the message: sign_up, password_reset, application, screening, exam, ...
    stage: Mapped[str] = mapped_column(String(32), index=True)
    applicant_id: Mapped[int | None] = mapped_column(ForeignKey("applicants.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), index=True)
    # Sent to the gateway with the message, so a retry after a crash is not delivered twice.
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=STATUS_QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    gateway_reference: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    sent_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
