"""Input files for the ingest benchmark: Arabic text PDFs and 300-dpi A4 scans as PNG, TIFF and PDF.

The builders come from tests.factories.documents, so the benchmark needs the test extras
(fpdf2, uharfbuzz, img2pdf) and an Arabic font (fonts-hosny-amiri or fonts-noto-core).
"""

import io
import logging
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
from PIL import Image

from bench.personnel_text import make_record, wrap_lines
from tests.factories.documents import (
    image_bytes,
    make_multipage_tiff,
    make_scanned_pdf,
    make_text_pdf,
    render_arabic_page,
)

logger = logging.getLogger(__name__)

# make_text_pdf gives a line of text at F points a height of 0.75 F millimetres, so 24 lines
# at 14 pt fill an A4 page above fpdf2's bottom margin, and 80 characters fill its width.
TEXT_PDF_FONT_POINTS = 14
TEXT_PDF_LINES_PER_PAGE = 24
TEXT_PDF_LINE_CHARS = 80
MAX_TEXT_PDF_PAGES = 3
# At 14 pt a line of this many Arabic characters fits a 300-dpi A4 scan with the factory's margins.
SCAN_LINE_CHARS = 60
SCAN_FONT_POINTS = 14
# More lines than this run off a 300-dpi A4 page at 14 pt.
MAX_SCAN_LINES = 28
SCAN_DPI = 300
# Record numbers of the scans start here, so no scan repeats the text of a text PDF.
SCAN_RECORD_OFFSET = 1_000_000


@dataclass
class InputSet:
    """Files written for one run, how many pages they hold, and one PNG per page for Tesseract."""

    files: list[Path] = field(default_factory=list)
    pages: int = 0
    page_images: list[Path] = field(default_factory=list)


def _merge_pdfs(parts: list[bytes]) -> bytes:
    merged = pikepdf.new()
    opened = [pikepdf.open(io.BytesIO(part)) for part in parts]
    for part in opened:
        merged.pages.extend(part.pages)
    buffer = io.BytesIO()
    merged.save(buffer)
    for part in opened:
        part.close()
    return buffer.getvalue()


def write_text_pdfs(folder: Path, count: int) -> InputSet:
    """Write ``count`` Arabic text PDFs of one to three A4 pages, one record each."""
    folder.mkdir(parents=True, exist_ok=True)
    written = InputSet()
    for number in range(1, count + 1):
        record = make_record(number)
        lines = wrap_lines("\n".join(record.pages), TEXT_PDF_LINE_CHARS)
        chunks = [
            lines[start : start + TEXT_PDF_LINES_PER_PAGE] for start in range(0, len(lines), TEXT_PDF_LINES_PER_PAGE)
        ]
        parts = [make_text_pdf(chunk, font_size=TEXT_PDF_FONT_POINTS) for chunk in chunks[:MAX_TEXT_PDF_PAGES]]

        path = folder / f"record-{number:05d}.pdf"
        path.write_bytes(parts[0] if len(parts) == 1 else _merge_pdfs(parts))
        written.files.append(path)
        with pikepdf.open(path) as pdf:
            written.pages += len(pdf.pages)
    return written


def _scan_page(number: int) -> Image.Image:
    record = make_record(SCAN_RECORD_OFFSET + number, max_pages=1)
    lines = wrap_lines(record.pages[0], SCAN_LINE_CHARS)[:MAX_SCAN_LINES]
    return render_arabic_page(lines, font_size=SCAN_FONT_POINTS, dpi=SCAN_DPI)


def write_scans(folder: Path, png_files: int, tiff_files: int, pdf_files: int, pages_per_file: int) -> InputSet:
    """Write single-page PNG scans and multi-page TIFF and scanned PDF files of rendered letters.

    Each page is also saved as a PNG under folder/../pages, the input of the bare Tesseract runs.
    """
    folder.mkdir(parents=True, exist_ok=True)
    page_folder = folder.parent / "pages"
    page_folder.mkdir(parents=True, exist_ok=True)
    written = InputSet()
    page_number = 0

    def next_pages(count: int) -> list[Image.Image]:
        nonlocal page_number
        images = []
        for _ in range(count):
            page_number += 1
            image = _scan_page(page_number)
            page_path = page_folder / f"page-{page_number:03d}.png"
            # Saving leaves encoder settings on the image that break a later TIFF save
            # (Pillow 13), so the page file is written from a copy.
            page_path.write_bytes(image_bytes(image.copy(), "PNG", dpi=(SCAN_DPI, SCAN_DPI)))
            written.page_images.append(page_path)
            images.append(image)
        written.pages += count
        return images

    for index in range(png_files):
        path = folder / f"scan-{index + 1:03d}.png"
        [image] = next_pages(1)
        path.write_bytes(image_bytes(image, "PNG", dpi=(SCAN_DPI, SCAN_DPI)))
        written.files.append(path)

    for index in range(tiff_files):
        path = folder / f"scan-{index + 1:03d}.tiff"
        path.write_bytes(make_multipage_tiff(next_pages(pages_per_file), dpi=SCAN_DPI))
        written.files.append(path)

    for index in range(pdf_files):
        path = folder / f"scan-{index + 1:03d}.pdf"
        path.write_bytes(make_scanned_pdf(next_pages(pages_per_file), dpi=SCAN_DPI))
        written.files.append(path)
    return written
