"""The search box syntax: words, quoted phrases, exclusions with a leading -, and OR.

Words and phrases are ANDed. ``OR`` (upper case) between two words or phrases makes either one
enough. A leading ``-`` excludes a word or phrase. Phrases may use ASCII double quotes, the
Arabic guillemets « » or typographic quotes. Any quote character closes a phrase opened by any
other, because keyboards and word processors mix them. An opening quote without a closing one
is rejected, never guessed.

Every word and phrase is analysed (search.analysis) here, so backends receive terms that match
the indexed ones. A word that analysis splits into several terms, such as 21/07/1996, becomes a
phrase of those terms.
"""

import logging
from dataclasses import dataclass

from archive_api.errors import N_, DiwanError
from search.analysis import analyze

logger = logging.getLogger(__name__)

MAX_QUERY_CHARS = 500
MAX_CLAUSES = 32

QUOTES = frozenset('"«»“”„‟″＂')
OR_KEYWORD = "OR"
EXCLUDE_PREFIX = "-"


class InvalidQuery(DiwanError):
    code = "invalid_query"


@dataclass(frozen=True)
class Clause:
    """One ANDed condition: a document matches when it contains any of the alternatives.

    Each alternative is a sequence of terms that must appear in this order, and a one-term
    sequence is a plain word. An excluded clause rejects documents that match it.
    """

    alternatives: tuple[tuple[str, ...], ...]
    excluded: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    """A search box query: the text as typed and its analysed clauses."""

    raw: str
    clauses: tuple[Clause, ...]

    @property
    def required(self) -> tuple[Clause, ...]:
        return tuple(clause for clause in self.clauses if not clause.excluded)

    @property
    def excluded(self) -> tuple[Clause, ...]:
        return tuple(clause for clause in self.clauses if clause.excluded)


@dataclass(frozen=True)
class _Operand:
    text: str
    excluded: bool
    is_or: bool = False


def _read_phrase(raw: str, start: int) -> tuple[str, int]:
    """Return the text between the quote at `start` and the next quote, and the index after it."""
    for index in range(start + 1, len(raw)):
        if raw[index] in QUOTES:
            return raw[start + 1 : index], index + 1

    raise InvalidQuery(
        N_(
            "The query has an opening quote %(quote)s without a closing one. Add the closing "
            "quote after the phrase, or remove the opening quote to search for the words alone."
        ),
        quote=raw[start],
    )


def _read_word(raw: str, start: int) -> tuple[str, int]:
    index = start
    while index < len(raw) and not raw[index].isspace() and raw[index] not in QUOTES:
        index += 1
    return raw[start:index], index


def _lex(raw: str) -> list[_Operand]:
    """Split the query into words, phrases and OR keywords, in order."""
    operands: list[_Operand] = []
    index = 0
    while index < len(raw):
        char = raw[index]
        if char.isspace():
            index += 1
            continue

        excluded = char == EXCLUDE_PREFIX and index + 1 < len(raw) and raw[index + 1] in QUOTES
        if excluded:
            index += 1
            char = raw[index]

        if char in QUOTES:
            text, index = _read_phrase(raw, index)
            operands.append(_Operand(text, excluded))
            continue

        word, index = _read_word(raw, index)
        if word == OR_KEYWORD:
            operands.append(_Operand(word, excluded=False, is_or=True))
        elif word.startswith(EXCLUDE_PREFIX):
            operands.append(_Operand(word[len(EXCLUDE_PREFIX) :], excluded=True))
        else:
            operands.append(_Operand(word, excluded=False))

    return operands


def _group(operands: list[_Operand]) -> list[list[_Operand]]:
    """Join operands linked by OR into groups. Every other operand forms a group of its own."""
    groups: list[list[_Operand]] = []
    expect_operand = True
    pending_or = False
    for operand in operands:
        if operand.is_or:
            if expect_operand:
                raise InvalidQuery(
                    N_(
                        "OR must stand between two words or phrases, as in: عقد OR contract. "
                        "Add a word on each side of OR, or write it in lower case to search "
                        "for the word itself."
                    )
                )
            expect_operand = True
            pending_or = True
            continue

        if pending_or:
            groups[-1].append(operand)
        else:
            groups.append([operand])
        expect_operand = False
        pending_or = False

    if pending_or:
        raise InvalidQuery(N_("The query ends with OR. Add a word or phrase after it, or remove it."))
    return groups


def _clause(group: list[_Operand]) -> Clause | None:
    """Analyse one group into a clause, or return None when no alternative has a term."""
    if len(group) > 1 and any(operand.excluded for operand in group):
        raise InvalidQuery(
            N_(
                "An excluded word (starting with -) cannot be part of OR. Exclude each word "
                "separately, as in: -draft -copy."
            )
        )

    alternatives = tuple(tuple(terms) for terms in (analyze(operand.text) for operand in group) if terms)
    if not alternatives:
        return None
    return Clause(alternatives=alternatives, excluded=group[0].excluded)


def _check_clauses(raw: str, clauses: list[Clause]) -> None:
    if not clauses:
        raise InvalidQuery(
            N_(
                "The query %(query)s contains no searchable word, only punctuation or "
                "symbols. Type at least one word or number."
            ),
            query=raw.strip(),
        )

    alternative_count = sum(len(clause.alternatives) for clause in clauses)
    if alternative_count > MAX_CLAUSES:
        raise InvalidQuery(
            N_(
                "The query has %(count)d words and phrases; the maximum is %(limit)d. "
                "Remove some words, or group several into a quoted phrase."
            ),
            count=alternative_count,
            limit=MAX_CLAUSES,
        )

    if all(clause.excluded for clause in clauses):
        raise InvalidQuery(
            N_(
                "The query only excludes words (each starts with -). Add at least one word "
                "to search for, as in: تقرير -مسودة."
            )
        )


def parse_query(text: str) -> ParsedQuery:
    """Parse and analyse a search box query, or raise InvalidQuery naming what to change."""
    if len(text) > MAX_QUERY_CHARS:
        raise InvalidQuery(
            N_(
                "The query is %(length)d characters long; the maximum is %(limit)d. "
                "Shorten it to the words that matter most."
            ),
            length=len(text),
            limit=MAX_QUERY_CHARS,
        )

    if not text.strip():
        raise InvalidQuery(N_("The query is empty. Type at least one word or number."))

    clauses = [clause for group in _group(_lex(text)) if (clause := _clause(group))]
    _check_clauses(text, clauses)
    return ParsedQuery(raw=text, clauses=tuple(clauses))
