"""Query syntax: words, phrases, exclusions, OR, and the queries that are rejected."""

import pytest

from archive_api.errors import DiwanError
from search.query import (
    MAX_CLAUSES,
    MAX_QUERY_CHARS,
    Clause,
    InvalidQuery,
    ParsedQuery,
    parse_query,
)


def word(term: str, excluded: bool = False) -> Clause:
    return Clause(alternatives=((term,),), excluded=excluded)


def test_words_are_separate_clauses():
    query = parse_query("مدرسة employees")
    assert query.clauses == (word("مدرس"), word("employe"))


def test_raw_text_kept():
    assert parse_query("  المدرسة  ").raw == "  المدرسة  "


def test_parsed_query_frozen():
    query = parse_query("x")
    with pytest.raises(AttributeError):
        query.raw = "y"


def test_parsed_query_hashable():
    assert hash(parse_query("x")) == hash(parse_query("x"))


def test_ascii_phrase():
    query = parse_query('"صدر القرار"')
    assert query.clauses == (Clause(alternatives=(("صدر", "قرار"),)),)


@pytest.mark.parametrize(
    "text",
    ["«صدر القرار»", "»صدر القرار«", "“صدر القرار”", "„صدر القرار“", '"صدر القرار”', "＂صدر القرار＂"],
)
def test_phrase_quote_styles(text):
    assert parse_query(text).clauses == (Clause(alternatives=(("صدر", "قرار"),)),)


def test_phrase_next_to_word():
    query = parse_query('تقرير"صدر القرار"سنوي')
    assert query.clauses == (
        word("تقرير"),
        Clause(alternatives=(("صدر", "قرار"),)),
        word("سنو"),
    )


def test_split_word_becomes_phrase():
    query = parse_query("٢١/٠٧/١٩٩٦م")
    assert query.clauses == (Clause(alternatives=(("21", "07", "1996", "م"),)),)


def test_excluded_word():
    query = parse_query("مدرسة -ابتدائية")
    assert query.clauses == (word("مدرس"), word("ابتدا", excluded=True))


def test_excluded_phrase():
    query = parse_query('تقرير -"مسودة أولى"')
    assert query.excluded == (Clause(alternatives=(("مسود", "اول"),), excluded=True),)


def test_required_and_excluded_split():
    query = parse_query("a -b c")
    assert query.required == (word("a"), word("c"))
    assert query.excluded == (word("b", excluded=True),)


def test_hyphen_inside_word_not_exclusion():
    query = parse_query("e-mail")
    assert query.clauses == (Clause(alternatives=(("e", "mail"),)),)


def test_lone_hyphen_ignored():
    assert parse_query("عقد - عمل").clauses == (word("عقد"), word("عمل"))


def test_or_between_words():
    query = parse_query("عقد OR contract")
    assert query.clauses == (Clause(alternatives=(("عقد",), ("contract",))),)


def test_or_chain_and_phrase():
    query = parse_query('a OR "b c" OR d e')
    assert query.clauses == (
        Clause(alternatives=(("a",), ("b", "c"), ("d",))),
        word("e"),
    )


def test_lowercase_or_is_word():
    assert parse_query("this or that").clauses == (word("this"), word("or"), word("that"))


def test_or_with_empty_side_keeps_other():
    query = parse_query("عقد OR ...")
    assert query.clauses == (Clause(alternatives=(("عقد",),)),)


def test_punctuation_words_dropped():
    assert parse_query("... عقد !!").clauses == (word("عقد"),)


def test_diacritics_in_query():
    assert parse_query("السّيّدة").clauses == (word("سيد"),)


def test_invalid_query_is_diwan_error():
    assert issubclass(InvalidQuery, DiwanError)


INVALID = [
    ("", "empty"),
    ("   \t", "empty"),
    ("... !!! ؟", "no searchable word"),
    ('""', "no searchable word"),
    ('"صدر القرار', "without a closing one"),
    ("عقد «صدر القرار", "without a closing one"),
    ("-مسودة", "only excludes"),
    ('-مسودة -"نسخة أولى"', "only excludes"),
    ("OR عقد", "must stand between"),
    ("عقد OR OR عمل", "must stand between"),
    ("عقد OR", "ends with OR"),
    ("عقد OR -عمل", "cannot be part of OR"),
    ("x" * (MAX_QUERY_CHARS + 1), "maximum is 500"),
    (" ".join(f"w{index}" for index in range(MAX_CLAUSES + 1)), "maximum is 32"),
    (" OR ".join(f"w{index}" for index in range(MAX_CLAUSES + 1)), "maximum is 32"),
]


@pytest.mark.parametrize(("text", "message"), INVALID)
def test_invalid_queries(text, message):
    with pytest.raises(InvalidQuery) as raised:
        parse_query(text)
    assert message in str(raised.value)


def test_unbalanced_quote_names_quote():
    with pytest.raises(InvalidQuery) as raised:
        parse_query("«صدر القرار")
    assert raised.value.params == {"quote": "«"}


def test_too_long_names_length():
    with pytest.raises(InvalidQuery) as raised:
        parse_query("x" * 600)
    assert raised.value.params == {"length": 600, "limit": MAX_QUERY_CHARS}


def test_too_many_clauses_names_count():
    with pytest.raises(InvalidQuery) as raised:
        parse_query(" ".join(f"w{index}" for index in range(40)))
    assert raised.value.params == {"count": 40, "limit": MAX_CLAUSES}


def test_max_clauses_accepted():
    query = parse_query(" ".join(f"w{index}" for index in range(MAX_CLAUSES)))
    assert len(query.clauses) == MAX_CLAUSES


def test_max_length_accepted():
    assert isinstance(parse_query("x" * MAX_QUERY_CHARS), ParsedQuery)


def test_invalid_query_code():
    with pytest.raises(InvalidQuery) as raised:
        parse_query("")
    assert raised.value.code == "invalid_query"
    assert raised.value.http_status == 400
