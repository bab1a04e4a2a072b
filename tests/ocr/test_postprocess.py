"""Text clean-up helpers and the character error rate."""

from ocr.postprocess import (
    character_error_rate,
    clean_word,
    edit_distance,
    has_content,
    normalise_whitespace,
    strip_arabic_diacritics,
    to_ascii_digits,
)


def test_cer_identical_zero():
    assert character_error_rate("اللغة العربية", "اللغة العربية") == 0.0


def test_cer_one_substitution():
    assert character_error_rate("abcd", "abxd") == 0.25


def test_edit_distance_insert_delete():
    assert edit_distance("kitten", "sitting") == 3


def test_edit_distance_long_texts():
    assert edit_distance("ب" * 3000, "ب" * 2990 + "ت" * 10) == 10


def test_bidi_marks_removed():
    assert clean_word("\u200eEnglish\u200f") == "English"


def test_presentation_forms_normalised():
    assert clean_word("\ufefb") == "لا"


def test_marks_only_no_content():
    assert not has_content("\u064e\u0650 .")


def test_whitespace_normalised():
    assert normalise_whitespace("  a   b \n\n c ") == "a b\nc"


def test_diacritics_stripped():
    assert strip_arabic_diacritics("يُرْجَى") == "يرجى"


def test_arabic_indic_digits_ascii():
    assert to_ascii_digits("١٩٩٦") == "1996"
