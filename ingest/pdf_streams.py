"""Bounded decoding of PDF stream filter chains, and the pixel sizes that image codecs declare.

A few hundred bytes of doubly deflated data can expand to gigabytes, so a stream is decoded
in chunks of at most CHUNK_BYTES and its decoded size is counted as it grows. Nothing keeps
more than one chunk per filter, plus the first HEAD_BYTES given to an image codec, whose
header states the bitmap size that codec would allocate.
"""

import logging
import struct
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

logger = logging.getLogger(__name__)

CHUNK_BYTES = 64 * 1024
HEAD_BYTES = 256 * 1024

# Filters whose output is a bitmap. Their size is checked from their header, not by decoding.
IMAGE_FILTERS = frozenset({"/DCTDecode", "/DCT", "/JPXDecode", "/JBIG2Decode", "/CCITTFaxDecode", "/CCF"})


class InflationLimitExceeded(Exception):
    """A filter's output grew past the limit. ``filter_name`` is that filter."""

    def __init__(self, filter_name: str, limit: int) -> None:
        super().__init__(f"{filter_name} output exceeds {limit} bytes")
        self.filter_name = filter_name
        self.limit = limit


@dataclass(frozen=True)
class StreamScan:
    decoded_bytes: int  # size after the last filter that is not an image codec
    image_filter: str | None  # the image codec that would decode the rest, if any
    head: bytes  # the first bytes given to that image codec


def scan_stream(raw: bytes, filters: list[str], params: list[dict], limit: int) -> StreamScan:
    """Decode a stream's filter chain up to any image codec, counting bytes against ``limit``.

    Raises InflationLimitExceeded as soon as any filter's output passes ``limit``. Damaged
    data ends the decoding early without an error, as PDF viewers tolerate it too.
    """
    chunks: Iterable[bytes] = _split(raw)
    image_filter = None

    for name, parms in zip(filters, params, strict=True):
        if name in IMAGE_FILTERS:
            image_filter = name
            break
        decoder = _decoder_for(name, parms)
        if decoder is None:
            logger.debug("filter %s is not decoded for the size check", name)
            break
        chunks = _limited(_run(chunks, decoder), name, limit)

    head = bytearray()
    decoded = 0
    for chunk in chunks:
        decoded += len(chunk)
        if len(head) < HEAD_BYTES:
            head += chunk[: HEAD_BYTES - len(head)]
    return StreamScan(decoded_bytes=decoded, image_filter=image_filter, head=bytes(head))


def _split(data: bytes) -> Iterator[bytes]:
    for start in range(0, len(data), CHUNK_BYTES):
        yield data[start : start + CHUNK_BYTES]


def _run(chunks: Iterable[bytes], decoder: "_Decoder") -> Iterator[bytes]:
    try:
        for chunk in chunks:
            yield from decoder.feed(chunk)
        yield from decoder.finish()
    except _DamagedData as error:
        logger.debug("stream data is damaged, size check stops there: %s", error)


def _limited(chunks: Iterable[bytes], filter_name: str, limit: int) -> Iterator[bytes]:
    total = 0
    for chunk in chunks:
        total += len(chunk)
        if total > limit:
            raise InflationLimitExceeded(filter_name, limit)
        yield chunk


def _decoder_for(name: str, parms: dict) -> "_Decoder | None":
    if name in ("/FlateDecode", "/Fl"):
        return _FlateDecoder()
    if name in ("/ASCIIHexDecode", "/AHx"):
        return _AsciiHexDecoder()
    if name in ("/ASCII85Decode", "/A85"):
        return _Ascii85Decoder()
    if name in ("/RunLengthDecode", "/RL"):
        return _RunLengthDecoder()
    if name in ("/LZWDecode", "/LZW"):
        try:
            early_change = int(parms.get("/EarlyChange", 1))
        except (TypeError, ValueError):
            early_change = 1
        return _LzwDecoder(early_change=early_change)
    return None


class _DamagedData(Exception):
    pass


class _Decoder:
    def feed(self, data: bytes) -> Iterator[bytes]:
        raise NotImplementedError

    def finish(self) -> Iterator[bytes]:
        return iter(())


