"""Values passed between intake, extraction, OCR and the pipeline."""

from dataclasses import dataclass
from typing import Literal

FileKind = Literal["pdf", "png", "jpeg", "tiff", "webp"]
TextSource = Literal["text_layer", "ocr"]


@dataclass(frozen=True)
class Limits:
    """Intake and extraction limits, all configurable through DIWAN_* settings."""

    max_bytes: int
    max_pages: int
    max_image_pixels: int
    max_inflated_bytes: int
    ocr_dpi: int = 300
    ocr_languages: str = "ara+eng"

    @classmethod
    def from_settings(cls, settings) -> "Limits":
        return cls(
            max_bytes=settings.max_upload_bytes,
            max_pages=settings.max_pages,
            max_image_pixels=settings.max_image_pixels,
            max_inflated_bytes=settings.max_inflated_bytes,
            ocr_dpi=settings.ocr_dpi,
            ocr_languages=settings.ocr_languages,
        )


@dataclass(frozen=True)
class FileFacts:
    """What intake learned about an accepted file, from its content rather than its name."""

    kind: FileKind
    mime: str
    page_count: int
    # Owner-password-only PDFs open without a password and are ingested normally.
    encrypted: bool = False


@dataclass(frozen=True)
class PageText:
    number: int  # 1-based
    text: str
    source: TextSource
    confidence: float | None  # mean OCR word confidence, 0 to 100; None for a text layer
