"""Text-layer extraction from PDF pages, in logical reading order.

pdfplumber gives glyphs with their positions on the page. The lines it would build keep the
visual left-to-right order, so Arabic comes out reversed. This module builds lines from the
glyphs itself and turns each line back into logical order with the Unicode bidi algorithm.
It applies NFKC only after that, so presentation forms and ligatures such as U+FCCB
(lam with khah) decompose in the right order.

A page whose text layer is missing or unusable gives None, and the pipeline OCRs it instead.
Unusable means empty, mostly unmapped glyphs (``(cid:NN)``, U+FFFD, U+FFFF, private use) or
legacy-encoded Arabic that reads as Latin-1 letters.

Use ``open_text_layer`` to read many pages of one document, or ``extract_text_layer`` for one.
"""

import logging
import math
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pdfplumber

from ingest.logical_order import line_is_rtl, logical_order, normalize_text

logger = logging.getLogger(__name__)

# A page is OCRed instead when more than this share of its glyphs has no Unicode mapping.
MAX_UNMAPPED_SHARE = 0.2
# Legacy Arabic fonts without a ToUnicode map decode as Latin-1 letters ("ÇáÚÑÈíÉ").
MAX_LATIN1_LETTER_SHARE = 0.3

# Gaps between glyphs, as a share of the font size, that become a space or a tab.
SPACE_GAP_EM = 0.2
TAB_GAP_EM = 2.0
# Glyphs whose vertical centres differ by less than this share of the font size share a line.
# It is wide enough for Arabic marks, which some producers draw with a raised origin.
LINE_TOLERANCE_EM = 0.45
# Zero-width marks within this distance (in points) of a base glyph edge belong to it.
MARK_EDGE_TOLERANCE = 0.05
# Text within this many degrees of horizontal or vertical is read as if it were aligned.
AXIS_SNAP_DEGREES = 10

_CID_PATTERN = re.compile(r"^\(cid:\d+\)$")


@dataclass
class _Glyph:
    text: str
    start: float  # along the writing direction
    end: float
    middle: float  # across the writing direction, growing towards the next line
    size: float
    marks: list[str] = field(default_factory=list)

    @property
    def unit_text(self) -> str:
        return self.text + "".join(self.marks)


class TextLayerReader:
    """An open PDF whose pages give their text layer one at a time."""

    def __init__(self, pdf: pdfplumber.PDF) -> None:
        self._pdf = pdf

    def __len__(self) -> int:
        return len(self._pdf.pages)

    def page_text(self, page_number: int) -> str | None:
        """Return the text of a 1-based page in logical order, or None when it needs OCR."""
        if not 1 <= page_number <= len(self._pdf.pages):
            raise IndexError(f"page {page_number} is outside 1..{len(self._pdf.pages)}")

        page = self._pdf.pages[page_number - 1]
        try:
            return _page_text(page)
        finally:
            # pdfplumber caches every parsed page, so a long document would otherwise keep them all.
            page.close()


@contextmanager
def open_text_layer(path: Path) -> Iterator[TextLayerReader]:
    """Open a PDF for text-layer reading. PDFs with only an owner password open as usual."""
    with pdfplumber.open(path) as pdf:
        yield TextLayerReader(pdf)


def extract_text_layer(path: Path, page_number: int) -> str | None:
    """Return one page's text in logical order, or None when the page needs OCR.

    Each call parses the document's cross-reference table again, so use ``open_text_layer``
    to read many pages of one document for the cost of one parse.
    """
    if page_number < 1:
        raise IndexError(f"page {page_number} is outside the document")
    # Loading only the requested page skips building every other page object.
    with pdfplumber.open(path, pages=[page_number]) as pdf:
        if not pdf.pages:
            raise IndexError(f"page {page_number} is outside the document")
        return _page_text(pdf.pages[0])


def _page_text(page) -> str | None:
    glyphs = [char for char in page.dedupe_chars().chars if char["text"]]
    annotation_text = _free_text_annotations(page)

    if not glyphs:
        # A scan carries its FreeText notes in the rendered image too, so OCR covers both.
        if page.images or not annotation_text:
            return None
        return annotation_text

    if not _glyphs_are_usable(glyphs):
        return None

    layer_text = _build_lines(glyphs)
    if not _text_is_usable(layer_text):
        return None

    # NOTE: a page with both a usable text layer and a scanned image of other text keeps only
    # the text layer. Telling the two apart would need OCR of every such page.
    return "\n".join(part for part in (layer_text, annotation_text) if part)


