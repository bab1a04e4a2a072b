"""Text clean-up after Tesseract: bidi marks, noise lines, whitespace, logical word order.

Tesseract wraps Latin words in Arabic lines in LRM/RLM marks and sometimes returns a line made
only of diacritics or specks. The functions here make each line searchable text in logical
order. character_error_rate() measures OCR quality against a ground-truth transcription.
"""

import logging
import re
import unicodedata

logger = logging.getLogger(__name__)

# LRM, RLM, ALM, the embeddings and overrides (LRE..RLO), the isolates (LRI..PDI), zero-width
# space and the byte order mark. ZWNJ and ZWJ stay: they change how Persian and Urdu words join.
_BIDI_CONTROLS = re.compile("[\u200b\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069\ufeff]")
_ARABIC_MARKS = re.compile("[\u064b-\u0652\u0670\u0640]")
_ASCII_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def strip_bidi_controls(text: str) -> str:
    return _BIDI_CONTROLS.sub("", text)


def normalise_whitespace(text: str) -> str:
    """Collapse runs of spaces and tabs inside each line and drop blank lines."""
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def strip_arabic_diacritics(text: str) -> str:
    """Remove harakat (U+064B-U+0652), the dagger alef (U+0670) and tatweel (U+0640)."""
    return _ARABIC_MARKS.sub("", text)


def to_ascii_digits(text: str) -> str:
    """Replace Arabic-Indic and Persian digits with 0-9."""
    return text.translate(_ASCII_DIGITS)


def clean_word(text: str) -> str:
    """Return a word without bidi controls, in NFKC form (presentation forms become letters)."""
    return unicodedata.normalize("NFKC", strip_bidi_controls(text)).strip()


def has_content(text: str) -> bool:
    """Whether the text has a letter or digit, not only marks, punctuation and symbols."""
    return any(unicodedata.category(character)[0] in "LN" for character in text)


def is_only_marks(text: str) -> bool:
    """Whether the text is made only of combining marks (harakat, shadda) and tatweel."""
    return all(unicodedata.category(character)[0] == "M" or character == "\u0640"
               for character in text)


def is_arabic_letter(character: str) -> bool:
    return unicodedata.category(character) == "Lo" and "ARABIC" in unicodedata.name(character, "")


def is_latin_letter(character: str) -> bool:
    return character.isascii() and character.isalpha()


def count_scripts(text: str) -> tuple[int, int]:
    """Return the numbers of Arabic and of Latin letters in the text."""
    arabic = sum(1 for character in text if is_arabic_letter(character))
    latin = sum(1 for character in text if is_latin_letter(character))
    return arabic, latin


def character_error_rate(reference: str, hypothesis: str) -> float:
    """Return the edit distance between the texts divided by the reference length.

    Insertions, deletions and substitutions of single characters all cost one. The texts are
    compared as given, so normalise whitespace first if line breaks should not count.
    """
    if not reference:
        return float(len(hypothesis) > 0)
    return edit_distance(reference, hypothesis) / len(reference)


def edit_distance(first: str, second: str) -> int:
    """Return the Levenshtein distance, using Myers's bit-parallel algorithm on Python integers.

    Each character of `second` costs a few big-integer operations on len(first) bits, so a
    comparison of two 5,000-character pages takes milliseconds rather than seconds.
    """
    if not first:
        return len(second)

    length = len(first)
    full = (1 << length) - 1
    last = 1 << (length - 1)
    masks: dict[str, int] = {}
    for index, character in enumerate(first):
        masks[character] = masks.get(character, 0) | (1 << index)

    # Bit i of positive (negative) is set when row i+1 of the current column is one more (one
    # less) than row i: the column of the distance table kept as vertical differences.
    positive, negative, distance = full, 0, length
    for character in second:
        match = masks.get(character, 0)
        vertical = match | negative
        horizontal = (((match & positive) + positive) ^ positive) | match
        horizontal_positive = negative | (~(horizontal | positive) & full)
        horizontal_negative = positive & horizontal

        if horizontal_positive & last:
            distance += 1
        elif horizontal_negative & last:
            distance -= 1

        # The top row of the table grows by one per character, so a +1 enters at bit 0.
        horizontal_positive = ((horizontal_positive << 1) | 1) & full
        horizontal_negative = (horizontal_negative << 1) & full
        positive = horizontal_negative | (~(vertical | horizontal_positive) & full)
        negative = horizontal_positive & vertical
    return distance
