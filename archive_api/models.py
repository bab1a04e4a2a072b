"""Import every model so that Base.metadata and Alembic see all tables."""

from archive_api.access.models import Grant
from archive_api.accounts.models import ApiToken, Department, User, WebSession
from archive_api.audit.models import AuditEntry, AuditHead
from archive_api.db import Base
from archive_api.documents.models import Batch, Blob, Document, Page
from ingest.models import WorkerHeartbeat

__all__ = [
    "ApiToken",
    "AuditEntry",
    "AuditHead",
    "Base",
    "Batch",
    "Blob",
    "Department",
    "Document",
    "Grant",
    "Page",
    "User",
    "WebSession",
    "WorkerHeartbeat",
]
