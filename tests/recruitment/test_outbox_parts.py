"""SMS length: GSM-7 and UCS-2, the single-part limits and the per-part limits once split."""

import pytest

from recruitment.notify.parts import GSM7, UCS2, encoding_of, sms_size

ARABIC_LETTER = "ب"
EMOJI = "\U0001F600"  # outside the Basic Multilingual Plane: two UTF-16 code units


@pytest.mark.parametrize(
    ("length", "parts"),
    [(1, 1), (70, 1), (71, 2), (134, 2), (135, 3), (201, 3), (202, 4)],
)
def test_arabic_parts(length, parts):
    size = sms_size(ARABIC_LETTER * length)

    assert size.encoding == UCS2
    assert size.parts == parts


@pytest.mark.parametrize(
    ("length", "parts"),
    [(1, 1), (160, 1), (161, 2), (306, 2), (307, 3), (459, 3), (460, 4)],
)
def test_gsm7_parts(length, parts):
    size = sms_size("a" * length)

    assert size.encoding == GSM7
    assert size.parts == parts


def test_gsm7_extension_counts_twice():
    size = sms_size("a" * 158 + "€")

    assert size.units == 160
    assert size.parts == 1


def test_gsm7_extension_over_limit():
    assert sms_size("a" * 159 + "€").parts == 2


def test_gsm7_escape_never_split():
    # 152 letters and then €: the escape pair cannot end part 1 at septet 153, so part 1 contains
    # 152 septets and the pair opens part 2.
    size = sms_size("a" * 152 + "€" + "a" * 10)

    assert size.parts == 2
    assert size.remaining == 153 - 12


def test_one_arabic_letter_makes_ucs2():
    size = sms_size("a" * 69 + ARABIC_LETTER)

    assert size.encoding == UCS2
    assert size.parts == 1


def test_mixed_text_over_70_splits():
    assert sms_size("Code 123456 " + ARABIC_LETTER * 59).parts == 2


def test_emoji_counts_two_units():
    size = sms_size(ARABIC_LETTER * 68 + EMOJI)

    assert size.units == 70
    assert size.parts == 1


def test_emoji_never_split():
    # 66 letters then an emoji: it does not fit in the 67 units of part 1, so it opens part 2.
    size = sms_size(ARABIC_LETTER * 66 + EMOJI + ARABIC_LETTER * 5)

    assert size.parts == 2
    assert size.remaining == 67 - 7


def test_remaining_single_part():
    assert sms_size(ARABIC_LETTER * 60).remaining == 10


def test_empty_text_has_no_parts():
    size = sms_size("")

    assert size.parts == 0
    assert size.characters == 0


@pytest.mark.parametrize("char", ["@", "£", "é", "Ø", "Δ", "\n", "{", "~", "€"])
def test_gsm7_alphabet(char):
    assert encoding_of("abc" + char) == GSM7


@pytest.mark.parametrize("char", ["á", "ç", "`", "’", "ب", "٣", EMOJI])
def test_outside_gsm7(char):
    assert encoding_of("abc" + char) == UCS2
