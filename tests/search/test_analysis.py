"""Tokenisation and analysis: the query and document forms that must meet."""

import unicodedata
from pathlib import Path

import pytest

from search.analysis import MAX_TOKEN_CHARS, analyze, analyze_with_offsets

CORPUS = Path(__file__).parents[1] / "data" / "corpus"

# (query, document text): every term of the query must be among the document's terms.
MATCHING_PAIRS = [
    ("احمد", "أحمد"),
    ("مدرسة", "المدرسة"),
    ("مدرسة", "مدرسه"),
    ("٢٠١٩", "2019"),
    ("اعلان", "إعلان وظيفة شاغرة"),
    ("الية", "آلية التقديم"),
    ("مدرسه", "مدرسة"),
    ("مستشفي", "مستشفى"),
    ("التوظيف", "الـتـوظـيـف"),
    ("الخطوط", "انواع الخطوط العربية"),
    ("السيدة", "السّيّدة"),
    ("١٩٩٦", "صدر القرار في ٢١/٠٧/١٩٩٦م"),
    ("1996", "صدر القرار في ٢١/٠٧/١٩٩٦م"),
    ("employees", "employee"),
    ("running", "run"),
    ("وزارة", "الوزارة"),
    ("موظفين", "للموظفين"),
    ("الإعلانات", "إعلان"),
    ("كتاب", "کتاب"),
    ("اللغة", "ﺍﻟﻠﻐﺔ"),
]


@pytest.mark.parametrize(("query", "document"), MATCHING_PAIRS)
def test_query_terms_in_document(query, document):
    document_terms = analyze(document)
    for term in analyze(query):
        assert term in document_terms


def test_date_splits_into_numbers():
    assert analyze("٢١/٠٧/١٩٩٦م") == ["21", "07", "1996", "م"]


def test_digits_split_from_latin():
    assert analyze("2019abc") == ["2019", "abc"]


def test_arabic_split_from_latin():
    assert analyze("PDFملف") == ["pdf", "ملف"]


def test_punctuation_separates():
    assert analyze("أ.ب،ج؛د") == ["ا", "ب", "ج", "د"]


def test_decimal_separator_splits_number():
    assert analyze("٣٫٥") == ["3", "5"]


def test_underscore_separates():
    assert analyze("first_name") == ["first", "name"]


def test_only_punctuation_gives_nothing():
    assert analyze("... — !!! ؟ ،") == []


def test_empty_text():
    assert analyze("") == []


def test_bidi_mark_inside_word_keeps_word():
    assert analyze("مدر\u200fسة") == ["مدرس"]


def test_combining_marks_stay_in_word():
    decomposed = unicodedata.normalize("NFD", "café")
    assert analyze(decomposed) == ["café"]


def test_devanagari_word_whole():
    assert analyze("हिन्दी") == ["हिन्दी"]


def test_long_token_cut():
    terms = analyze("x" * 500)
    assert terms == ["x" * MAX_TOKEN_CHARS]


def test_offsets_cover_original_words():
    text = "صدر القرار في ٢١/٠٧/١٩٩٦م"
    spans = [text[token.start : token.end] for token in analyze_with_offsets(text)]
    assert spans == ["صدر", "القرار", "في", "٢١", "٠٧", "١٩٩٦", "م"]


def test_offsets_include_diacritics_and_tatweel():
    text = "السّيّدة الـتـوظـيـف"
    spans = [text[token.start : token.end] for token in analyze_with_offsets(text)]
    assert spans == ["السّيّدة", "الـتـوظـيـف"]


def test_offsets_of_ligature():
    text = "ﻻ بأس"
    tokens = analyze_with_offsets(text)
    assert tokens[0].term == "لا"
    assert text[tokens[0].start : tokens[0].end] == "ﻻ"


def corpus_texts() -> list[str]:
    paths = sorted(CORPUS.glob("*.gt.txt")) + [CORPUS / "docling_right_to_left_03_persian_form.expected.md"]
    return [path.read_text(encoding="utf-8") for path in paths]


@pytest.mark.parametrize("text", corpus_texts())
def test_offsets_agree_with_analyze(text):
    assert [token.term for token in analyze_with_offsets(text)] == analyze(text)
