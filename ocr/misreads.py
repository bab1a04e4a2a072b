"""Arabic words that Tesseract's ara+eng misread as Latin junk or as lone digits, read again.

With ara+eng, Tesseract reads some Arabic words as short Latin gibberish ("Cho", "il", "ey"),
heavily vowelled words most of all, and reads dots, harakat and parts of letters as lone
digits. In lines that are mostly Arabic, such words are read again with `ara` alone, each
together with the word on either side: on the test pages, a crop of the word alone came back
as junk more often. All of a page's re-reads share one Tesseract call.
"""

import logging
import re
import statistics
from dataclasses import dataclass, replace
from pathlib import Path

from PIL import Image

from ocr.crops import save_crops
from ocr.lines import group_lines, reads_left_to_right
from ocr.numbers import digits_confirmed, is_digit_word
from ocr.postprocess import count_scripts
from ocr.preprocess import PreparedPage
from ocr.tesseract import Word, read_words

logger = logging.getLogger(__name__)

# Latin words on an Arabic line read with less confidence than this are read again as Arabic.
# Real English words of four or more letters in the test pages scored 88 and above.
LATIN_RECHECK_BELOW = 88.0
# Latin words of at most this many letters are read again whatever their confidence, because
# misread Arabic words such as "Jol" (for أول) and "UG" scored up to 90.
SHORT_LATIN_LETTERS = 3
# An Arabic re-reading replaces the original from this confidence on, or when it scores higher.
# The Latin readings it replaces are mostly gibberish even at confidence 70 to 85.
MIN_ARABIC_REREAD_CONFIDENCE = 50.0
# Room above and below a window's words in its crop, as a share of their height, and the two
# crops of a window in a vowelled line. Little room keeps rows of harakat out of the crop.
PAD_SHARE = 0.1
VOWELLED_PAD_SHARES = (0.1, 0.25)
# NOTE: of 24 rendered fully vowelled lines (Amiri and Noto Naskh Arabic), 2 came out exact.
# Harakat still make Tesseract split most such lines into fragments that no re-read repairs.
# Re-read words lower than this share of the suspect words' height are specks or harakat:
# the dot of a neighbouring letter at a crop's edge came back as ٠.
MIN_REREAD_HEIGHT_SHARE = 0.3

_HARAKAT = re.compile("[\u064b-\u0652]")


@dataclass(frozen=True)
class _Suspects:
    """Consecutive suspect words of one line, read again with one word on either side."""

    words: list[Word]
    window: list[Word]
    left_to_right: bool  # whether the line lists its words from left to right
    vowelled: bool  # whether Tesseract read harakat anywhere in the line


def reread_misread_words(
    prepared: PreparedPage, words: list[Word], languages: str, workdir: Path, timeout_s: float
) -> list[Word]:
    """Read suspect words in mostly Arabic lines again with `ara`, and drop invented digits.

    A suspect is a Latin-looking word with low confidence or few letters, or a digit-only word
    whose box the digit templates do not confirm. A suspect is replaced when the Arabic
    re-reading of its place finds only Arabic words, with enough confidence. Otherwise a
    Latin word stays as it was, since it may be real English, and a digit-only word is dropped.
    """
    if "ara" not in languages.split("+"):
        return words
    arabic, latin = count_scripts(" ".join(word.text for word in words))
    if arabic <= latin:
        return words

    groups = [group for line in group_lines(words) for group in _suspect_groups(prepared, line)]
    if not groups:
        return words

    # Each window is one crop, and in vowelled lines two: with little and with more room above
    # and below. Vowelled words came out right in one crop and wrong in the other, in either
    # order, so the reading that Tesseract trusts more is used.
    crops = [(index, share) for index, group in enumerate(groups)
             for share in (VOWELLED_PAD_SHARES if group.vowelled else (PAD_SHARE,))]
    listing, origins = save_crops(prepared, [groups[index].window for index, _ in crops],
                                  [share for _, share in crops], workdir, "reread")
    rereads = read_words(listing, "ara", page_segmentation=7, timeout_s=timeout_s)

    readings: list[list[list[Word]]] = [[] for _ in groups]
    for number, (index, _) in enumerate(crops, start=1):
        origin = origins[number - 1]
        readings[index].append([_moved(word, origin) for word in rereads if word.page == number])

    replacements: dict[int, list[Word]] = {}
    for group, group_readings in zip(groups, readings, strict=True):
        for original, replacement in _resolve(group, group_readings):
            replacements[id(original)] = replacement

    fixed = []
    for word in words:
        fixed.extend(replacements.get(id(word), [word]))
    logger.debug("re-read %d groups of suspect words as Arabic, %d words before, %d after",
                 len(groups), len(words), len(fixed))
    return fixed


