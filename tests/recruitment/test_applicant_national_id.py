"""National ID numbers: the check digit, digits of other scripts, and the messages for bad input."""

import pytest

from recruitment.applicants.errors import InvalidApplicantData
from recruitment.applicants.national_id import clean_national_id, has_valid_check_digit, to_ascii_digits
from tests.recruitment.test_applicant_fixtures import with_check_digit

# Each total below is the sum of the digits of digit × (1, 2, 1, 2, ...), worked out by hand.
VALID = [
    "123456782",  # 1+4+3+8+5+(1+2)+7+(1+6)+2 = 40
    "000000018",  # 2+8 = 10
    "039337423",  # 0+6+9+6+3+(1+4)+4+4+3 = 40
    "400123451",  # 4+0+0+2+2+6+4+(1+0)+1 = 20
    "901234567",  # 9+0+1+4+3+8+5+(1+2)+7 = 40
]
INVALID = [
    "123456789",  # 47
    "123456783",  # 41: the last digit off by one
    "123456872",  # 39: two neighbouring digits swapped
    "400123454",  # 23
    "901234569",  # 42
]


@pytest.mark.parametrize("number", VALID)
def test_check_digit_valid(number):
    assert has_valid_check_digit(number)


@pytest.mark.parametrize("number", INVALID)
def test_check_digit_invalid(number):
    assert not has_valid_check_digit(number)


def test_fixture_generator_agrees():
    numbers = [with_check_digit(f"{seed:08d}") for seed in (1, 12345678, 40012345, 99999999)]

    assert all(has_valid_check_digit(number) for number in numbers)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("١٢٣٤٥٦٧٨٢", "123456782"),  # Arabic-Indic digits
        ("۱۲۳۴۵۶۷۸۲", "123456782"),  # Eastern Arabic-Indic (Persian) digits
        (" 123 456 782 ", "123456782"),
        ("١٢٣456٧٨٢", "123456782"),
    ],
)
def test_clean_normalises_digits(typed, expected):
    assert clean_national_id(typed) == expected


def test_ascii_digits_keep_other_text():
    assert to_ascii_digits("رقم ٤٥ و 7") == "رقم 45 و 7"


@pytest.mark.parametrize(
    ("typed", "msgid"),
    [
        ("", "Enter your national ID number (9 digits)."),
        ("   ", "Enter your national ID number (9 digits)."),
        ("12345678", "The national ID number %(value)s is not 9 digits; copy it from your identity card."),
        ("1234567820", "The national ID number %(value)s is not 9 digits; copy it from your identity card."),
        ("12345678a", "The national ID number %(value)s is not 9 digits; copy it from your identity card."),
        ("123-456-782", "The national ID number %(value)s is not 9 digits; copy it from your identity card."),
        ("123456789", "The national ID number %(value)s is not valid (its last digit does not match); "
                      "check each digit against your identity card."),
        ("١٢٣٤٥٦٧٨٩", "The national ID number %(value)s is not valid (its last digit does not match); "
                      "check each digit against your identity card."),
    ],
)
def test_clean_rejects(typed, msgid):
    with pytest.raises(InvalidApplicantData) as raised:
        clean_national_id(typed)

    assert raised.value.message == msgid


def test_invalid_message_shows_ascii_digits():
    with pytest.raises(InvalidApplicantData) as raised:
        clean_national_id("١٢٣٤٥٦٧٨٩")

    assert raised.value.params == {"value": "123456789"}
