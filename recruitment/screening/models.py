"""Tables of screening: committees and their members, rejection reasons, decisions, sessions and seats.

Times are naive UTC, as in every table; pages show them in council local time (Asia/Hebron).
"""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from archive_api.accounts.models import User
from archive_api.db import Base
from archive_api.timeutil import utcnow
from recruitment.announcements.models import Announcement
from recruitment.applications.models import Application

OUTCOME_ACCEPTED = "accepted"
OUTCOME_REJECTED = "rejected"
OUTCOMES = (OUTCOME_ACCEPTED, OUTCOME_REJECTED)

KIND_EXAM = "exam"
KIND_INTERVIEW = "interview"
SESSION_KINDS = (KIND_EXAM, KIND_INTERVIEW)

# ApplicationEvent.status values written by screening. The two *_decided steps are the
# committee's working decisions, which may still change, so applicants do not see them; the
# result steps are written when the chair closes screening.
EVENT_DECIDED_ACCEPTED = "screening_accepted"
EVENT_DECIDED_REJECTED = "screening_rejected"
EVENT_PASSED = "screening_passed"
EVENT_NOT_PASSED = "screening_not_passed"
EVENT_EXAM_SCHEDULED = "exam_scheduled"
EVENT_INTERVIEW_SCHEDULED = "interview_scheduled"
STAFF_ONLY_EVENTS = frozenset({EVENT_DECIDED_ACCEPTED, EVENT_DECIDED_REJECTED})


class ScreeningCommittee(Base):
    """The committee that screens the applications of one announcement; closed_at set means screening is over."""

    __tablename__ = "screening_committees"

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id"), unique=True)
    chair_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    announcement: Mapped[Announcement] = relationship(lazy="joined")
    chair: Mapped[User] = relationship(lazy="joined", foreign_keys=[chair_id])


class CommitteeMember(Base):
    """One staff user on a committee; the chair is a member too."""

    __tablename__ = "screening_committee_members"
    __table_args__ = (UniqueConstraint("committee_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("screening_committees.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)

    user: Mapped[User] = relationship(lazy="joined")


class RejectionReason(Base):
    """A reason the council gives for a rejection, in Arabic and English; retired reasons stay on old decisions."""

    __tablename__ = "rejection_reasons"

    id: Mapped[int] = mapped_column(primary_key=True)
    label_ar: Mapped[str] = mapped_column(String(120))
    label_en: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64), default="system")  # a staff username or "system"
    retired_at: Mapped[datetime | None]

    def label(self, language: str) -> str:
        return self.label_en if language == "en" else self.label_ar


class ScreeningDecision(Base):
    """The committee's current decision on one application; its changes are in the history and the audit log."""

    __tablename__ = "screening_decisions"
    __table_args__ = (Index("ix_screening_decisions_committee_outcome", "committee_id", "outcome"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("screening_committees.id"))
    outcome: Mapped[str] = mapped_column(String(16))
    reason_id: Mapped[int | None] = mapped_column(ForeignKey("rejection_reasons.id"))
    notes: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)

    reason: Mapped[RejectionReason | None] = relationship(lazy="joined")
    decided_by: Mapped[User] = relationship(lazy="joined")


class AssessmentSession(Base):
    """An exam or interview sitting of one announcement, at one place and time, for up to `capacity` applicants."""

    __tablename__ = "assessment_sessions"
    __table_args__ = (Index("ix_assessment_sessions_announcement_kind", "announcement_id", "kind", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id"))
    kind: Mapped[str] = mapped_column(String(16))
    place: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime]
    capacity: Mapped[int]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SessionAssignment(Base):
    """An accepted application's seat in a session; an application has at most one session of each kind."""

    __tablename__ = "session_assignments"
    __table_args__ = (UniqueConstraint("application_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("assessment_sessions.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    # Copied from the session, so the unique constraint can hold one seat per kind.
    kind: Mapped[str] = mapped_column(String(16))
    assigned_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)

    session: Mapped[AssessmentSession] = relationship(lazy="joined")
    application: Mapped[Application] = relationship(lazy="joined")
