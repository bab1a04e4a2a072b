"""Response models of the REST API."""

from datetime import date, datetime

from pydantic import BaseModel


class RejectedFileOut(BaseModel):
    file: str
    code: str
    message: str


class AcceptedFileOut(BaseModel):
    file: str
    id: int
    status: str
    duplicate: bool


class UploadOut(BaseModel):
    batch_id: int
    documents: list[AcceptedFileOut]
    rejected: list[RejectedFileOut]


class DocumentOut(BaseModel):
    id: int
    title: str
    filename: str
    department: str
    doc_type: str | None
    employee_number: str | None
    doc_date: date | None
    kind: str
    page_count: int
    sha256: str
    size: int
    status: str
    progress_page: int
    error_code: str | None
    error_message: str | None
    created_at: datetime
    indexed_at: datetime | None


class StatusOut(BaseModel):
    id: int
    status: str
    progress_page: int
    page_count: int
    error_message: str | None


class BatchOut(BaseModel):
    id: int
    counts: dict[str, int]
    documents: list[StatusOut]


class PageOut(BaseModel):
    number: int
    text: str
    source: str
    confidence: float | None


class HitOut(BaseModel):
    id: int
    title: str
    department: str
    doc_type: str | None
    doc_date: date | None
    pages: list[int]
    snippet: str


class SearchOut(BaseModel):
    total: int
    page: int
    per_page: int
    hits: list[HitOut]


class MetadataIn(BaseModel):
    title: str | None = None
    doc_type: str | None = None
    employee_number: str | None = None
    doc_date: str | None = None


class AuditEntryOut(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str
    target_type: str | None
    target_id: str | None
    details: dict
    hash: str