class _FlateDecoder(_Decoder):
    def __init__(self) -> None:
        self._inflater = zlib.decompressobj()

    def feed(self, data: bytes) -> Iterator[bytes]:
        try:
            pending = data
            while not self._inflater.eof:
                # max_length bounds each piece, and zlib keeps the rest of the input for the next call.
                piece = self._inflater.decompress(pending, CHUNK_BYTES)
                pending = self._inflater.unconsumed_tail
                if not piece:
                    break
                yield piece
        except zlib.error as error:
            raise _DamagedData(str(error)) from error


class _AsciiHexDecoder(_Decoder):
    def __init__(self) -> None:
        self._odd_digit = b""
        self._ended = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._ended:
            return
        end = data.find(b">")
        if end >= 0:
            data, self._ended = data[:end], True
        digits = self._odd_digit + bytes(byte for byte in data if byte not in b" \t\r\n\f\0")
        if len(digits) % 2:
            digits, self._odd_digit = digits[:-1], digits[-1:]
        else:
            self._odd_digit = b""
        try:
            yield bytes.fromhex(digits.decode("ascii"))
        except (UnicodeDecodeError, ValueError) as error:
            raise _DamagedData("invalid hexadecimal digit") from error

    def finish(self) -> Iterator[bytes]:
        if self._odd_digit:
            yield bytes.fromhex((self._odd_digit + b"0").decode("ascii", "replace"))


class _Ascii85Decoder(_Decoder):
    def __init__(self) -> None:
        self._group = bytearray()
        self._ended = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._ended:
            return
        end = data.find(b"~")
        if end >= 0:
            data, self._ended = data[:end], True
        output = bytearray()
        for byte in data:
            if byte in b" \t\r\n\f\0":
                continue
            if byte == ord("z") and not self._group:
                output += b"\0\0\0\0"
                continue
            if not 33 <= byte <= 117:
                raise _DamagedData("invalid ASCII85 character")
            self._group.append(byte - 33)
            if len(self._group) == 5:
                output += self._decode_group(self._group)
                self._group.clear()
        yield bytes(output)

    def finish(self) -> Iterator[bytes]:
        if len(self._group) > 1:
            padded = self._group + bytearray([84] * (5 - len(self._group)))
            yield self._decode_group(padded)[: len(self._group) - 1]

    @staticmethod
    def _decode_group(group: bytearray) -> bytes:
        value = 0
        for digit in group:
            value = value * 85 + digit
        return struct.pack(">I", value & 0xFFFFFFFF)


class _RunLengthDecoder(_Decoder):
    def __init__(self) -> None:
        self._literal_left = 0
        self._repeat_count = 0
        self._ended = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        output = bytearray()
        for byte in data:
            if self._ended:
                break
            if self._literal_left:
                output.append(byte)
                self._literal_left -= 1
            elif self._repeat_count:
                output += bytes([byte]) * self._repeat_count
                self._repeat_count = 0
            elif byte < 128:
                self._literal_left = byte + 1
            elif byte > 128:
                self._repeat_count = 257 - byte
            else:
                self._ended = True
            if len(output) >= CHUNK_BYTES:
                yield bytes(output)
                output.clear()
        yield bytes(output)


class _LzwDecoder(_Decoder):
    _CLEAR, _END = 256, 257

    def __init__(self, early_change: int) -> None:
        self._early_change = 1 if early_change else 0
        self._bits = 0
        self._bit_count = 0
        self._ended = False
        self._reset()

    def _reset(self) -> None:
        self._table: list[bytes] = [bytes([value]) for value in range(256)] + [b"", b""]
        self._width = 9
        self._previous: bytes | None = None

    def feed(self, data: bytes) -> Iterator[bytes]:
        output = bytearray()
        for byte in data:
            if self._ended:
                break
            self._bits = (self._bits << 8) | byte
            self._bit_count += 8
            while self._bit_count >= self._width and not self._ended:
                self._bit_count -= self._width
                code = (self._bits >> self._bit_count) & ((1 << self._width) - 1)
                self._bits &= (1 << self._bit_count) - 1
                output += self._decode(code)
            if len(output) >= CHUNK_BYTES:
                yield bytes(output)
                output.clear()
        yield bytes(output)

    def _decode(self, code: int) -> bytes:
        if code == self._CLEAR:
            self._reset()
            return b""
        if code == self._END:
            self._ended = True
            return b""

        previous = self._previous
        if code < len(self._table):
            entry = self._table[code]
        elif code == len(self._table) and previous is not None:
            entry = previous + previous[:1]
        else:
            raise _DamagedData("invalid LZW code")

        if previous is not None and len(self._table) < 4096:
            self._table.append(previous + entry[:1])
        self._previous = entry
        if len(self._table) + self._early_change >= (1 << self._width) and self._width < 12:
            self._width += 1
        return entry


