"""National ID numbers: nine digits whose last digit is a check digit.

The check is the one on Palestinian (and Israeli) identity cards. The digits are multiplied
alternately by 1 and 2 from the left and the digits of each product are added up. The number is
valid when the total is a multiple of 10.
"""

import logging
import unicodedata

from archive_api.errors import N_
from recruitment.applicants.errors import InvalidApplicantData

logger = logging.getLogger(__name__)

NATIONAL_ID_LENGTH = 9


def to_ascii_digits(text: str) -> str:
    """Replace every decimal digit of any script (Arabic-Indic, Persian, ...) with its ASCII digit."""
    return "".join(str(unicodedata.decimal(char)) if char.isdecimal() else char for char in text)


def has_valid_check_digit(digits: str) -> bool:
    """Return True when nine ASCII digits pass the identity-card check."""
    if len(digits) != NATIONAL_ID_LENGTH or not digits.isascii() or not digits.isdigit():
        return False

    total = 0
    for position, char in enumerate(digits):
        product = int(char) * (1 if position % 2 == 0 else 2)
        total += product // 10 + product % 10
    return total % 10 == 0


def clean_national_id(value: str | None) -> str:
    """Return the national ID number as nine ASCII digits; raises InvalidApplicantData.

    Digits of any script are accepted, and so are spaces between them, as people copy the
    number from a card or a form.
    """
    text = to_ascii_digits("".join((value or "").split()))
    if not text:
        raise InvalidApplicantData(N_("Enter your national ID number (9 digits)."))
    if not text.isascii() or not text.isdigit() or len(text) != NATIONAL_ID_LENGTH:
        raise InvalidApplicantData(
            N_("The national ID number %(value)s is not 9 digits; copy it from your identity card."),
            value=value.strip(),
        )
    if not has_valid_check_digit(text):
        raise InvalidApplicantData(
            N_("The national ID number %(value)s is not valid (its last digit does not match); "
               "check each digit against your identity card."),
            value=text,
        )
    return text
