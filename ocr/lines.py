"""Grouping Tesseract's words into lines and putting mixed Arabic/Latin lines in logical order.

Tesseract returns pure Arabic lines in logical order, but a line with both scripts can come
back in visual order, read left to right as if it were an English line. The reading order of
such a line follows from the word boxes and the base direction (the Unicode bidirectional
algorithm applied at word level): in a right-to-left line the runs of words go from right to
left, while a run of Latin words inside it reads from left to right.
"""

import logging
from collections.abc import Iterable

from ocr.postprocess import clean_word, count_scripts, is_only_marks
from ocr.tesseract import Word

logger = logging.getLogger(__name__)


def group_lines(words: Iterable[Word]) -> list[list[Word]]:
    """Split words into lines by Tesseract's page, block, paragraph and line numbers."""
    lines: dict[tuple[int, int, int, int], list[Word]] = {}
    for word in words:
        lines.setdefault(word.line_key, []).append(word)
    return list(lines.values())


def order_logically(words: list[Word], right_to_left: bool) -> list[Word]:
    """Return a line's words in logical order.

    Single-script lines keep Tesseract's order unless an Arabic line evidently runs left to
    right, as the rows of a sparse reading do (ocr.sparse) and as lines whose Latin junk was
    read again as Arabic may.
    """
    arabic, latin = count_scripts(" ".join(word.text for word in words))
    if arabic and not latin:
        if reads_left_to_right(words):
            return sorted(words, key=lambda word: word.left + word.right, reverse=True)
        return words
    if not (arabic and latin):
        return words
    # Arabic word boxes from Tesseract can span their neighbours, so the boxes only decide the
    # order when Tesseract evidently read the line in the wrong direction.
    if reads_left_to_right(words) != right_to_left:
        return words

    visual = sorted(words, key=lambda word: word.left + word.right, reverse=right_to_left)
    runs: list[list[Word]] = []
    for word in visual:
        ltr = _is_left_to_right(word)
        if runs and _is_left_to_right(runs[-1][0]) == ltr:
            runs[-1].append(word)
        else:
            runs.append([word])

    ordered = []
    for run in runs:
        opposite = _is_left_to_right(run[0]) == right_to_left
        ordered.extend(reversed(run) if opposite else run)
    return ordered


def line_text(words: list[Word]) -> str:
    """Join the cleaned words of one line with single spaces, leaving out marks-only words."""
    cleaned = (clean_word(word.text) for word in words)
    return " ".join(text for text in cleaned if text and not is_only_marks(text))


def reads_left_to_right(words: list[Word]) -> bool:
    """Return whether most consecutive words, in list order, step to the right on the page."""
    steps = [second.left + second.right - first.left - first.right
             for first, second in zip(words, words[1:], strict=False)]
    return sum(step > 0 for step in steps) > sum(step < 0 for step in steps)


def _is_left_to_right(word: Word) -> bool:
    arabic, latin = count_scripts(word.text)
    return latin > arabic
