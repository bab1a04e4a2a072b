from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from archive_api.db import Base
from archive_api.timeutil import utcnow


class YearlyFigures(Base):
    """The four figures the council reports for each year, imported from its records."""

    __tablename__ = "recruitment_yearly_figures"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    applications: Mapped[int]
    applicants: Mapped[int]  # distinct applicants
    vacancies: Mapped[int]
    announcements: Mapped[int]
    source: Mapped[str] = mapped_column(String(200), default="")
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
