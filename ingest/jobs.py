"""Messages between the pipeline and the extraction process."""

from dataclasses import dataclass

from ingest.types import FileFacts, Limits, PageText


@dataclass(frozen=True)
class ExtractionJob:
    document_id: int
    path: str
    facts: FileFacts
    limits: Limits
    first_page: int  # 1-based; pages before it were stored by an earlier attempt


@dataclass(frozen=True)
class PageStarted:
    number: int
    total: int
    ocr: bool


@dataclass(frozen=True)
class PageDone:
    page: PageText
    width: int
    height: int
    view_webp: bytes
    thumbnail_webp: bytes


@dataclass(frozen=True)
class JobFinished:
    document_id: int


@dataclass(frozen=True)
class JobFailed:
    code: str
    message: str
    params: dict
