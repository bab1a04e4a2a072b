from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from archive_api.db import Base
from archive_api.timeutil import utcnow
from recruitment.announcements.models import Announcement
from recruitment.applicants.models import Applicant, ApplicantDocumentVersion

STATUS_SUBMITTED = "submitted"
STATUS_WITHDRAWN = "withdrawn"
STATUSES = (STATUS_SUBMITTED, STATUS_WITHDRAWN)

# ApplicationEvent.status values: the steps of an application's history.
EVENT_SUBMITTED = "submitted"
EVENT_WITHDRAWN = "withdrawn"
EVENT_RESUBMITTED = "resubmitted"


class Application(Base):
    """An applicant's application to one announcement, with the profile frozen when it was made."""

    __tablename__ = "applications"
    __table_args__ = (
        # One application per applicant and announcement: a second submit returns the first.
        UniqueConstraint("announcement_id", "applicant_id"),
        Index("ix_applications_announcement_status", "announcement_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Short, readable and unique: year, announcement and sequence, such as 2026-147-00023.
    number: Mapped[str] = mapped_column(String(40), unique=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id"))
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicants.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=STATUS_SUBMITTED)
    # JSON of the profile (personal data, education, experience, training, languages, skills)
    # at submission; never changed afterwards.
    snapshot: Mapped[str] = mapped_column(Text)
    # The highest degree level in the snapshot, so staff lists filter on it without parsing JSON.
    degree_level: Mapped[str | None] = mapped_column(String(32))
    # Analysed words of the snapshot's name, then the national ID and the number, with a space
    # at each end, so a staff search can match a word with LIKE.
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    announcement: Mapped[Announcement] = relationship(lazy="joined")
    applicant: Mapped[Applicant] = relationship(lazy="joined")


class ApplicationDocument(Base):
    """The exact document version an application used."""

    __tablename__ = "application_documents"
    __table_args__ = (UniqueConstraint("application_id", "version_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("applicant_document_versions.id"), index=True)

    version: Mapped[ApplicantDocumentVersion] = relationship(lazy="joined")


class ApplicationEvent(Base):
    """One step in an application's history, shown to the applicant and to staff."""

    __tablename__ = "application_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(64))  # "applicant", a staff username or "system"
