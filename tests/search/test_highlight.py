"""Highlighting: matching pages, marks on the original words, escaping and the window."""

import re

from search.highlight import ELLIPSIS, highlight
from search.query import parse_query

DECISION = "صدر القرار في ٢١/٠٧/١٩٩٦م بتعيين السّيّدة فاطمة في المدرسة الثانوية"


def marked(snippet: str) -> list[str]:
    return re.findall(r"<mark>(.*?)</mark>", snippet)


def filler(index: int) -> str:
    """Return a distinct one-term word for position `index`, such as "wbc" (digits as letters)."""
    return "w" + "".join(chr(ord("a") + int(digit)) for digit in str(index))


def test_matching_pages_numbered_from_one():
    pages = ["مقدمة", DECISION, "ملحق", "القرار النهائي"]
    result = highlight(pages, parse_query("القرار"))
    assert result.pages == (2, 4)


def test_any_required_clause_matches_page():
    pages = ["عقد عمل", "contract", "شيء آخر"]
    result = highlight(pages, parse_query("عقد contract"))
    assert result.pages == (1, 2)


def test_excluded_clause_not_matched():
    result = highlight(["مسودة أولى"], parse_query("تقرير -مسودة"))
    assert result.pages == ()


def test_marks_words_as_written():
    result = highlight([DECISION], parse_query("السيدة مدرسه"))
    assert marked(result.snippet) == ["السّيّدة", "المدرسة"]


def test_marks_number_inside_date():
    result = highlight([DECISION], parse_query("1996"))
    assert marked(result.snippet) == ["١٩٩٦"]
    assert "٢١/٠٧/<mark>١٩٩٦</mark>م" in result.snippet


def test_marks_tatweel_word():
    result = highlight(["شروط الـتـوظـيـف الجديدة"], parse_query("التوظيف"))
    assert marked(result.snippet) == ["الـتـوظـيـف"]


def test_phrase_marked_as_one_span():
    result = highlight([DECISION], parse_query('"صدر القرار"'))
    assert marked(result.snippet) == ["صدر القرار"]


def test_phrase_order_matters():
    result = highlight([DECISION], parse_query('"القرار صدر"'))
    assert result.pages == ()


def test_phrase_words_apart_not_matched():
    result = highlight(["صدر اليوم القرار"], parse_query('"صدر القرار"'))
    assert result.pages == ()


def test_phrase_on_later_page():
    pages = ["القرار وحده", "ثم صدر القرار"]
    result = highlight(pages, parse_query('"صدر القرار"'))
    assert result.pages == (2,)
    assert marked(result.snippet) == ["صدر القرار"]


def test_or_alternatives_marked():
    result = highlight(["عقد العمل contract signed"], parse_query("عقد OR contract"))
    assert marked(result.snippet) == ["عقد", "contract"]


def test_snippet_escapes_html():
    page = '<script>alert("x")</script> & القرار <b>bold</b>'
    result = highlight([page], parse_query("القرار"))
    assert "<script>" not in result.snippet
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp;" in result.snippet
    assert "&lt;b&gt;bold&lt;/b&gt;" in result.snippet


def test_escaped_word_inside_mark():
    result = highlight(["<القرار>"], parse_query("القرار"))
    assert result.snippet == "&lt;<mark>القرار</mark>&gt;"


def test_english_stem_marks_original():
    result = highlight(["List of Employees, 2020"], parse_query("employee"))
    assert marked(result.snippet) == ["Employees"]


def test_mixed_direction_text():
    page = "تقرير Python و pandas لعام ٢٠٢٠ عن البيانات"
    result = highlight([page], parse_query("pandas البيانات"))
    assert marked(result.snippet) == ["pandas", "البيانات"]
    assert result.snippet.startswith("تقرير Python")


def test_bidi_embeddings_dropped():
    page = "\u202bالقرار\u202c \u2067رقم\u2069 5"
    result = highlight([page], parse_query("القرار"))
    assert "\u202b" not in result.snippet
    assert "\u2067" not in result.snippet


def test_bidi_marks_kept():
    page = "القرار\u200f رقم 5"
    result = highlight([page], parse_query("القرار"))
    assert "\u200f" in result.snippet


def test_whitespace_collapsed():
    result = highlight(["القرار\n\n\tرقم   5"], parse_query("القرار"))
    assert result.snippet == "<mark>القرار</mark> رقم 5"


def test_window_around_match():
    words = [filler(index) for index in range(200)]
    words[100] = "القرار"
    result = highlight([" ".join(words)], parse_query("القرار"), window_terms=30)
    assert result.snippet.startswith(ELLIPSIS + " ")
    assert result.snippet.endswith(" " + ELLIPSIS)
    assert filler(91) in result.snippet
    assert filler(119) in result.snippet
    assert filler(60) not in result.snippet
    assert filler(140) not in result.snippet


def test_window_size_in_terms():
    words = [filler(index) for index in range(200)]
    words[100] = "target"
    result = highlight([" ".join(words)], parse_query("target"), window_terms=30)
    body = result.snippet.strip(ELLIPSIS + " ")
    assert len(body.split()) == 30


def test_no_ellipsis_for_whole_page():
    result = highlight(["عقد عمل قصير"], parse_query("عمل"))
    assert ELLIPSIS not in result.snippet


def test_window_prefers_more_clauses():
    words = " ".join(filler(index) for index in range(100))
    page = f"alpha {words} alpha beta"
    result = highlight([page], parse_query("alpha beta"), window_terms=10)
    assert marked(result.snippet) == ["alpha", "beta"]


def test_best_page_has_most_clauses():
    pages = ["alpha only", "alpha and beta together"]
    result = highlight(pages, parse_query("alpha beta"))
    assert result.pages == (1, 2)
    assert marked(result.snippet) == ["alpha", "beta"]


def test_no_match_shows_start():
    pages = ["", "بداية النص هنا"]
    result = highlight(pages, parse_query("غائب"))
    assert result.pages == ()
    assert result.snippet == "بداية النص هنا"


def test_no_pages():
    result = highlight([], parse_query("غائب"))
    assert result.pages == ()
    assert result.snippet == ""


def test_punctuation_attached_to_word_shown():
    result = highlight(["(القرار)، ثم"], parse_query("القرار"))
    assert result.snippet == "(<mark>القرار</mark>)، ثم"
