"""The extraction process: reads jobs on stdin, extracts pages, writes events on stdout.

It runs under an address-space cap (RLIMIT_AS, inherited by Tesseract), so a hostile or huge
file exhausts only this process; the worker sees it die, fails that document and starts a new
one. Run as `python -m ingest.extractor_child MEMORY_MB`.
"""

import io
import logging
import resource
import signal
import sys
from pathlib import Path

from PIL import Image

from archive_api.errors import DiwanError
from archive_api.logs import configure_logging
from archive_api.processes import die_with_parent, ignore_interrupts
from ingest.framing import read_frame, write_frame
from ingest.jobs import ExtractionJob, JobFailed, JobFinished, PageDone, PageStarted
from ingest.pdf_text import TextLayerReader, open_text_layer
from ingest.render import make_thumbnail, render_page
from ingest.types import PageText
from ocr.page import ocr_image

logger = logging.getLogger(__name__)

VIEW_MAX_SIDE = 1600
THUMBNAIL_MAX_SIDE = 240
# Pages with a text layer are rendered only for the viewer, so a lower resolution is enough.
VIEW_DPI = 110


def _webp(image: Image.Image, max_side: int) -> bytes:
    copy = image.copy()
    copy.thumbnail((max_side, max_side))
    buffer = io.BytesIO()
    copy.convert("RGB" if copy.mode not in ("L", "RGB") else copy.mode).save(buffer, "WEBP", quality=80)
    return buffer.getvalue()


def _extract_page(job: ExtractionJob, number: int, text_layer: TextLayerReader | None, output) -> None:
    text = text_layer.page_text(number) if text_layer is not None else None
    needs_ocr = text is None
    write_frame(output, PageStarted(number, job.facts.page_count, needs_ocr))

    dpi = job.limits.ocr_dpi if needs_ocr else VIEW_DPI
    image = render_page(job.path, job.facts, number, dpi, job.limits)
    if needs_ocr:
        result = ocr_image(image, job.limits.ocr_languages, dpi)
        page = PageText(number, result.text, "ocr", result.confidence)
    else:
        page = PageText(number, text, "text_layer", None)

    thumbnail = make_thumbnail(image, THUMBNAIL_MAX_SIDE)
    write_frame(
        output,
        PageDone(page, image.width, image.height, _webp(image, VIEW_MAX_SIDE), _webp(thumbnail, THUMBNAIL_MAX_SIDE)),
    )


def _extract_pages(job: ExtractionJob, output) -> None:
    if job.facts.kind != "pdf":
        for number in range(job.first_page, job.facts.page_count + 1):
            _extract_page(job, number, None, output)
        return
    # One parse of the PDF serves every page; reopening it per page costs about ten times more.
    with open_text_layer(Path(job.path)) as text_layer:
        for number in range(job.first_page, job.facts.page_count + 1):
            _extract_page(job, number, text_layer, output)


def run_job(job: ExtractionJob, output) -> None:
    try:
        _extract_pages(job, output)
    except DiwanError as error:
        write_frame(output, JobFailed(error.code, error.message, error.params))
        return
    except MemoryError:
        logger.warning("extraction hit the memory cap document=%s", job.document_id)
        write_frame(output, JobFailed("memory_limit", "", {}))
        return
    except Exception as error:
        logger.exception("extraction failed document=%s", job.document_id)
        write_frame(output, JobFailed("extraction_error", "", {"error": f"{type(error).__name__}: {error}"}))
        return
    write_frame(output, JobFinished(job.document_id))


def main() -> None:
    configure_logging()
    ignore_interrupts()
    die_with_parent(signal.SIGKILL)
    memory_mb = int(sys.argv[1])
    cap = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    source, output = sys.stdin.buffer, sys.stdout.buffer
    # Anything a library prints must not corrupt the frames on stdout.
    sys.stdout = sys.stderr
    while True:
        try:
            job = read_frame(source)
        except EOFError:
            return
        run_job(job, output)


if __name__ == "__main__":
    main()
