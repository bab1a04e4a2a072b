"""OCR of one page image: preprocessing, Tesseract, corrective second passes, clean lines.

The first pass reads the prepared page with the requested languages. Further passes run only
when the first one shows a known weakness, so a clean page costs one Tesseract call:
- an empty result on a page with ink is read again as one block of text (--psm 6);
- a low mean confidence runs the OSD model to detect a page turned by 90, 180 or 270
  degrees, and a confident detection is read again upright;
- Latin-looking words with low confidence on an Arabic page are read again as Arabic;
- digits in Arabic lines are read again by template matching (ocr.digits).
"""

import logging
import re
import statistics
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from PIL import Image

from ocr.digits import find_digit_runs
from ocr.lines import group_lines, line_text, order_logically
from ocr.postprocess import count_scripts, has_content
from ocr.preprocess import PreparedPage, prepare_page
from ocr.tesseract import DEFAULT_TIMEOUT_S, Word, detect_orientation, read_words

logger = logging.getLogger(__name__)

# Below this mean word confidence the page may be turned, so OSD runs.
ORIENTATION_CHECK_BELOW = 60.0
# OSD orientation confidence needed before a page is turned; Tesseract's scale, where 2 and above
# was right on every rotated test page.
MIN_ORIENTATION_CONFIDENCE = 2.0
# Latin words on an Arabic page read with less confidence than this are read again as Arabic.
# Real English words in the test pages scored 88 and above, misread Arabic words 84 and below.
LATIN_RECHECK_BELOW = 88.0
# An Arabic re-reading replaces the Latin reading from this confidence on, or when it scores
# higher. The Latin readings it replaces are mostly gibberish even at confidence 70 to 85.
MIN_ARABIC_REREAD_CONFIDENCE = 50.0
# A line whose tallest word is shorter than this share of the page's tall words is noise.
MIN_LINE_HEIGHT_SHARE = 0.5
# A page whose grey levels span less than this has no ink to read.
MIN_CONTRAST = 32

_DIGIT = re.compile("[0-9\u0660-\u0669\u06f0-\u06f9]")
# A number as Tesseract misreads it: digits mixed with separators and look-alike punctuation.
_DIGIT_TOKEN = re.compile("[0-9\u0660-\u0669\u06f0-\u06f9/\\\\.,:\\-|\\[\\]()\"'\u201c\u201d^]*"
                          "[0-9\u0660-\u0669\u06f0-\u06f9][0-9\u0660-\u0669\u06f0-\u06f9/\\\\.,:"
                          "\\-|\\[\\]()\"'\u201c\u201d^]*")


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
        prepared, words = _first_pass(image, prepared, languages, dpi, workdir, timeout_s)
        if not words:
            return EMPTY_RESULT

        words = _recheck_latin_words(prepared, words, languages, workdir, timeout_s)
        words = _reread_digits(prepared, words)

    return _result(words)


def _first_pass(
    image: Image.Image,
    prepared: PreparedPage,
    languages: str,
    dpi: int,
    workdir: Path,
    timeout_s: float,
) -> tuple[PreparedPage, list[Word]]:
    path = _save(prepared.image, prepared.dpi, workdir / "page.png")
    words = read_words(path, languages, page_segmentation=3, timeout_s=timeout_s)
    if not words:
        # Automatic page segmentation finds nothing on some pages with one short line.
        words = read_words(path, languages, page_segmentation=6, timeout_s=timeout_s)

    if _mean_confidence(words) >= ORIENTATION_CHECK_BELOW:
        return prepared, words

    orientation = detect_orientation(path, timeout_s=timeout_s)
    if orientation is None or orientation.rotate == 0:
        return prepared, words
    if orientation.confidence < MIN_ORIENTATION_CONFIDENCE:
        return prepared, words

    # OSD's "Rotate" is in clockwise degrees, Pillow's rotate() turns counter-clockwise. The
    # upright page is prepared again because text size is measured along rows.
    upright = prepare_page(image.rotate(-orientation.rotate, expand=True), dpi)
    upright_path = _save(upright.image, upright.dpi, workdir / "upright.png")
    upright_words = read_words(upright_path, languages, page_segmentation=3, timeout_s=timeout_s)
    logger.info("page turned by %s degrees after OSD (confidence %.1f)",
                orientation.rotate, orientation.confidence)
    if _score(upright_words) > _score(words):
        return upright, upright_words
    return prepared, words