# --- image codec headers ---------------------------------------------------------------------


def codec_pixel_size(image_filter: str, head: bytes, parms: dict) -> tuple[int, int] | None:
    """Return the width and height an image codec's header declares, if it can be read."""
    if image_filter in ("/DCTDecode", "/DCT"):
        return jpeg_size(head)
    if image_filter == "/JPXDecode":
        return jpx_size(head)
    if image_filter == "/JBIG2Decode":
        return jbig2_size(head)
    if image_filter in ("/CCITTFaxDecode", "/CCF"):
        return _ccitt_size(parms)
    return None


def _ccitt_size(parms: dict) -> tuple[int, int] | None:
    try:
        columns, rows = int(parms.get("/Columns", 1728)), int(parms.get("/Rows", 0))
    except (TypeError, ValueError):
        return None
    # Rows 0 means the height is known only after decoding.
    return (columns, rows) if rows > 0 else None


def jpeg_size(data: bytes) -> tuple[int, int] | None:
    """Return the frame size from the first SOF marker of a JPEG stream."""
    if not data.startswith(b"\xff\xd8"):
        return None
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == 0xFF:
            position += 1
            continue
        if 0xD0 <= marker <= 0xD9 or marker == 0x01:
            position += 2
            continue
        (length,) = struct.unpack_from(">H", data, position + 2)
        is_start_of_frame = 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC)
        if is_start_of_frame and position + 9 <= len(data):
            height, width = struct.unpack_from(">HH", data, position + 5)
            return width, height
        position += 2 + length
    return None


def jpx_size(data: bytes) -> tuple[int, int] | None:
    """Return the image size from a JPEG 2000 SIZ marker or JP2 ihdr box."""
    codestream = data.find(b"\xff\x4f\xff\x51")
    if codestream >= 0 and codestream + 24 <= len(data):
        x_size, y_size, x_offset, y_offset = struct.unpack_from(">IIII", data, codestream + 8)
        return max(x_size - x_offset, 0), max(y_size - y_offset, 0)
    header = data.find(b"ihdr")
    if header >= 0 and header + 12 <= len(data):
        height, width = struct.unpack_from(">II", data, header + 4)
        return width, height
    return None


# JBIG2 segment types that carry a region segment information field (ITU-T T.88, 7.4.1).
_JBIG2_REGION_TYPES = frozenset({4, 6, 7, 20, 22, 23, 36, 38, 39, 40, 42, 43})
_JBIG2_PAGE_INFORMATION = 48
_JBIG2_UNKNOWN = 0xFFFFFFFF


def jbig2_size(data: bytes) -> tuple[int, int] | None:
    """Return the largest page or region size declared in an embedded JBIG2 stream."""
    best: tuple[int, int] | None = None
    position = 0
    while position + 6 <= len(data):
        header = _jbig2_segment_header(data, position)
        if header is None:
            break
        segment_type, data_start, data_length = header

        declares_size = segment_type == _JBIG2_PAGE_INFORMATION or segment_type in _JBIG2_REGION_TYPES
        if declares_size and data_start + 8 <= len(data):
            width, height = struct.unpack_from(">II", data, data_start)
            if height != _JBIG2_UNKNOWN and (best is None or width * height > best[0] * best[1]):
                best = (width, height)

        if data_length == _JBIG2_UNKNOWN:
            break
        position = data_start + data_length
    return best


def _jbig2_segment_header(data: bytes, position: int) -> tuple[int, int, int] | None:
    (segment_number,) = struct.unpack_from(">I", data, position)
    flags = data[position + 4]
    position += 5

    referred = data[position] >> 5
    if referred == 7:
        if position + 4 > len(data):
            return None
        referred = struct.unpack_from(">I", data, position)[0] & 0x1FFFFFFF
        position += 4 + (referred + 8) // 8
    else:
        position += 1

    if segment_number <= 256:
        number_size = 1
    elif segment_number <= 65536:
        number_size = 2
    else:
        number_size = 4
    position += referred * number_size
    position += 4 if flags & 0x40 else 1
    if position + 4 > len(data):
        return None
    (data_length,) = struct.unpack_from(">I", data, position)
    return flags & 0x3F, position + 4, data_length
