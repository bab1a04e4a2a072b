from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from archive_api.db import Base
from archive_api.timeutil import utcnow


class WorkerHeartbeat(Base):
    """Last sign of life of each worker, so the CLI knows whether anyone will take its tasks."""

    __tablename__ = "worker_heartbeats"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
