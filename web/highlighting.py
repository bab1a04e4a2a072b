"""Marking the words of a search in the full text of a page, line breaks kept.

Matching compares analysed terms (search.analysis), as the search engine and the snippets of
search.highlight do, so the page view marks the same words in any spelling variant. The
snippet builder of search.highlight collapses whitespace and cuts the text to a window, so the
page view marks the text itself.
"""

from markupsafe import Markup, escape

from search.analysis import Token, analyze_with_offsets
from search.query import ParsedQuery


def _match_spans(tokens: list[Token], query: ParsedQuery) -> list[tuple[int, int]]:
    """Return the character spans of every word or phrase of the query's required clauses."""
    terms = [token.term for token in tokens]
    spans = []
    for clause in query.required:
        for sequence in clause.alternatives:
            length = len(sequence)
            for start in range(len(terms) - length + 1):
                if tuple(terms[start : start + length]) == sequence:
                    spans.append((tokens[start].start, tokens[start + length - 1].end))
    return sorted(spans)


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def mark_page_text(text: str, query: ParsedQuery | None) -> Markup:
    """Return the page text escaped, with each match wrapped in <mark>."""
    if query is None or not text:
        return escape(text)

    parts: list[Markup] = []
    cursor = 0
    for start, end in _merged(_match_spans(analyze_with_offsets(text), query)):
        parts.append(escape(text[cursor:start]))
        parts.append(Markup("<mark>%s</mark>") % text[start:end])
        cursor = end
    parts.append(escape(text[cursor:]))
    return Markup("").join(parts)
