"""Normalisation of Arabic, Persian and Latin text before tokenisation.

Both indexed text and queries pass through `normalize`, so spelling variants that readers treat
as the same word (hamza forms of alef, taa marbuta and haa, diacritics, tatweel, Persian letter
shapes, Arabic-Indic digits, presentation forms) meet in one form.

`normalize_with_offsets` produces the same text together with the original position of every
output character, which the highlighter needs to mark words as they were written.
"""

import logging
import unicodedata

logger = logging.getLogger(__name__)

ALEF = "\u0627"
YEH = "\u064a"
HEH = "\u0647"
WAW = "\u0648"
KAF = "\u0643"

# Harakat, tanween, shadda, sukun, superscript alef, Quranic annotation marks and the
# extended-Arabic marks, all of which readers skip when comparing words.
_DIACRITIC_RANGES = (
    (0x0610, 0x061A),
    (0x064B, 0x065F),
    (0x0670, 0x0670),
    # Left after NFKC splits high-hamza letters (U+0675 to U+0678) into letter and mark.
    (0x0674, 0x0674),
    (0x06D6, 0x06DC),
    (0x06DF, 0x06E8),
    (0x06EA, 0x06ED),
    (0x08D3, 0x08E1),
    (0x08E3, 0x08FF),
)

# Invisible characters that change display but not the word: tatweel, bidi marks and
# embeddings, zero-width joiners, soft hyphen and the byte order mark.
_INVISIBLE = (
    "\u0640"  # tatweel
    "\u061c"  # arabic letter mark
    "\u200e\u200f"  # left-to-right and right-to-left marks
    "\u202a\u202b\u202c\u202d\u202e"  # embeddings, pop and overrides
    "\u2066\u2067\u2068\u2069"  # isolates
    "\u200c\u200d"  # zero-width non-joiner and joiner
    "\u00ad"  # soft hyphen
    "\ufeff"  # byte order mark
)

_LETTER_MAP = {
    # Alef with hamza above or below, madda, wasla and wavy hamza forms.
    "\u0622": ALEF,
    "\u0623": ALEF,
    "\u0625": ALEF,
    "\u0671": ALEF,
    "\u0672": ALEF,
    "\u0673": ALEF,
    # Alef maqsura, yeh with hamza and the Persian, Urdu and Pashto yeh shapes.
    "\u0649": YEH,
    "\u0626": YEH,
    "\u06cc": YEH,
    "\u06cd": YEH,
    "\u06ce": YEH,
    "\u06d0": YEH,
    "\u06d2": YEH,
    "\u06d3": YEH,
    # Taa marbuta and the heh shapes of Persian and Urdu.
    "\u0629": HEH,
    "\u06c0": HEH,
    "\u06c1": HEH,
    "\u06c3": HEH,
    "\u06be": HEH,
    "\u06d5": HEH,
    # Waw with hamza.
    "\u0624": WAW,
    # Persian keheh and swash kaf.
    "\u06a9": KAF,
    "\u06aa": KAF,
    # Greek final sigma, so that lowercasing gives the same letter whatever follows it.
    "\u03c2": "\u03c3",
    # A zero-width space separates words, so it becomes a real space.
    "\u200b": " ",
}

# Code points scanned when building the digit table: the BMP and the supplementary planes
# that contain scripts. Planes 4 to 13 are unassigned.
_SCANNED_CODE_POINTS = 0x40000


def _build_translation_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for start, end in _DIACRITIC_RANGES:
        for code_point in range(start, end + 1):
            table[code_point] = None

    for char in _INVISIBLE:
        table[ord(char)] = None

    for source, target in _LETTER_MAP.items():
        table[ord(source)] = target

    # Every decimal digit of every script (Arabic-Indic, Eastern Arabic-Indic, Devanagari, ...)
    # becomes its ASCII digit, so ٢٠١٩ and ۲۰۱۹ are both 2019.
    for code_point in range(0x80, _SCANNED_CODE_POINTS):
        char = chr(code_point)
        if unicodedata.category(char) == "Nd":
            table[code_point] = str(unicodedata.decimal(char))

    return table


_TABLE = _build_translation_table()


def normalize(text: str) -> str:
    """Return text in the one spelling that indexing and querying compare.

    NFKC first turns presentation forms and ligatures (U+FB50 to U+FDFF, U+FE70 to U+FEFF,
    lam-alef) into plain letters and fullwidth Latin into ASCII. Lowercasing comes next
    because NFKC can produce capitals, and the table last so that its output stays final.
    The function is idempotent.
    """
    text = unicodedata.normalize("NFKC", text)
    text = text.lower()
    return text.translate(_TABLE)


def split_clusters(text: str) -> list[tuple[int, int]]:
    """Return the (start, end) span of each base character with its combining marks."""
    spans: list[tuple[int, int]] = []
    start = 0
    for index in range(1, len(text) + 1):
        if index < len(text) and unicodedata.category(text[index]).startswith("M"):
            continue
        spans.append((start, index))
        start = index
    return spans


def normalize_with_offsets(text: str) -> tuple[str, list[tuple[int, int]]]:
    """Normalise text cluster by cluster and return the original span of each output char.

    Normalising clusters separately gives the same string as `normalize` because NFKC only
    composes a base character with the marks that follow it, and the table maps the
    context-dependent final sigma away. Conjoining Hangul jamo are the known exception.
    """
    pieces: list[str] = []
    origins: list[tuple[int, int]] = []
    for start, end in split_clusters(text):
        piece = normalize(text[start:end])
        pieces.append(piece)
        origins.extend([(start, end)] * len(piece))
    return "".join(pieces), origins
