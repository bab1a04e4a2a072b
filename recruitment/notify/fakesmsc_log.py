"""Read the log of Kannel's fake SMS centre (fakesmsc) and show what the phones would display.

fakesmsc, from Debian's kannel-extras (Kannel 1.4.5), writes each SMS part it receives as

    2026-05-20 14:00:01 [pid] [0] DEBUG: Got message 7: <SENDER RECEIVER KIND DATA>

KIND is `text` (GSM text as is), `ucs-2` (one UCS-2 part, percent-encoded) or `udh` (one part of
a long message: `udh HEADER data PAYLOAD`, both percent-encoded). The log of a `udh` part does
not say whether its payload is UCS-2, so read_messages guesses it from the bytes. The fake
SMSC's protocol is one line per message, so a `text` message with a line break arrives as
several "messages". The second and later lines have no sender or kind, and read_parts joins
them to the text before them.

Run `python -m recruitment.notify.fakesmsc_log FILE` to print every message of a log, decoded.
"""

import argparse
import logging
import re
import sys
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import unquote_to_bytes

logger = logging.getLogger(__name__)

KINDS = ("text", "ucs-2", "udh")
GOT_MESSAGE = re.compile(r"^(?P<at>\S+ \S+) .*Got message \d+: <(?P<body>.*)>$")
# The header of a concatenated part: IEI 0x00 (8-bit reference), length 3, reference, total, sequence.
CONCATENATION_IEI = 0x00


@dataclass(frozen=True)
class ReceivedPart:
    """One SMS part as the fake SMSC received it; `data` is still percent-encoded as fakesmsc logs it."""

    sender: str
    receiver: str
    kind: str  # text, ucs-2 or udh
    udh: bytes
    data: str
    received_at: str = ""

    @property
    def reference(self) -> tuple[int, int, int] | None:
        """Return (reference, total, sequence) from a concatenation header, None for a single part."""
        if len(self.udh) >= 6 and self.udh[1] == CONCATENATION_IEI:
            return self.udh[3], self.udh[4], self.udh[5]
        return None

    def payload(self) -> bytes:
        return unquote_to_bytes(self.data.replace("+", " "))


@dataclass(frozen=True)
class ReceivedMessage:
    """A whole message: its parts joined in sequence order and decoded."""

    sender: str
    receiver: str
    received_at: str
    text: str
    parts: int


def parse_part(body: str, received_at: str = "") -> ReceivedPart:
    """Read one `<…>` entry of the fakesmsc log: sender, receiver, kind, then the data."""
    sender, receiver, kind, rest = body.split(" ", 3)
    if kind == "udh":
        udh, _data_word, data = rest.split(" ", 2)
        return ReceivedPart(sender, receiver, kind, unquote_to_bytes(udh), data, received_at)
    return ReceivedPart(sender, receiver, kind, b"", rest, received_at)


def _is_continuation(body: str) -> bool:
    words = body.split(" ", 3)
    return len(words) < 4 or words[2] not in KINDS


def read_parts(path: Path, sender: str | None = None) -> list[ReceivedPart]:
    """Return the parts logged in `path`, in log order, only those from `sender` when given."""
    parts: list[ReceivedPart] = []
    for line in path.read_text(errors="replace").splitlines():
        match = GOT_MESSAGE.search(line)
        if match is None:
            continue
        body = match.group("body")
        if not _is_continuation(body):
            parts.append(parse_part(body, match.group("at")))
        elif parts and parts[-1].kind == "text":
            parts[-1] = replace(parts[-1], data=parts[-1].data + "\n" + body)
        else:
            logger.warning("fakesmsc log line without sender or kind, skipped: %s", line[:200])
    return [part for part in parts if sender is None or part.sender == sender]


def decode_text(parts: list[ReceivedPart], ucs2: bool) -> str:
    """Join the parts of one message in sequence order and decode them as the phone would."""
    ordered = sorted(parts, key=lambda part: part.reference[2] if part.reference else 0)
    if ordered[0].kind == "text":
        return "".join(part.data for part in ordered)
    payload = b"".join(part.payload() for part in ordered)
    return payload.decode("utf-16-be" if ucs2 else "utf-8")


def _looks_like_ucs2(payload: bytes) -> bool:
    """Guess whether a payload is UCS-2: every character must be printable Arabic or Latin text.

    GSM text read as UCS-2 pairs two letters into one CJK character, so it fails this check.
    """
    if len(payload) % 2:
        return False
    text = payload.decode("utf-16-be", errors="replace")
    for char in text:
        if char in "\n\r\t":
            continue
        if not ("\u0020" <= char <= "\u024f" or "\u0600" <= char <= "\u06ff" or "\u2000" <= char <= "\u206f"):
            return False
        if unicodedata.category(char).startswith("C"):
            return False
    return True


def _group(parts: list[ReceivedPart]) -> list[list[ReceivedPart]]:
    """Group parts into messages by sender, receiver and concatenation reference, in order of arrival."""
    groups: dict[tuple, list[ReceivedPart]] = {}
    for index, part in enumerate(parts):
        reference = part.reference
        key = (part.sender, part.receiver, reference[0], reference[1]) if reference else ("single", index)
        groups.setdefault(key, []).append(part)
    return list(groups.values())


def read_messages(path: Path, sender: str | None = None) -> list[ReceivedMessage]:
    """Return the whole messages logged in `path`, decoded, in order of their first part.

    NOTE: parts are joined by their 8-bit reference, which Kannel reuses after 255 long messages,
    so a log with more than that between two parts of one message would join the wrong parts.
    """
    messages = []
    for parts in _group(read_parts(path, sender)):
        first = parts[0]
        if first.kind == "ucs-2":
            ucs2 = True
        else:
            ucs2 = first.kind == "udh" and _looks_like_ucs2(b"".join(part.payload() for part in parts))
        text = decode_text(parts, ucs2)
        messages.append(ReceivedMessage(first.sender, first.receiver, first.received_at, text, len(parts)))
    return messages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m recruitment.notify.fakesmsc_log",
        description="Print the SMS that Kannel's fake SMS centre received, decoded as a phone shows them.",
    )
    parser.add_argument("log", type=Path, help="the fakesmsc log, such as data/kannel/fakesmsc.log")
    parser.add_argument("--sender", help="show only messages from this sender name")
    arguments = parser.parse_args(argv)
    if not arguments.log.is_file():
        print(f"error: {arguments.log} does not exist; pass the fakesmsc.log of the Kannel data dir",
              file=sys.stderr)
        return 2

    for message in read_messages(arguments.log, arguments.sender):
        print(f"{message.received_at}  {message.sender} -> {message.receiver}  parts: {message.parts}")
        print(message.text)
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