# --- usability -------------------------------------------------------------------------------


def _is_unmapped(text: str) -> bool:
    if _CID_PATTERN.match(text):
        return True
    return any(_is_unmapped_char(char) for char in text)


def _is_unmapped_char(char: str) -> bool:
    if char in "\ufffd\uffff\ufffe":
        return True
    category = unicodedata.category(char)
    return category == "Co" or (category == "Cc" and char not in "\t\n\r")


def _glyphs_are_usable(glyphs: list[dict]) -> bool:
    visible = [glyph for glyph in glyphs if glyph["text"].strip()]
    if not visible:
        return False

    unmapped = sum(1 for glyph in visible if _is_unmapped(glyph["text"]))
    return unmapped / len(visible) <= MAX_UNMAPPED_SHARE


def _text_is_usable(text: str) -> bool:
    letters = [char for char in text if unicodedata.category(char).startswith("L")]
    if not letters and not any(char.isdigit() for char in text):
        return False
    if not letters:
        return True

    latin1_letters = sum(1 for char in letters if "\u00c0" <= char <= "\u00ff")
    return latin1_letters / len(letters) <= MAX_LATIN1_LETTER_SHARE


# --- annotations -----------------------------------------------------------------------------


def _free_text_annotations(page) -> str:
    lines = []
    for annotation in page.annots:
        data = annotation.get("data") or {}
        subtype = data.get("Subtype")
        if getattr(subtype, "name", subtype) != "FreeText":
            continue
        contents = annotation.get("contents")
        if not contents:
            continue
        for line in contents.replace("\r", "\n").split("\n"):
            normalized = normalize_text(line).strip()
            if normalized:
                lines.append(normalized)
    # TODO: filled form fields (Widget annotations with a /V value) are not extracted yet.
    return "\n".join(lines)


# --- line building ---------------------------------------------------------------------------


def _build_lines(chars: list[dict]) -> str:
    groups: dict[int, list[_Glyph]] = {}
    for char in chars:
        if _is_unmapped(char["text"]):
            continue
        angle = _writing_angle(char)
        groups.setdefault(_direction_group(angle), []).append(_project(char, angle))

    # Text in the page's main direction comes first, then rotated labels and stamps.
    ordered_groups = sorted(groups.values(), key=len, reverse=True)
    glyph_lines = [line for group in ordered_groups for line in _cluster_lines(group)]

    rtl_glyphs = sum(_strong_counts(line)[0] for line in glyph_lines)
    ltr_glyphs = sum(_strong_counts(line)[1] for line in glyph_lines)
    page_is_rtl = rtl_glyphs > ltr_glyphs

    text_lines = []
    for line in glyph_lines:
        text = normalize_text(_logical_line(line, page_is_rtl)).strip()
        if text:
            text_lines.append(text)
    return "\n".join(text_lines)


def _writing_angle(char: dict) -> float:
    """Return the baseline direction of a char in degrees, counter-clockwise on the displayed page."""
    a, b = char["matrix"][0], char["matrix"][1]
    if not (a or b):
        return 0.0
    # pdfplumber's matrix has y growing upwards, its boxes have y growing downwards.
    return math.degrees(math.atan2(-b, a)) % 360


def _direction_group(angle: float) -> int:
    """Group slightly skewed text, such as an OCR layer on a tilted scan, with its axis."""
    axis = round(angle / 90) * 90 % 360
    distance = min(abs(angle - axis), 360 - abs(angle - axis))
    return axis if distance <= AXIS_SNAP_DEGREES else round(angle) % 360


