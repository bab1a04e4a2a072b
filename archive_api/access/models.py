from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from archive_api.accounts.models import Department
from archive_api.db import Base
from archive_api.timeutil import utcnow

SCOPE_DEPARTMENT = "department"
SCOPE_DOC_TYPE = "doc_type"
SCOPE_DOCUMENT = "document"
SCOPES = (SCOPE_DEPARTMENT, SCOPE_DOC_TYPE, SCOPE_DOCUMENT)


class Grant(Base):
    """Read access that one department gives another: all its records, one type, or one record."""

    __tablename__ = "grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    grantor_department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    grantee_department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    scope: Mapped[str] = mapped_column(String(16))
    doc_type: Mapped[str | None] = mapped_column(String(64))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    # Exclusive end of the grant in UTC; None means until revoked.
    expires_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    grantor: Mapped[Department] = relationship(foreign_keys=[grantor_department_id], lazy="joined")
    grantee: Mapped[Department] = relationship(foreign_keys=[grantee_department_id], lazy="joined")
