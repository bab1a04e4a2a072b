"""Reading runs of digits in a text line by matching glyphs against digit templates.

Tesseract's Arabic model turns Arabic-Indic digits into Latin look-alikes in reversed order
(١٩٩٦ comes out as 995١), and may drop European digits that touch an Arabic letter. This module
cuts a line image into glyphs at blank columns, matches each glyph against the templates in
ocr.digit_templates, and returns the runs of digits it finds. Numbers are written left to right
in both scripts, so a run read from left to right is already in logical order.
"""

import logging
import math
import statistics
from dataclasses import dataclass

from PIL import Image

from ocr.digit_templates import (
    ARABIC_INDIC_DIGITS,
    EUROPEAN_DIGITS,
    GRID,
    SEPARATORS,
    Template,
    bitmap_bits,
    load_templates,
)
from ocr.preprocess import otsu_threshold

logger = logging.getLogger(__name__)

# Share of the GRID bitmap that may differ from the nearest template for a glyph to count as a
# digit. Measured on fonts left out of the templates: digits scored below 0.17 and Arabic
# letters mostly above 0.22.
MAX_SHAPE_DISTANCE = 0.2
# How far below the digits' baseline a digit may reach, and how far above it, as shares of the
# digits' height.
BASELINE_TOLERANCE = 0.2
MAX_HEIGHT_SHARE = 1.3
# Weight of the height mismatch, |ln(height ratio)|, against the bitmap distance.
HEIGHT_WEIGHT = 0.12
# Blank space between two glyphs of one number, as a share of the digits' height. Amiri sets
# digits 0.5 apart and words 0.73 apart at this scale.
MAX_GAP_SHARE = 0.62
# A glyph wider than this share of the digits' height is tried as two touching glyphs.
SPLIT_WIDTH_SHARE = 1.1


@dataclass(frozen=True)
class DigitRun:
    """Digits read from a line image, with their horizontal extent in that image's pixels."""

    left: int
    right: int
    text: str
    confidence: float  # 0 to 100, from how closely the glyphs match the templates


@dataclass(frozen=True)
class _Glyph:
    left: int
    right: int
    top: int
    bottom: int
    bits: int
    shape_distance: float  # distance to the nearest digit or separator template

    @property
    def height(self) -> int:
        return self.bottom - self.top


def find_digit_runs(line: Image.Image, min_digits: int = 2) -> list[DigitRun]:
    """Return the runs of at least min_digits digits in a greyscale line image, left to right."""
    ink = _ink(line)
    glyphs = [glyph for glyph in _glyphs(ink) if glyph.shape_distance <= MAX_SHAPE_DISTANCE]
    glyphs = _on_digit_baseline(glyphs)

    runs = []
    for group in _group_by_gaps(glyphs):
        run = _read_group(ink, group)
        if run is not None and sum(character.isdigit() for character in run.text) >= min_digits:
            runs.append(run)
    return runs


def _ink(line: Image.Image) -> Image.Image:
    grey = line.convert("L")
    threshold = otsu_threshold(grey)
    return grey.point(lambda value: 255 if value < threshold else 0)


def _glyphs(ink: Image.Image) -> list[_Glyph]:
    columns = ink.resize((ink.width, 1), Image.Resampling.BOX).tobytes()
    glyphs = []
    start = None
    for x, level in enumerate(list(columns) + [0]):
        if level and start is None:
            start = x
        elif not level and start is not None:
            glyph = _glyph(ink, start, x)
            if glyph is not None:
                glyphs.append(glyph)
            start = None
    return glyphs


def _glyph(ink: Image.Image, left: int, right: int) -> _Glyph | None:
    strip = ink.crop((left, 0, right, ink.height))
    box = strip.getbbox()
    if box is None:
        return None
    bits = bitmap_bits(strip)
    distance = min(_distance(bits, template) for template in load_templates())
    return _Glyph(left, right, box[1], box[3], bits, distance)


def _distance(bits: int, template: Template) -> float:
    return (bits ^ template.bits).bit_count() / (GRID * GRID)


