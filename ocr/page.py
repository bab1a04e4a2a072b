"""OCR of one page image: preprocessing, Tesseract, corrective second passes, clean lines.

The first pass reads the prepared page with the requested languages. Further passes run only
when the first one shows a known weakness, so a page of running text costs one Tesseract call,
plus one call on small crops when it has suspect words to re-read:
- a page with ink but few confidently read words is read again with sparse-text segmentation
  (--psm 11), and the better of the two readings is kept (ocr.sparse);
- a low mean confidence on a page with enough characters runs the OSD model to detect a page
  turned by 90, 180 or 270 degrees, and a confident detection is read again upright;
- Latin-looking words and unconfirmed lone digits in Arabic lines are read again as Arabic
  (ocr.misreads);
- digits in Arabic lines are read again by template matching (ocr.numbers).
"""

import logging
import statistics
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from ocr.crops import save_png
from ocr.lines import group_lines, line_text, order_logically
from ocr.misreads import reread_misread_words
from ocr.numbers import reread_digits
from ocr.postprocess import count_scripts, has_content
from ocr.preprocess import PreparedPage, prepare_page
from ocr.sparse import combine_readings, needs_sparse_reading
from ocr.tesseract import DEFAULT_TIMEOUT_S, Word, detect_orientation, read_words

logger = logging.getLogger(__name__)

# Below this mean word confidence the page may be turned, so OSD runs.
ORIENTATION_CHECK_BELOW = 60.0
# Tesseract's OSD gives up on pages with fewer characters than this (its min_characters_to_try
# parameter, 50 in Tesseract 5.3), so it is not started when no reading of the page found as
# many letters and digits. OSD counts glyph shapes rather than recognised characters, so the
# two counts only roughly agree.
MIN_ORIENTATION_CHARACTERS = 50
# OSD orientation confidence needed before a page is turned; Tesseract's scale, where 2 and above
# was right on every rotated test page.
MIN_ORIENTATION_CONFIDENCE = 2.0
# A line whose tallest word is shorter than this share of the page's tall words is noise.
MIN_LINE_HEIGHT_SHARE = 0.5
# A page whose grey levels span less than this has no ink to read.
MIN_CONTRAST = 32


@dataclass(frozen=True)
class OcrLine:
    text: str
    confidence: float  # mean word confidence, 0 to 100


@dataclass(frozen=True)
class OcrResult:
    text: str  # lines in reading order, joined with newlines
    confidence: float  # mean word confidence over the page, 0 to 100; 0.0 for an empty page
    lines: tuple[OcrLine, ...]


EMPTY_RESULT = OcrResult(text="", confidence=0.0, lines=())


def ocr_image(
    image: Image.Image,
    languages: str = "ara+eng",
    dpi: int = 300,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> OcrResult:
    """Read the text of one page image; raise OcrFailed when Tesseract cannot run."""
    if image.width < 3 or image.height < 3:
        return EMPTY_RESULT

    prepared = prepare_page(image, dpi)
    low, high = prepared.image.getextrema()
    if high - low < MIN_CONTRAST:
        return EMPTY_RESULT

    with tempfile.TemporaryDirectory(prefix="diwan-ocr-") as folder:
        workdir = Path(folder)
        path = save_png(prepared.image, prepared.dpi, workdir / "page.png")
        words, characters = _read_page(path, languages, timeout_s)
        prepared, words = _upright(image, dpi, prepared, path, (words, characters), languages,
                                   timeout_s)
        if not words:
            return EMPTY_RESULT

        words = reread_misread_words(prepared, words, languages, workdir, timeout_s)
        words = reread_digits(prepared.image, words)

    return _result(words)


def _read_page(path: Path, languages: str, timeout_s: float) -> tuple[list[Word], int]:
    """Read a saved page with automatic segmentation, and sparsely too if it found few words.

    Returns the words and the largest number of letters and digits that one reading found.
    On a page turned by 90 degrees, the automatic reading finds more junk characters than the
    sparse one, and those characters tell that OSD has enough text to work on.
    """
    words = read_words(path, languages, page_segmentation=3, timeout_s=timeout_s)
    if not needs_sparse_reading(words):
        return words, _character_count(words)

    sparse_words = read_words(path, languages, page_segmentation=11, timeout_s=timeout_s)
    characters = max(_character_count(words), _character_count(sparse_words))
    return combine_readings(words, sparse_words), characters


def _upright(
    image: Image.Image,
    dpi: int,
    prepared: PreparedPage,
    path: Path,
    reading: tuple[list[Word], int],
    languages: str,
    timeout_s: float,
) -> tuple[PreparedPage, list[Word]]:
    """Turn the page upright and read it again when OSD finds it turned and reads it better.

    `reading` is the result of _read_page: the words and the most characters a reading found.
    """
    words, characters = reading
    if _mean_confidence(words) >= ORIENTATION_CHECK_BELOW:
        return prepared, words
    if characters < MIN_ORIENTATION_CHARACTERS:
        logger.debug("orientation unknown: %d characters are too few for OSD", characters)
        return prepared, words

    orientation = detect_orientation(path, timeout_s=timeout_s)
    if orientation is None or orientation.rotate == 0:
        return prepared, words
    if orientation.confidence < MIN_ORIENTATION_CONFIDENCE:
        return prepared, words

    # OSD's "Rotate" is in clockwise degrees, Pillow's rotate() turns counter-clockwise. The
    # upright page is prepared again because text size is measured along rows.
    upright = prepare_page(image.rotate(-orientation.rotate, expand=True), dpi)
    upright_path = save_png(upright.image, upright.dpi, path.with_name("upright.png"))
    upright_words, _ = _read_page(upright_path, languages, timeout_s)
    if _score(upright_words) > _score(words):
        logger.info("page turned by %s degrees after OSD (confidence %.1f)",
                    orientation.rotate, orientation.confidence)
        return upright, upright_words
    return prepared, words


def _result(words: list[Word]) -> OcrResult:
    # Arabic is the archive's main language, so a page with as many Arabic words as Latin ones
    # is read right to left.
    scripts = [count_scripts(word.text) for word in words]
    arabic_words = sum(1 for arabic, latin in scripts if arabic > latin)
    latin_words = sum(1 for arabic, latin in scripts if latin > arabic)
    right_to_left = arabic_words >= latin_words

    # Rows of harakat above and below vowelled text come back as lines of short "words".
    heights = sorted(word.height for word in words)
    min_line_height = MIN_LINE_HEIGHT_SHARE * heights[int(len(heights) * 0.9)]

    lines = []
    kept_confidences = []
    for line_words in group_lines(words):
        if max(word.height for word in line_words) < min_line_height:
            continue
        ordered = order_logically(line_words, right_to_left)
        text = line_text(ordered)
        if not has_content(text):
            continue
        confidences = [word.confidence for word in ordered if word.confidence >= 0]
        kept_confidences.extend(confidences)
        lines.append(OcrLine(text=text, confidence=_mean(confidences)))

    if not lines:
        return EMPTY_RESULT
    return OcrResult(
        text="\n".join(line.text for line in lines),
        confidence=_mean(kept_confidences),
        lines=tuple(lines),
    )


def _character_count(words: list[Word]) -> int:
    return sum(1 for word in words for character in word.text if character.isalnum())


def _score(words: list[Word]) -> float:
    return _mean_confidence(words) * len(words)


def _mean_confidence(words: list[Word]) -> float:
    return _mean([word.confidence for word in words if word.confidence >= 0])


def _mean(values: list[float]) -> float:
    return round(statistics.fmean(values), 2) if values else 0.0