def _project(char: dict, angle: float) -> _Glyph:
    """Map a pdfplumber char into the frame of its own writing direction.

    The frame makes every run of text horizontal and left to right, whatever the page
    /Rotate or the text matrix, so rotated pages and sideways text build lines alike. Each
    char uses its own exact angle, so a slightly tilted line keeps one vertical position.
    """
    radians = math.radians(angle)
    along = (math.cos(radians), math.sin(radians))
    across = (-along[1], along[0])

    corners = [(char["x0"], char["top"]), (char["x1"], char["bottom"])]
    starts = [x * along[0] + y * along[1] for x, y in corners]
    middles = [x * across[0] + y * across[1] for x, y in corners]
    return _Glyph(
        text=char["text"],
        start=min(starts),
        end=max(starts),
        middle=sum(middles) / 2,
        size=char.get("size") or 10.0,
    )


def _cluster_lines(glyphs: list[_Glyph]) -> list[list[_Glyph]]:
    lines: list[list[_Glyph]] = []
    line_middle = line_size = 0.0
    for glyph in sorted(glyphs, key=lambda item: item.middle):
        tolerance = LINE_TOLERANCE_EM * max(glyph.size, line_size)
        if lines and abs(glyph.middle - line_middle) <= tolerance:
            lines[-1].append(glyph)
            continue
        lines.append([glyph])
        line_middle, line_size = glyph.middle, glyph.size

    return [_attach_marks(sorted(line, key=lambda item: item.start)) for line in lines]


def _is_mark(text: str) -> bool:
    return all(unicodedata.category(char) in ("Mn", "Me") for char in text)


def _attach_marks(line: list[_Glyph]) -> list[_Glyph]:
    """Append each combining mark to the text of its base glyph, which is logical order.

    A mark with a width belongs to the base it overlaps most. A zero-width mark sits on an
    edge of its base: right-to-left producers draw it at the base's left edge, so in visual
    order it precedes the base, while left-to-right marks follow theirs.
    """
    bases = [glyph for glyph in line if not _is_mark(glyph.text)]
    if not bases:
        return line

    for glyph in line:
        if not _is_mark(glyph.text):
            continue
        base = _base_for_mark(glyph, bases)
        if base is None:
            bases.append(glyph)
            continue
        base.marks.append(glyph.text)

    return sorted(bases, key=lambda item: item.start)


def _base_for_mark(mark: _Glyph, bases: list[_Glyph]) -> _Glyph | None:
    if mark.end - mark.start > MARK_EDGE_TOLERANCE:
        overlaps = [(min(mark.end, base.end) - max(mark.start, base.start), base) for base in bases]
        overlap, base = max(overlaps, key=lambda item: item[0])
        if overlap > 0:
            return base

    if _is_rtl_mark(mark.text):
        following = [base for base in bases if base.start >= mark.start - MARK_EDGE_TOLERANCE]
        return min(following, key=lambda base: base.start, default=None)

    preceding = [base for base in bases if base.end <= mark.end + MARK_EDGE_TOLERANCE]
    return max(preceding, key=lambda base: base.end, default=None)


def _is_rtl_mark(text: str) -> bool:
    """Tell Hebrew and Arabic marks, whose script runs right to left, from other marks."""
    return all("\u0590" <= char <= "\u08ff" or "\ufb1d" <= char <= "\ufeff" for char in text)


def _strong_counts(line: list[_Glyph]) -> tuple[int, int]:
    rtl = ltr = 0
    for glyph in line:
        for char in glyph.text:
            direction = unicodedata.bidirectional(char)
            if direction in ("R", "AL"):
                rtl += 1
            elif direction == "L":
                ltr += 1
    return rtl, ltr


# --- units ---------------------------------------------------------------------------------------


def _line_units(line: list[_Glyph]) -> list[str]:
    """Return the line's glyph texts in visual order, with spaces and tabs for wide gaps."""
    units: list[str] = []
    previous: _Glyph | None = None
    for glyph in line:
        if previous is not None:
            gap = glyph.start - previous.end
            size = max(glyph.size, previous.size)
            if gap > TAB_GAP_EM * size:
                units.append("\t")
            elif gap > SPACE_GAP_EM * size and not (glyph.text.isspace() or previous.text.isspace()):
                units.append(" ")
        units.append(glyph.unit_text)
        previous = glyph
    return units


def _logical_line(line: list[_Glyph], page_is_rtl: bool) -> str:
    units = _line_units(line)
    return logical_order(units, rtl=line_is_rtl(units, page_is_rtl))