def _on_digit_baseline(glyphs: list[_Glyph]) -> list[_Glyph]:
    """Keep glyphs that sit on the common baseline and are no taller than digits.

    Digits stand on the baseline, while letters that look like digits in outline, such as
    final meem or alef, reach below it or above the digits' top.
    """
    if not glyphs:
        return []
    baseline = statistics.median(glyph.bottom for glyph in glyphs)
    tallest = max(glyph.height for glyph in glyphs)
    reference = statistics.median(glyph.height for glyph in glyphs
                                  if glyph.height >= tallest / 2)
    return [glyph for glyph in glyphs
            if glyph.bottom <= baseline + BASELINE_TOLERANCE * reference
            and glyph.top >= baseline - MAX_HEIGHT_SHARE * reference]


def _group_by_gaps(glyphs: list[_Glyph]) -> list[list[_Glyph]]:
    """Split digit-like glyphs into groups separated by word-sized gaps."""
    if not glyphs:
        return []

    groups = [[glyphs[0]]]
    for previous, glyph in zip(glyphs, glyphs[1:], strict=False):
        reference = max(_reference_height(groups[-1]), glyph.height)
        if glyph.left - previous.right > MAX_GAP_SHARE * reference:
            groups.append([glyph])
        else:
            groups[-1].append(glyph)
    return groups


def _reference_height(glyphs: list[_Glyph]) -> float:
    """The height of a full-size digit in this group: small glyphs such as ٠ are ignored."""
    heights = sorted(glyph.height for glyph in glyphs)
    return heights[(len(heights) * 3) // 4]


def _read_group(ink: Image.Image, group: list[_Glyph]) -> DigitRun | None:
    reference = _reference_height(group)
    glyphs = _split_wide_glyphs(ink, group, reference)

    readings = [_read_script(glyphs, reference, script) for script in
                (ARABIC_INDIC_DIGITS, EUROPEAN_DIGITS)]
    text, cost = min(readings, key=lambda reading: reading[1])

    text = text.strip(SEPARATORS)
    if not text:
        return None
    confidence = max(0.0, 100.0 * (1.0 - 2.5 * cost / len(glyphs)))
    return DigitRun(group[0].left, group[-1].right, text, round(confidence, 1))


def _read_script(glyphs: list[_Glyph], reference: float, digits: str) -> tuple[str, float]:
    allowed = digits + SEPARATORS
    candidates = [template for template in load_templates() if template.character in allowed]

    text = []
    total = 0.0
    for glyph in glyphs:
        relative_height = max(glyph.height, 1) / reference
        character, cost = min(
            ((template.character, _cost(glyph, relative_height, template))
             for template in candidates),
            key=lambda pair: pair[1],
        )
        text.append(character)
        total += cost
    return "".join(text), total


def _cost(glyph: _Glyph, relative_height: float, template: Template) -> float:
    height_mismatch = abs(math.log(relative_height / template.relative_height))
    return _distance(glyph.bits, template) + HEIGHT_WEIGHT * height_mismatch


def _split_wide_glyphs(ink: Image.Image, glyphs: list[_Glyph], reference: float) -> list[_Glyph]:
    """Cut glyphs that are too wide for one digit at their thinnest column (touching digits)."""
    result = []
    for glyph in glyphs:
        if glyph.right - glyph.left <= SPLIT_WIDTH_SHARE * reference:
            result.append(glyph)
            continue
        result.extend(_split(ink, glyph))
    return result


def _split(ink: Image.Image, glyph: _Glyph) -> list[_Glyph]:
    strip = ink.crop((glyph.left, 0, glyph.right, ink.height))
    columns = strip.resize((strip.width, 1), Image.Resampling.BOX).tobytes()
    width = len(columns)
    middle = range(width // 4, width - width // 4)
    if not middle:
        return [glyph]

    cut = min(middle, key=lambda x: columns[x]) + glyph.left
    parts = [_glyph(_blank_outside(ink, glyph.left, cut), glyph.left, cut),
             _glyph(_blank_outside(ink, cut, glyph.right), cut, glyph.right)]
    if any(part is None for part in parts):
        return [glyph]
    return parts


def _blank_outside(ink: Image.Image, left: int, right: int) -> Image.Image:
    cleared = Image.new("L", ink.size, 0)
    cleared.paste(ink.crop((left, 0, right, ink.height)), (left, 0))
    return cleared
