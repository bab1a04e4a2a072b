"""Pages with little text: a second reading with Tesseract's sparse-text segmentation.

Automatic page segmentation (--psm 3) finds no text block on some pages that hold one short
line, and cuts other short lines into fragments that it reads as junk. Sparse-text segmentation
(--psm 11) looks for words anywhere on the page without a layout model, and reads such pages
well, but on full pages it loses the column and paragraph order. So a page is read sparsely
only when the first reading found few words, and the two readings are then compared.
"""

import logging
import statistics
from dataclasses import replace

from ocr.lines import group_lines
from ocr.tesseract import Word

logger = logging.getLogger(__name__)

# A first reading with fewer confident words than this is read again sparsely. A page of running
# text has hundreds, so the second pass costs time only on pages that are quick to read. Only
# confident words count, because a short line cut into fragments can give 20 words of junk.
MIN_CONFIDENT_WORDS = 20
CONFIDENT_WORD_MIN_CONFIDENCE = 80.0
# Mean word confidences closer than this count as equal, and the reading with more words wins.
# Measured on 128 rendered pages of one to three short lines, in Amiri and Noto Naskh Arabic
# at 12 to 20 pt, with 574 words in all. The first-pass readings that this rule kept had 90
# missing or extra words with a margin of 0 points, 92 with 3, 101 with 5 and 140 with 10.
# With --psm 3 alone there were 228, with --psm 11 alone 100. A small margin keeps the word
# count as the tie-break between equal means.
SAME_CONFIDENCE_MARGIN = 3.0
# Lines that only the other reading found are added from this mean confidence on.
MIN_ADDED_LINE_CONFIDENCE = 50.0
# Two lines of a sparse reading form one row when they overlap vertically by at least this
# share of the taller line's height.
SAME_ROW_OVERLAP_SHARE = 0.5


def needs_sparse_reading(words: list[Word]) -> bool:
    """Return whether a first reading found so few words that the page may hold unread text."""
    # TODO: a page with enough confident words elsewhere is not read again, so a lone short
    # field that automatic segmentation dropped (as it drops some signature lines) stays unread.
    confident = sum(1 for word in words if word.confidence >= CONFIDENT_WORD_MIN_CONFIDENCE)
    return confident < MIN_CONFIDENT_WORDS


def combine_readings(layout_words: list[Word], sparse_words: list[Word]) -> list[Word]:
    """Keep the better of two readings of a page and add the lines that only the other found.

    The better reading is the one with the higher mean word confidence. When the two means
    differ by SAME_CONFIDENCE_MARGIN points or less, it is the one with more words. The mean
    decides first because a reading that cuts a line into fragments has more words, each read
    with less confidence. A line of the other reading is added when none of its word boxes
    overlaps a kept word, as with a short field that only one segmentation found.
    """
    better, other = _rank(layout_words, sparse_words)
    added = [line for line in group_lines(other)
             if _mean_confidence(line) >= MIN_ADDED_LINE_CONFIDENCE
             and not any(_overlaps(word, kept_word) for word in line for kept_word in better)]
    logger.debug("sparse reading: kept the %s reading of %d words, added %d lines",
                 "sparse" if better is sparse_words else "layout", len(better), len(added))

    if better is sparse_words:
        lines = _rows(group_lines(better) + added)
    elif added:
        lines = group_lines(better)
        for line in added:
            _insert_by_height(lines, line)
    else:
        return better
    # Every line gets a block of its own, so that lines from the two readings keep apart.
    return [replace(word, block=number, paragraph=1, line=1)
            for number, line in enumerate(lines, start=1) for word in line]


def _rows(lines: list[list[Word]]) -> list[list[Word]]:
    """Join lines that share a row, order rows top to bottom and words left to right.

    Sparse segmentation returns lines in no reading order, splits one row into several lines
    where words stand far apart, and may list a row's words in either direction.
    ocr.lines.order_logically later turns each row from left-to-right into reading order.
    """
    rows: list[list[Word]] = []
    for line in sorted(lines, key=_vertical_centre):
        if rows and _same_row(rows[-1], line):
            rows[-1].extend(line)
        else:
            rows.append(list(line))
    return [sorted(row, key=lambda word: word.left + word.right) for row in rows]


def _same_row(first: list[Word], second: list[Word]) -> bool:
    top = max(min(word.top for word in first), min(word.top for word in second))
    bottom = min(max(word.bottom for word in first), max(word.bottom for word in second))
    # The taller line's height, so that a row of harakat above a line stays a line of its own.
    taller = max(_height(first), _height(second))
    return bottom - top >= SAME_ROW_OVERLAP_SHARE * taller


def _insert_by_height(lines: list[list[Word]], line: list[Word]) -> None:
    """Insert a line before the first line that lies lower on the page."""
    centre = _vertical_centre(line)
    for index, other in enumerate(lines):
        if _vertical_centre(other) > centre:
            lines.insert(index, line)
            return
    lines.append(line)


def _rank(first: list[Word], second: list[Word]) -> tuple[list[Word], list[Word]]:
    first_mean, second_mean = _mean_confidence(first), _mean_confidence(second)
    if abs(first_mean - second_mean) <= SAME_CONFIDENCE_MARGIN:
        return (first, second) if len(first) >= len(second) else (second, first)
    return (first, second) if first_mean > second_mean else (second, first)


def _overlaps(first: Word, second: Word) -> bool:
    return (min(first.right, second.right) > max(first.left, second.left)
            and min(first.bottom, second.bottom) > max(first.top, second.top))


def _height(line: list[Word]) -> int:
    return max(word.bottom for word in line) - min(word.top for word in line)


def _vertical_centre(line: list[Word]) -> float:
    return (min(word.top for word in line) + max(word.bottom for word in line)) / 2


def _mean_confidence(words: list[Word]) -> float:
    confidences = [word.confidence for word in words if word.confidence >= 0]
    return statistics.fmean(confidences) if confidences else 0.0
