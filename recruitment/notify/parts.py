"""Counting the characters and parts of an SMS, for the outbox and for previews in forms.

A text that uses only the GSM 03.38 alphabet (3GPP TS 23.038) is sent in GSM-7: 160 septets in
one part, or 153 per part once the message is split, because each part then carries a 7-byte
header. Characters of the extension table (such as € and [) take two septets, and a part never
ends between the two. Any other character, Arabic included, makes the whole message UCS-2:
70 UTF-16 code units in one part, or 67 per part when split. A character outside the Basic
Multilingual Plane (most emoji) takes two code units and is never split between parts.
"""

import logging
from dataclasses import dataclass

logger = logging.getLogger(__name__)

GSM7 = "gsm7"
UCS2 = "ucs2"

GSM7_SINGLE = 160
GSM7_PER_PART = 153
UCS2_SINGLE = 70
UCS2_PER_PART = 67

# The GSM 03.38 default alphabet, in table order, without the escape code (0x1B).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Characters reached through the escape code, so each one takes two septets.
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")


@dataclass(frozen=True)
class SmsSize:
    """The encoding of a text and the number of parts it is sent in.

    `units` counts septets for GSM-7 and UTF-16 code units for UCS-2; `remaining` is how many
    more units fit in the last part.
    """

    encoding: str
    characters: int
    units: int
    parts: int
    per_part: int
    remaining: int


def encoding_of(text: str) -> str:
    """Return GSM7 when every character is in the GSM 03.38 alphabet or its extension, else UCS2."""
    if all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text):
        return GSM7
    return UCS2


def _unit_sizes(text: str, encoding: str) -> list[int]:
    if encoding == GSM7:
        return [2 if char in GSM7_EXTENSION else 1 for char in text]
    return [2 if ord(char) > 0xFFFF else 1 for char in text]


def _pack(sizes: list[int], per_part: int) -> tuple[int, int]:
    """Fill parts in order without splitting a character; return the parts and the units in the last."""
    parts, used = 1, 0
    for size in sizes:
        if used + size > per_part:
            parts += 1
            used = 0
        used += size
    return parts, used


def sms_size(text: str) -> SmsSize:
    """Return the encoding, length and number of parts of an SMS text; an empty text has 0 parts."""
    encoding = encoding_of(text)
    sizes = _unit_sizes(text, encoding)
    units = sum(sizes)
    single, per_part = (GSM7_SINGLE, GSM7_PER_PART) if encoding == GSM7 else (UCS2_SINGLE, UCS2_PER_PART)

    if units == 0:
        return SmsSize(encoding, 0, 0, 0, single, single)
    if units <= single:
        return SmsSize(encoding, len(text), units, 1, single, single - units)
    parts, used = _pack(sizes, per_part)
    return SmsSize(encoding, len(text), units, parts, per_part, per_part - used)