def _suspect_groups(prepared: PreparedPage, line: list[Word]) -> list[_Suspects]:
    arabic, latin = count_scripts(" ".join(word.text for word in line))
    if arabic <= latin:
        return []

    flags = [_is_suspect(prepared.image, word) for word in line]
    left_to_right = reads_left_to_right(line)
    vowelled = any(_HARAKAT.search(word.text) for word in line)
    groups = []
    start = None
    for index, flag in enumerate([*flags, False]):
        if flag and start is None:
            start = index
        elif not flag and start is not None:
            window = line[max(0, start - 1): index + 1]
            groups.append(_Suspects(words=line[start:index], window=window,
                                    left_to_right=left_to_right, vowelled=vowelled))
            start = None
    return groups


def _is_suspect(page: Image.Image, word: Word) -> bool:
    arabic, latin = count_scripts(word.text)
    if latin and not arabic:
        return word.confidence < LATIN_RECHECK_BELOW or latin <= SHORT_LATIN_LETTERS
    if is_digit_word(word.text):
        return not digits_confirmed(page, word)
    return False


def _resolve(group: _Suspects, readings: list[list[Word]]) -> list[tuple[Word, list[Word]]]:
    """Pair each suspect word with the words that replace it; an empty list drops it."""
    candidates = [_over_suspects(group, found) for found in readings]
    accepted = [words for words in candidates if _is_better_arabic(words, group.words)]
    if accepted:
        best = max(accepted, key=_mean_confidence)
        return [(group.words[0], best)] + [(word, []) for word in group.words[1:]]

    # Latin words stay, since they may be real English. Digits that neither the templates nor
    # the Arabic re-reading explain are taken as invented by Tesseract.
    return [(word, []) for word in group.words if is_digit_word(word.text)]


def _over_suspects(group: _Suspects, found: list[Word]) -> list[Word]:
    """Return the re-read words that lie over the suspects, placed in the suspects' line.

    The window contains the neighbours too, so a word counts when at least half its width lies
    between the suspects' outer edges. The words follow the line's direction, which is
    left to right in the rows of a sparse reading.
    """
    left = min(word.left for word in group.words)
    right = max(word.right for word in group.words)
    min_height = MIN_REREAD_HEIGHT_SHARE * max(word.height for word in group.words)
    inside = [word for word in found
              if min(word.right, right) - max(word.left, left) >= word.width / 2
              and word.height >= min_height]

    anchor = group.words[0]
    placed = [replace(word, page=anchor.page, block=anchor.block, paragraph=anchor.paragraph,
                      line=anchor.line) for word in inside]
    return sorted(placed, key=lambda word: word.left + word.right,
                  reverse=not group.left_to_right)


def _is_better_arabic(rereads: list[Word], originals: list[Word]) -> bool:
    # Every word must be Arabic letters only: the real English word "R" came back as "ج1" and
    # as "12", and neighbours' edges add Arabic words next to such junk.
    if not rereads or not all(_is_arabic_word(word.text) for word in rereads):
        return False
    confidence = _mean_confidence(rereads)
    return confidence >= min(MIN_ARABIC_REREAD_CONFIDENCE, _mean_confidence(originals))


def _is_arabic_word(text: str) -> bool:
    arabic, latin = count_scripts(text)
    return arabic > 0 and not latin and not any(character.isdigit() for character in text)


def _moved(word: Word, origin: tuple[int, int]) -> Word:
    """Move a re-read word from crop to page coordinates."""
    return replace(word, left=origin[0] + word.left, top=origin[1] + word.top)


def _mean_confidence(words: list[Word]) -> float:
    confidences = [word.confidence for word in words if word.confidence >= 0]
    return statistics.fmean(confidences) if confidences else 0.0
