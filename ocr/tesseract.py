"""Tesseract calls through pytesseract: word boxes with confidences, orientation, clear errors.

Every call runs the `tesseract` binary in a subprocess with a timeout. Tesseract's OpenMP
threading slows it down on small machines, so this module gives each process one thread
(OMP_THREAD_LIMIT=1) unless the environment already sets a limit; run pages in parallel instead.
"""

import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytesseract

from archive_api.errors import N_, DiwanError

logger = logging.getLogger(__name__)

# pytesseract passes os.environ to every subprocess it starts, so setting it here is enough.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

DEFAULT_TIMEOUT_S = 120.0
INSTALL_HINT = "install the Debian packages tesseract-ocr and tesseract-ocr-ara"

# Tesseract 5 prints this when a traineddata file is missing or unreadable.
_MISSING_LANGUAGE = re.compile(r"Failed loading language '([^']+)'")
# Tesseract 5.3 prints these when OSD gives up on a page, and exits with status 1.
_OSD_UNDECIDED = ("Too few characters", "Invalid resolution")


class _Undecided(Exception):
    """Tesseract ran but gave up with a known message, as OSD does on a page with few letters."""


class OcrFailed(DiwanError):
    """Tesseract could not read a page: missing binary or language data, timeout or crash."""

    http_status = 500
    code = "ocr_failed"


@dataclass(frozen=True)
class Word:
    """One word from Tesseract's TSV output, in the pixel coordinates of the image it read."""

    text: str
    confidence: float
    left: int
    top: int
    width: int
    height: int
    page: int
    block: int
    paragraph: int
    line: int

    @property
    def right(self) -> int:
        return self.left + self.width

    @property
    def bottom(self) -> int:
        return self.top + self.height

    @property
    def line_key(self) -> tuple[int, int, int, int]:
        return (self.page, self.block, self.paragraph, self.line)


@dataclass(frozen=True)
class Orientation:
    """Tesseract OSD result: clockwise degrees to rotate the image by to make it upright."""

    rotate: int
    confidence: float


def read_words(
    image_path: Path,
    languages: str,
    page_segmentation: int = 3,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> list[Word]:
    """Run Tesseract on an image file (or a text file listing images) and return its words.

    Rows without text (blocks, paragraphs, lines, empty words) are left out; the words keep
    Tesseract's order, which is its reading order.
    """
    config = f"--psm {page_segmentation}"
    data = _call(
        pytesseract.image_to_data,
        str(image_path),
        lang=languages,
        config=config,
        output_type=pytesseract.Output.DICT,
        timeout=timeout_s,
        what=f"reading text with languages {languages}",
    )
    return _words_from_data(data)


def detect_orientation(image_path: Path, timeout_s: float = DEFAULT_TIMEOUT_S) -> Orientation | None:
    """Return the rotation Tesseract's OSD model suggests, or None when it cannot tell.

    OSD gives up with exit status 1 on pages with too few letters and on images without a
    usable resolution. That only means "orientation unknown", so it is logged at debug level.
    A missing binary, a missing osd model and other failures raise OcrFailed.
    """
    try:
        data = _call(
            pytesseract.image_to_osd,
            str(image_path),
            lang="osd",
            output_type=pytesseract.Output.DICT,
            timeout=timeout_s,
            what="detecting page orientation",
            undecided=_OSD_UNDECIDED,
        )
    except _Undecided as undecided:
        logger.debug("orientation unknown: %s", undecided)
        return None
    return Orientation(rotate=int(data["rotate"]), confidence=float(data["orientation_conf"]))


def _call(function, *args, what: str, undecided: tuple[str, ...] = (), **kwargs):
    """Run a pytesseract function and turn its failures into OcrFailed.

    A Tesseract error whose message contains one of the `undecided` texts raises _Undecided.
    """
    try:
        return function(*args, **kwargs)
    except pytesseract.TesseractNotFoundError as error:
        raise OcrFailed(
            N_("OCR failed: the tesseract program %(command)s was not found; %(hint)s."),
            command=pytesseract.pytesseract.tesseract_cmd,
            hint=INSTALL_HINT,
        ) from error
    except pytesseract.TesseractError as error:
        message = str(error.message)
        if any(text in message for text in undecided):
            raise _Undecided(" ".join(message.split())[:200]) from error
        raise _tesseract_error(error, what) from error
    except RuntimeError as error:
        if "timeout" not in str(error).lower():
            raise
        raise OcrFailed(
            N_("OCR timed out after %(seconds)s seconds while %(step)s; "
               "raise the timeout or split the page."),
            seconds=kwargs.get("timeout"),
            step=what,
        ) from error


def _tesseract_error(error: pytesseract.TesseractError, what: str) -> OcrFailed:
    message = str(error.message)
    missing = _MISSING_LANGUAGE.search(message)
    if missing:
        return OcrFailed(
            N_("OCR failed: Tesseract language data %(language)s is missing; install the "
               "Debian package tesseract-ocr-%(language)s or change DIWAN_OCR_LANGUAGES."),
            language=missing.group(1),
        )

    logger.warning("tesseract exited with status %s while %s", error.status, what)
    return OcrFailed(
        N_("OCR failed while %(step)s: tesseract exited with status %(status)s (%(detail)s)."),
        step=what,
        status=error.status,
        detail=message[:300],
    )


def _words_from_data(data: dict) -> list[Word]:
    words = []
    for index, text in enumerate(data["text"]):
        if data["level"][index] != 5 or not text.strip():
            continue
        words.append(
            Word(
                text=text,
                confidence=float(data["conf"][index]),
                left=int(data["left"][index]),
                top=int(data["top"][index]),
                width=int(data["width"][index]),
                height=int(data["height"][index]),
                page=int(data["page_num"][index]),
                block=int(data["block_num"][index]),
                paragraph=int(data["par_num"][index]),
                line=int(data["line_num"][index]),
            )
        )
    return words
