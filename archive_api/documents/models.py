from datetime import date, datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from archive_api.accounts.models import Department, User
from archive_api.db import Base
from archive_api.timeutil import utcnow

# Document states in pipeline order; indexed and failed are final.
STATUS_QUEUED = "queued"
STATUS_EXTRACTING = "extracting"
STATUS_OCR = "ocr"
STATUS_INDEXING = "indexing"
STATUS_INDEXED = "indexed"
STATUS_FAILED = "failed"
WORKING_STATES = (STATUS_QUEUED, STATUS_EXTRACTING, STATUS_OCR, STATUS_INDEXING)
FINAL_STATES = (STATUS_INDEXED, STATUS_FAILED)


class Blob(Base):
    """An original file in the object store, addressed by the SHA-256 of its bytes."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    mime: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Batch(Base):
    """Files submitted together (one upload or one CLI import), for progress per batch."""

    __tablename__ = "batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    source: Mapped[str] = mapped_column(String(16))  # web, api, cli
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Document(Base):
    __tablename__ = "documents"
    __table_args__ = (
        Index("ix_documents_status_updated", "status", "updated_at"),
        Index("ix_documents_department_blob", "department_id", "blob_sha256"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id"), index=True)
    blob_sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Set for documents an applicant uploaded into their own space (recruitment module); the
    # archive core knows only the id, so it keeps no foreign key to the applicants table.
    owner_applicant_id: Mapped[int | None] = mapped_column(index=True)
    filename: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(500))
    doc_type: Mapped[str | None] = mapped_column(String(64), index=True)
    employee_number: Mapped[str | None] = mapped_column(String(32), index=True)
    doc_date: Mapped[date | None]
    kind: Mapped[str] = mapped_column(String(8))
    page_count: Mapped[int] = mapped_column(default=0)

    status: Mapped[str] = mapped_column(String(16), default=STATUS_QUEUED)
    progress_page: Mapped[int] = mapped_column(default=0)
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_message: Mapped[str | None] = mapped_column(Text)
    # The reason as message id and parameters (DiwanError.to_json), to show it in any language.
    error_detail: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0)
    # A worker owns a document while its lease runs; an expired lease means the worker died.
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_expires_at: Mapped[datetime | None]

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    indexed_at: Mapped[datetime | None]

    department: Mapped[Department] = relationship(lazy="joined")
    blob: Mapped[Blob] = relationship()
    uploaded_by: Mapped[User | None] = relationship()


class Page(Base):
    __tablename__ = "pages"
    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    number: Mapped[int]
    text: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(16))  # text_layer or ocr
    confidence: Mapped[float | None]
    width: Mapped[int | None]
    height: Mapped[int | None]
