"""Numbers in Arabic lines: garbled numbers read again from digit templates, digits checked.

Tesseract's Arabic model reads Arabic-Indic numbers as Latin look-alikes in reversed order,
and reads dots, harakat and parts of letters as lone digits. Both are checked against the glyph
templates of ocr.digits, which see only the shapes in the word's box.
"""

import logging
import re
from dataclasses import replace

from PIL import Image

from ocr.digits import DigitRun, find_digit_runs
from ocr.lines import group_lines
from ocr.postprocess import clean_word, count_scripts
from ocr.tesseract import Word

logger = logging.getLogger(__name__)

# Template confidence from which the glyphs in a digit-only word's box count as digits. On
# rendered Amiri and Noto Naskh Arabic lines at 12 to 20 pt, real digits scored 66 and above,
# while specks and letters that Tesseract read as a lone digit scored 52 and below.
# NOTE: an alef or lam read as ١ matches the ١ template (one case scored 80) and is kept.
MIN_CONFIRMING_CONFIDENCE = 60.0

_DIGIT = re.compile("[0-9\u0660-\u0669\u06f0-\u06f9]")
# A number as Tesseract misreads it: digits mixed with separators and look-alike punctuation.
_DIGIT_TOKEN = re.compile("[0-9\u0660-\u0669\u06f0-\u06f9/\\\\.,:\\-|\\[\\]()\"'\u201c\u201d^]*"
                          "[0-9\u0660-\u0669\u06f0-\u06f9][0-9\u0660-\u0669\u06f0-\u06f9/\\\\.,:"
                          "\\-|\\[\\]()\"'\u201c\u201d^]*")


def is_digit_word(text: str) -> bool:
    """Return whether a word has digits and no letters, such as "5", "٠" or "12/3"."""
    cleaned = clean_word(text)
    return bool(_DIGIT.search(cleaned)) and not any(character.isalpha() for character in cleaned)


def digits_confirmed(page: Image.Image, word: Word) -> bool:
    """Return whether the digit templates find digits in the word's box on the prepared page."""
    runs = find_digit_runs(page.crop(_padded_box(page, word)), min_digits=1)
    return any(run.confidence >= MIN_CONFIRMING_CONFIDENCE for run in runs)


def reread_digits(page: Image.Image, words: list[Word]) -> list[Word]:
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
            replacement = _digit_reading(page, word)
            if replacement is not None:
                fixed[words.index(word)] = replacement
    return fixed


def _digit_reading(page: Image.Image, word: Word) -> Word | None:
    # Single digits are left to Tesseract: an alef or a dot on its own matches ١ or ٠ too well.
    tokens = [match for match in _DIGIT_TOKEN.finditer(word.text)
              if len(_DIGIT.findall(match.group())) >= 2]
    if not tokens:
        return None
    runs = find_digit_runs(page.crop(_padded_box(page, word)), min_digits=2)
    if not runs:
        return None

    number = max(runs, key=_run_width)
    token = max(tokens, key=lambda match: len(match.group()))
    text = word.text[: token.start()] + number.text + word.text[token.end():]
    return replace(word, text=text, confidence=max(word.confidence, number.confidence))


def _padded_box(page: Image.Image, word: Word) -> tuple[int, int, int, int]:
    pad = max(2, word.height // 4)
    return (max(0, word.left - pad), max(0, word.top - pad),
            min(page.width, word.right + pad), min(page.height, word.bottom + pad))


def _run_width(run: DigitRun) -> int:
    return run.right - run.left
