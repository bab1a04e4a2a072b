"""Mobile numbers: Palestinian mobiles normalised to E.164 with the phonenumbers package.

Jawwal (059) and Ooredoo (056) numbers are dialled both as +970 and as +972; both forms are
accepted and stored as +970, so one phone has one spelling in the database.
"""

import logging

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType

from archive_api.errors import N_
from recruitment.applicants.errors import InvalidApplicantData
from recruitment.applicants.national_id import to_ascii_digits

logger = logging.getLogger(__name__)

PALESTINE_REGION = "PS"
PALESTINE_CODE = 970
# Palestinian mobile numbers can also be dialled through Israel's country code.
SHARED_CODE = 972
MOBILE_PREFIXES = ("59", "56")
MOBILE_TYPES = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)
MAX_INPUT_LENGTH = 32
# Visible characters kept at each end of a masked number: "+97059" and the last three digits.
MASK_KEEP_START = 6
MASK_KEEP_END = 3


def _parse(text: str) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(text, PALESTINE_REGION)
    except NumberParseException:
        return None


def _is_palestinian_mobile(number: phonenumbers.PhoneNumber) -> bool:
    national = str(number.national_number)
    if number.country_code not in (PALESTINE_CODE, SHARED_CODE) or not national.startswith(MOBILE_PREFIXES):
        return False
    return phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) in MOBILE_TYPES


def clean_mobile(value: str | None) -> str:
    """Return a Palestinian mobile number in E.164 (+97059xxxxxxx); raises InvalidApplicantData.

    Accepts the local forms 059/056, +970 and +972 (also written 00970 or 00972), with spaces,
    dashes, brackets and digits of any script.
    """
    raw = (value or "").strip()
    if not raw:
        raise InvalidApplicantData(N_("Enter your mobile number, such as 0599 123 456."))
    if len(raw) > MAX_INPUT_LENGTH:
        raise InvalidApplicantData(
            N_("The mobile number is %(length)d characters long; enter only the number, such as 0599 123 456."),
            length=len(raw),
        )

    number = _parse(to_ascii_digits(raw))
    if number is None or not _is_palestinian_mobile(number):
        # TODO: Jerusalem residents with Israeli carriers (+972 50-58) are rejected until the
        # council decides whether to accept them.
        raise InvalidApplicantData(
            N_("%(value)s is not a Palestinian mobile number; enter a Jawwal (059) or Ooredoo (056) "
               "number, such as 0599 123 456."),
            value=raw,
        )
    return f"+{PALESTINE_CODE}{number.national_number}"


def mask_mobile(e164: str) -> str:
    """Hide the middle digits of a stored number for lists, such as +97059••••456."""
    if len(e164) <= MASK_KEEP_START + MASK_KEEP_END:
        return "•" * len(e164)
    hidden = len(e164) - MASK_KEEP_START - MASK_KEEP_END
    return e164[:MASK_KEEP_START] + "•" * hidden + e164[-MASK_KEEP_END:]


def local_form(e164: str) -> str:
    """Format a stored Palestinian number the way people write it at home, such as 0599 123 456."""
    number = _parse(e164)
    if number is None:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
