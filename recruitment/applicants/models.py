from datetime import date, datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from archive_api.db import Base
from archive_api.timeutil import utcnow


class Applicant(Base):
    """A job seeker's account; one per national ID number."""

    __tablename__ = "applicants"

    id: Mapped[int] = mapped_column(primary_key=True)
    national_id: Mapped[str] = mapped_column(String(9), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    birth_date: Mapped[date]
    mobile: Mapped[str] = mapped_column(String(16), index=True)  # E.164
    mobile_confirmed_at: Mapped[datetime | None]
    password_hash: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(8), default="ar")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApplicantSession(Base):
    __tablename__ = "applicant_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_hash: Mapped[str] = mapped_column(String(64), unique=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicants.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]

    applicant: Mapped[Applicant] = relationship(lazy="joined")


class OneTimeCode(Base):
    """A code sent by SMS to confirm a mobile number or reset a password; only its hash is kept."""

    __tablename__ = "one_time_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicants.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(32))  # confirm_mobile or reset_password
    code_hash: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class Education(Base):
    __tablename__ = "applicant_education"

    id: Mapped[int] = mapped_column(primary_key=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicants.id"), index=True)
    degree_level: Mapped[str] = mapped_column(String(32))
    major: Mapped[str] = mapped_column(String(200))
    institution: Mapped[str] = mapped_column(String(200))
    graduation_year: Mapped[int]
    grade: Mapped[str | None] = mapped_column(String(32))


class Experience(Base):
    __tablename__ = "applicant_experience"

    id: Mapped[int] = mapped_column(primary_key=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicants.id"), index=True)
    employer: Mapped[str] = mapped_column(String(200))
    job_title: Mapped[str] = mapped_column(String(200))
    start_date: Mapped[date]
    end_date: Mapped[date | None]  # None while the job continues
    description: Mapped[str] = mapped_column(Text, default="")


class Training(Base):
    __tablename__ = "applicant_training"

    id: Mapped[int] = mapped_column(primary_key=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicants.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    provider: Mapped[str] = mapped_column(String(200))
    year: Mapped[int]
    hours: Mapped[int | None] = mapped_column(Integer)


class LanguageSkill(Base):
    __tablename__ = "applicant_languages"

    id: Mapped[int] = mapped_column(primary_key=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicants.id"), index=True)
    language: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(32))  # basic, good, very_good, excellent, native


class Skill(Base):
    __tablename__ = "applicant_skills"

    id: Mapped[int] = mapped_column(primary_key=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicants.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))


class ApplicantDocument(Base):
    """One document an applicant keeps in their space, such as their diploma; it has versions."""

    __tablename__ = "applicant_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicants.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApplicantDocumentVersion(Base):
    """One uploaded file of an applicant document, stored as an archive record."""

    __tablename__ = "applicant_document_versions"
    __table_args__ = (UniqueConstraint("applicant_document_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    applicant_document_id: Mapped[int] = mapped_column(ForeignKey("applicant_documents.id"), index=True)
    version: Mapped[int]
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")

    applicant_document: Mapped[ApplicantDocument] = relationship(lazy="joined")
