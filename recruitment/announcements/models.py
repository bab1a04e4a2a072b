from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from archive_api.accounts.models import Department
from archive_api.db import Base
from archive_api.timeutil import utcnow

STATUS_DRAFT = "draft"
STATUS_PUBLISHED = "published"
STATUS_CLOSED = "closed"

# Degree levels in ascending order; a requirement is met by that level or any higher one.
DEGREE_LEVELS = ("secondary", "diploma", "bachelor", "higher_diploma", "master", "doctorate")

# Palestinian governorates (West Bank, then Gaza Strip).
GOVERNORATES = (
    "jerusalem",
    "jenin",
    "tubas",
    "tulkarm",
    "nablus",
    "qalqilya",
    "salfit",
    "ramallah",
    "jericho",
    "bethlehem",
    "hebron",
    "north_gaza",
    "gaza",
    "deir_al_balah",
    "khan_yunis",
    "rafah",
)

# Kinds of documents an announcement can require and an applicant can upload.
DOCUMENT_KINDS = (
    "national_id",
    "diploma",
    "transcript",
    "experience_certificate",
    "training_certificate",
    "birth_certificate",
    "photo",
    "other",
)


class Announcement(Base):
    """A vacancy announcement of one ministry, with its requirements and application window."""

    __tablename__ = "announcements"
    __table_args__ = (Index("ix_announcements_status_closes", "status", "closes_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The council's own reference, such as 147/2026; unique.
    number: Mapped[str] = mapped_column(String(32), unique=True)
    title_ar: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str | None] = mapped_column(String(300))
    ministry_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    unit: Mapped[str | None] = mapped_column(String(200))  # the department inside the ministry
    vacancies: Mapped[int]
    governorate: Mapped[str] = mapped_column(String(32))
    grade: Mapped[str | None] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text, default="")
    degree_level: Mapped[str | None] = mapped_column(String(32))
    majors: Mapped[str] = mapped_column(Text, default="[]")  # JSON list; empty means any major
    min_experience_years: Mapped[int] = mapped_column(default=0)
    required_documents: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of DOCUMENT_KINDS
    # Application window in UTC; forms show and read it in Asia/Hebron time.
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default=STATUS_DRAFT)
    # Analysed terms (search.analysis) of the number, titles, ministry, governorate, unit and
    # description, space-separated with a space at each end, so a public search can match a
    # word with LIKE.
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    next_application_seq: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    ministry: Mapped[Department] = relationship(lazy="joined")