def _recheck_latin_words(
    prepared: PreparedPage, words: list[Word], languages: str, workdir: Path, timeout_s: float
) -> list[Word]:
    """Read low-confidence Latin words again with Arabic alone, on pages that are mostly Arabic.

    With ara+eng, Tesseract reads some Arabic words as short Latin gibberish ("Cho", "las").
    All doubtful words go to one more Tesseract call with `ara`, as a list of word crops.
    """
    if "ara" not in languages.split("+") or languages == "ara":
        return words
    arabic, latin = count_scripts(" ".join(word.text for word in words))
    if arabic <= latin:
        return words

    # Word boxes rather than whole lines: re-reading a whole line with `ara` lost more real
    # words than it won back on the test pages.
    regions = [[word] for word in words if _is_suspect_latin(word)]
    if not regions:
        return words

    listing, origins = _save_crops(prepared, regions, workdir)
    rereads = read_words(listing, "ara", page_segmentation=7, timeout_s=timeout_s)

    replacements: dict[int, list[Word]] = {}
    for number, region in enumerate(regions, start=1):
        found = [word for word in rereads if word.page == number]
        text = " ".join(word.text for word in found)
        confidence = _mean_confidence(found)
        if not count_scripts(text)[0]:
            continue
        if confidence < min(MIN_ARABIC_REREAD_CONFIDENCE, region[0].confidence):
            continue
        replacements[id(region[0])] = _placed(found, region[0], origins[number - 1])
    logger.debug("re-read %d Latin-looking words as Arabic", len(regions))

    fixed = []
    for word in words:
        fixed.extend(replacements.get(id(word), [word]))
    return fixed


def _placed(found: list[Word], anchor: Word, origin: tuple[int, int]) -> list[Word]:
    """Move re-read words from crop to page coordinates and into the anchor word's line."""
    return [replace(word, left=origin[0] + word.left, top=origin[1] + word.top, page=anchor.page,
                    block=anchor.block, paragraph=anchor.paragraph, line=anchor.line)
            for word in found]


def _is_suspect_latin(word: Word) -> bool:
    arabic, latin = count_scripts(word.text)
    return latin > 0 and arabic == 0 and word.confidence < LATIN_RECHECK_BELOW


def _reread_digits(prepared: PreparedPage, words: list[Word]) -> list[Word]:
    """Replace numbers that Tesseract garbled in Arabic lines with template-matched digits."""
    # TODO: numbers that Tesseract drops or splits (seen with Noto Sans Arabic) get no second
    # read, because the digit pass only looks inside words that contain a digit.
    fixed = list(words)
    for line in group_lines(words):
        arabic, _ = count_scripts(" ".join(word.text for word in line))
        if not arabic:
            continue
        for word in line:
            if not _DIGIT.search(word.text):
                continue
            replacement = _digit_reading(prepared.image, word)
            if replacement is not None:
                fixed[words.index(word)] = replacement
    return fixed


def _digit_reading(page: Image.Image, word: Word) -> Word | None:
    pad = max(2, word.height // 4)
    box = (max(0, word.left - pad), max(0, word.top - pad),
           min(page.width, word.right + pad), min(page.height, word.bottom + pad))
    # Single digits are left to Tesseract: an alef or a dot on its own matches ١ or ٠ too well.
    tokens = [match for match in _DIGIT_TOKEN.finditer(word.text)
              if len(_DIGIT.findall(match.group())) >= 2]
    if not tokens:
        return None
    runs = find_digit_runs(page.crop(box), min_digits=2)
    if not runs:
        return None

    number = max(runs, key=lambda run: run.right - run.left)
    token = max(tokens, key=lambda match: len(match.group()))
    text = word.text[: token.start()] + number.text + word.text[token.end():]
    return replace(word, text=text, confidence=max(word.confidence, number.confidence))


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


def _save_crops(
    prepared: PreparedPage, regions: list[list[Word]], workdir: Path
) -> tuple[Path, list[tuple[int, int]]]:
    """Save the box around each group of words on a white margin.

    Returns a list file that Tesseract reads as a multi-page input, and the page position of
    each crop's top left corner.
    """
    paths = []
    origins = []
    for number, region in enumerate(regions, start=1):
        height = max(word.height for word in region)
        pad = max(2, height // 4)
        box = (max(0, min(word.left for word in region) - pad),
               max(0, min(word.top for word in region) - pad),
               min(prepared.image.width, max(word.right for word in region) + pad),
               min(prepared.image.height, max(word.bottom for word in region) + pad))
        crop = prepared.image.crop(box)
        margin = max(10, height // 2)
        canvas = Image.new("L", (crop.width + 2 * margin, crop.height + 2 * margin), 255)
        canvas.paste(crop, (margin, margin))
        paths.append(_save(canvas, prepared.dpi, workdir / f"region-{number}.png"))
        origins.append((box[0] - margin, box[1] - margin))

    listing = workdir / "regions.txt"
    listing.write_text("".join(f"{path}\n" for path in paths), encoding="utf-8")
    return listing, origins


def _save(image: Image.Image, dpi: int, path: Path) -> Path:
    # Fast PNG compression: the file lives for one Tesseract call.
    image.save(path, format="PNG", compress_level=1, dpi=(dpi, dpi))
    return path


def _score(words: list[Word]) -> float:
    return _mean_confidence(words) * len(words)


def _mean_confidence(words: list[Word]) -> float:
    return _mean([word.confidence for word in words if word.confidence >= 0])


def _mean(values: list[float]) -> float:
    return round(statistics.fmean(values), 2) if values else 0.0
