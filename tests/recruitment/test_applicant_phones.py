"""Mobile numbers: Palestinian mobiles in every usual spelling become one E.164 form; others are rejected."""

import pytest

from recruitment.applicants.errors import InvalidApplicantData
from recruitment.applicants.phones import clean_mobile, local_form, mask_mobile

NOT_MOBILE = "%(value)s is not a Palestinian mobile number; enter a Jawwal (059) or Ooredoo (056) number, " \
             "such as 0599 123 456."


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("0599123456", "+970599123456"),  # Jawwal, local form
        ("0569123456", "+970569123456"),  # Ooredoo, local form
        ("+970599123456", "+970599123456"),
        ("00970599123456", "+970599123456"),
        ("+972599123456", "+970599123456"),  # the same phone dialled through +972
        ("+972 56 912 3456", "+970569123456"),
        ("00972-59-912-3456", "+970599123456"),
        ("0599 123 456", "+970599123456"),
        ("059-912-3456", "+970599123456"),
        ("(059) 912-3456", "+970599123456"),
        ("٠٥٩٩١٢٣٤٥٦", "+970599123456"),  # Arabic-Indic digits
        ("۰۵۶۹۱۲۳۴۵۶", "+970569123456"),  # Eastern Arabic-Indic digits
        ("+٩٧٠ ٥٩٩ ١٢٣ ٤٥٦", "+970599123456"),
        ("  0599123456\t", "+970599123456"),
    ],
)
def test_clean_accepts(typed, expected):
    assert clean_mobile(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "022981234",  # Ramallah landline
        "+970 2 298 1234",  # the same landline in international form
        "082888888",  # Gaza landline
        "+972541234567",  # an Israeli mobile
        "0521234567",
        "+14155550123",  # United States
        "+962791234567",  # a Jordanian mobile
        "059912345",  # one digit short
        "05991234567",  # one digit too many
        "0599-12345a",
        "mobile",
    ],
)
def test_clean_rejects(typed):
    with pytest.raises(InvalidApplicantData) as raised:
        clean_mobile(typed)

    assert raised.value.message == NOT_MOBILE
    assert raised.value.params == {"value": typed}


def test_clean_rejects_empty():
    with pytest.raises(InvalidApplicantData) as raised:
        clean_mobile("  ")

    assert raised.value.message == "Enter your mobile number, such as 0599 123 456."


def test_clean_rejects_long_input():
    with pytest.raises(InvalidApplicantData) as raised:
        clean_mobile("0599123456" * 4)

    assert raised.value.params == {"length": 40}


def test_mask_hides_middle():
    assert mask_mobile("+970599123456") == "+97059••••456"


def test_mask_short_value():
    assert mask_mobile("+970") == "••••"


def test_local_form():
    assert local_form("+970569123456") == "0569 123 456"
