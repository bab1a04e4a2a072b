"""Matching pages and an HTML snippet for one search hit.

Matching compares analysed terms, so الـمـدرسـة matches a query for مدرسة, but the snippet shows
the words as written, diacritics included. Backends only return ids, so the service layer calls
`highlight` with the page texts of each hit it displays.
"""

import bisect
import html
import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from search.analysis import Token, analyze, analyze_with_offsets
from search.query import Clause, ParsedQuery

logger = logging.getLogger(__name__)

DEFAULT_WINDOW_TERMS = 30
ELLIPSIS = "…"

# Embedding, override and isolate controls cut out of the middle of a page could stay
# unbalanced and reorder the text around the snippet, so the snippet drops them. The plain
# marks (LRM, RLM, ALM) only affect their neighbours and stay.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Highlight:
    """The 1-based numbers of the pages a hit matched on, and an HTML-safe snippet.

    The snippet keeps the text in logical order. Show it in an element with dir="auto", so
    that Arabic and English snippets both read in their own direction.
    """

    pages: tuple[int, ...]
    snippet: str


@dataclass(frozen=True)
class _Match:
    start: int  # index of the first term
    end: int  # index after the last term
    clause: int  # index into the query's required clauses


def _find_sequence(terms: list[str], positions: dict[str, list[int]], sequence: tuple[str, ...]) -> Iterator[int]:
    for start in positions.get(sequence[0], ()):
        if tuple(terms[start : start + len(sequence)]) == sequence:
            yield start


def _find_matches(terms: list[str], clauses: Sequence[Clause]) -> list[_Match]:
    """Return every occurrence of every alternative of the clauses, sorted by position."""
    positions: dict[str, list[int]] = {}
    for index, term in enumerate(terms):
        positions.setdefault(term, []).append(index)

    matches: list[_Match] = []
    for clause_index, clause in enumerate(clauses):
        for sequence in clause.alternatives:
            for start in _find_sequence(terms, positions, sequence):
                matches.append(_Match(start, start + len(sequence), clause_index))

    matches.sort(key=lambda match: (match.start, match.end))
    return matches


def _best_window(matches: list[_Match], term_count: int, size: int) -> tuple[int, int, int]:
    """Return (score, start, end) of the window of `size` terms with the most clauses.

    Windows start a third of their size before a match, so the match has context on both
    sides. The score is the number of distinct clauses matched inside the window. The search
    stops at the first window that contains every clause the page matches.
    """
    best = (0, 0, min(size, term_count))
    page_clauses = len({match.clause for match in matches})
    starts = [match.start for match in matches]
    for anchor in matches:
        start = max(0, min(anchor.start - size // 3, term_count - size))
        end = min(term_count, start + size)
        inside = matches[bisect.bisect_left(starts, start) : bisect.bisect_left(starts, end)]
        clauses = {match.clause for match in inside if match.end <= end}
        if len(clauses) > best[0]:
            best = (len(clauses), start, end)
        if best[0] == page_clauses:
            break
    return best


def _expand_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a span to whole whitespace-separated words, so punctuation stays attached."""
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    return start, end


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _render(text: str) -> str:
    text = _BIDI_CONTROLS.sub("", text)
    return html.escape(_WHITESPACE.sub(" ", text))


def _snippet(page: str, tokens: list[Token], window: tuple[int, int], matches: list[_Match]) -> str:
    """Return the escaped window of the page with every match inside it wrapped in <mark>."""
    first, last = window
    if first >= last:
        return ""

    start, end = _expand_to_words(page, tokens[first].start, tokens[last - 1].end)
    marks = _merge(
        [
            (tokens[match.start].start, tokens[match.end - 1].end)
            for match in matches
            if match.start >= first and match.end <= last
        ]
    )

    parts: list[str] = []
    if page[:start].strip():
        parts.append(ELLIPSIS + " ")

    cursor = start
    for mark_start, mark_end in marks:
        parts.append(_render(page[cursor:mark_start]))
        parts.append(f"<mark>{_render(page[mark_start:mark_end])}</mark>")
        cursor = mark_end
    parts.append(_render(page[cursor:end]))

    if page[end:].strip():
        parts.append(" " + ELLIPSIS)

    return "".join(parts).strip()


def highlight(pages: Sequence[str], query: ParsedQuery, window_terms: int = DEFAULT_WINDOW_TERMS) -> Highlight:
    """Find the pages that match the query and build a snippet around the best match.

    A page matches when it contains any required word, or any required phrase with its
    terms in order. The snippet comes from the page whose best window of `window_terms`
    terms covers the most clauses (the first such page on a tie). Without any match, the
    snippet is the start of the first page that has text, without marks.
    """
    required = query.required
    matching_pages: list[int] = []
    best: tuple[int, int] | None = None  # (score, page index)
    for page_index, page in enumerate(pages):
        terms = analyze(page)
        matches = _find_matches(terms, required)
        if not matches:
            continue

        matching_pages.append(page_index + 1)
        score = _best_window(matches, len(terms), window_terms)[0]
        if best is None or score > best[0]:
            best = (score, page_index)

    if best is None:
        return Highlight(pages=(), snippet=_opening(pages, window_terms))

    page = pages[best[1]]
    tokens = analyze_with_offsets(page)
    matches = _find_matches([token.term for token in tokens], required)
    _, first, last = _best_window(matches, len(tokens), window_terms)
    return Highlight(pages=tuple(matching_pages), snippet=_snippet(page, tokens, (first, last), matches))


def _opening(pages: Sequence[str], window_terms: int) -> str:
    for page in pages:
        tokens = analyze_with_offsets(page)
        if tokens:
            return _snippet(page, tokens, (0, min(window_terms, len(tokens))), [])
    return ""
