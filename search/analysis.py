"""Text analysis shared by indexing, querying and highlighting: normalise, tokenise, stem.

A token is a maximal run of one character class of the normalised text: ASCII digits, Arabic
letters, or letters of any other script (with their combining marks). Splitting where the class
changes keeps ١٩٩٦م apart as 1996 and م, and a date such as ٢١/٠٧/١٩٩٦ gives 21, 07 and 1996.
Every backend indexes exactly these tokens, so Tantivy and Elasticsearch match the same way.
"""

import functools
import logging
import re
import unicodedata
from dataclasses import dataclass

from search.arabic import normalize, normalize_with_offsets
from search.stemmer import stem

logger = logging.getLogger(__name__)

# Longer tokens are cut to this many characters after stemming. A term then has at most 400
# bytes of UTF-8 whatever OCR produces, far below Lucene's limit of 32,766 bytes per term,
# which Elasticsearch enforces.
MAX_TOKEN_CHARS = 100

_ARABIC_BLOCKS = ((0x0600, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF))
_SCANNED_CODE_POINTS = 0x40000


@dataclass(frozen=True)
class Token:
    """An analysed term and the span of the original text it came from."""

    term: str
    start: int
    end: int


def _in_arabic_block(code_point: int) -> bool:
    return any(start <= code_point <= end for start, end in _ARABIC_BLOCKS)


def _character_class(code_points: list[int]) -> str:
    """Return a regex character class body that matches exactly the given code points."""
    parts: list[str] = []
    index = 0
    while index < len(code_points):
        first = code_points[index]
        last = first
        while index + 1 < len(code_points) and code_points[index + 1] == last + 1:
            index += 1
            last = code_points[index]
        parts.append(re.escape(chr(first)) if first == last else f"{re.escape(chr(first))}-{re.escape(chr(last))}")
        index += 1
    return "".join(parts)


def _build_token_pattern() -> re.Pattern[str]:
    """Compile the token pattern: ASCII digits, Arabic letters, or other letters and marks.

    Other scripts are matched as word characters outside the Arabic blocks, which the regex
    engine tests without a large class. Only their combining marks need an explicit class.
    """
    arabic: list[int] = []
    marks: list[int] = []
    for code_point in range(_SCANNED_CODE_POINTS):
        category = unicodedata.category(chr(code_point))
        if _in_arabic_block(code_point) and category[0] in "LM":
            arabic.append(code_point)
        elif not _in_arabic_block(code_point) and category[0] == "M":
            marks.append(code_point)

    arabic_blocks = "".join(f"{chr(start)}-{chr(end)}" for start, end in _ARABIC_BLOCKS)
    other_letter = f"[^\\W\\d_{arabic_blocks}]"
    return re.compile(f"[0-9]+|[{_character_class(arabic)}]+|(?:{other_letter}|[{_character_class(marks)}])+")


_TOKEN_PATTERN = _build_token_pattern()


# Word frequencies are skewed, so a cache of surface forms saves most of the stemming work.
@functools.lru_cache(maxsize=200_000)
def _term(surface: str) -> str:
    return stem(surface)[:MAX_TOKEN_CHARS]


def analyze(text: str) -> list[str]:
    """Return the index terms of a text in order: normalised, split by class, stemmed."""
    normalized = normalize(text)
    return [_term(surface) for surface in _TOKEN_PATTERN.findall(normalized)]


def analyze_with_offsets(text: str) -> list[Token]:
    """Return the same terms as `analyze`, each with its span in the original text."""
    normalized, origins = normalize_with_offsets(text)
    tokens: list[Token] = []
    for match in _TOKEN_PATTERN.finditer(normalized):
        start = origins[match.start()][0]
        end = origins[match.end() - 1][1]
        tokens.append(Token(_term(match.group()), start, end))
    return tokens
