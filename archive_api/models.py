"""Import every model so that Base.metadata and Alembic see all tables."""

from archive_api.access.models import Grant
from archive_api.accounts.models import ApiToken, Department, User, WebSession
from archive_api.audit.models import AuditEntry, AuditHead
from archive_api.db import Base
from archive_api.documents.models import Batch, Blob, Document, Page
from ingest.models import WorkerHeartbeat
from recruitment.announcements.models import Announcement
from recruitment.applicants.models import (
    Applicant,
    ApplicantDocument,
    ApplicantDocumentVersion,
    ApplicantSession,
    Education,
    Experience,
    LanguageSkill,
    OneTimeCode,
    Skill,
    Training,
)
from recruitment.applications.models import Application, ApplicationDocument, ApplicationEvent
from recruitment.notify.models import SmsMessage
from recruitment.screening.models import (
    AssessmentSession,
    CommitteeMember,
    RejectionReason,
    ScreeningCommittee,
    ScreeningDecision,
    SessionAssignment,
)
from recruitment.statistics.models import YearlyFigures

__all__ = [
    "Announcement",
    "ApiToken",
    "Applicant",
    "ApplicantDocument",
    "ApplicantDocumentVersion",
    "ApplicantSession",
    "Application",
    "ApplicationDocument",
    "ApplicationEvent",
    "AssessmentSession",
    "AuditEntry",
    "AuditHead",
    "Base",
    "Batch",
    "Blob",
    "CommitteeMember",
    "Department",
    "Document",
    "Education",
    "Experience",
    "Grant",
    "LanguageSkill",
    "OneTimeCode",
    "Page",
    "RejectionReason",
    "ScreeningCommittee",
    "ScreeningDecision",
    "SessionAssignment",
    "Skill",
    "SmsMessage",
    "Training",
    "User",
    "WebSession",
    "WorkerHeartbeat",
    "YearlyFigures",
]
