"""Bounded stream decoding and codec header sizes, checked against real encoders' output."""

import base64
import io
import zlib
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, features

from ingest.pdf_streams import (
    CHUNK_BYTES,
    InflationLimitExceeded,
    codec_pixel_size,
    jbig2_size,
    jpeg_size,
    jpx_size,
    scan_stream,
)
from tests.factories.documents import deflated_zeros

SAMPLE = bytes(range(256)) * 40 + b"\0" * 5000 + b"Diwan " * 300


def tiff_strip(image: Image.Image, compression: str) -> bytes:
    """Return the compressed pixel data of a one-strip TIFF, as Pillow's encoder wrote it."""
    buffer = io.BytesIO()
    image.save(buffer, "TIFF", compression=compression)
    with Image.open(buffer) as parsed:
        offsets, counts = parsed.tag_v2[273], parsed.tag_v2[279]
    assert len(offsets) == 1
    return buffer.getvalue()[offsets[0] : offsets[0] + counts[0]]


def decoded(raw: bytes, filters: list[str], params: list[dict] | None = None) -> bytes:
    return scan_stream(raw, filters, params or [{}] * len(filters), limit=10**9).head


# --- filters ---------------------------------------------------------------------------------


def test_flate_decoded():
    assert decoded(zlib.compress(SAMPLE), ["/FlateDecode"]) == SAMPLE


def test_ascii_hex_decoded():
    assert decoded(SAMPLE.hex().encode() + b">", ["/AHx"]) == SAMPLE


def test_ascii85_decoded():
    assert decoded(base64.a85encode(SAMPLE) + b"~>", ["/ASCII85Decode"]) == SAMPLE


def test_ascii85_then_flate_decoded():
    raw = base64.a85encode(zlib.compress(SAMPLE), wrapcol=64) + b"~>"

    assert decoded(raw, ["/A85", "/Fl"]) == SAMPLE


def test_run_length_decoded():
    image = Image.frombytes("L", (128, 16), (b"\0" * 900 + SAMPLE)[: 128 * 16])

    assert decoded(tiff_strip(image, "packbits"), ["/RunLengthDecode"]) == image.tobytes()


def test_lzw_decoded():
    image = Image.frombytes("L", (256, 64), (SAMPLE * 2)[: 256 * 64])

    assert decoded(tiff_strip(image, "tiff_lzw"), ["/LZWDecode"]) == image.tobytes()


def test_decoded_size_counted():
    scan = scan_stream(zlib.compress(b"\0" * 3 * CHUNK_BYTES), ["/FlateDecode"], [{}], limit=10**9)

    assert scan.decoded_bytes == 3 * CHUNK_BYTES
    assert scan.image_filter is None


def test_nested_flate_stops_at_limit():
    raw = zlib.compress(deflated_zeros(64 * 1024 * 1024))

    with pytest.raises(InflationLimitExceeded) as caught:
        scan_stream(raw, ["/FlateDecode", "/FlateDecode"], [{}, {}], limit=8 * 1024 * 1024)

    assert caught.value.filter_name == "/FlateDecode"


def test_damaged_flate_ends_quietly():
    raw = zlib.compress(SAMPLE)[:40] + b"\xff" * 40

    scan = scan_stream(raw, ["/FlateDecode"], [{}], limit=10**9)

    assert scan.decoded_bytes < len(SAMPLE)


def test_unknown_filter_not_decoded():
    scan = scan_stream(b"data", ["/Crypt"], [{}], limit=10**9)

    assert scan.head == b"data"


def test_image_filter_gets_head():
    jpeg = io.BytesIO()
    Image.new("RGB", (320, 200), "white").save(jpeg, "JPEG")

    scan = scan_stream(zlib.compress(jpeg.getvalue()), ["/FlateDecode", "/DCTDecode"], [{}, {}], limit=10**9)

    assert scan.image_filter == "/DCTDecode"
    assert codec_pixel_size(scan.image_filter, scan.head, {}) == (320, 200)


# --- codec headers ---------------------------------------------------------------------------


@pytest.mark.parametrize("progressive", [False, True])
def test_jpeg_size_read(progressive: bool):
    buffer = io.BytesIO()
    Image.new("L", (1234, 567), 200).save(buffer, "JPEG", progressive=progressive)

    assert jpeg_size(buffer.getvalue()) == (1234, 567)


@pytest.mark.skipif(not features.check("jpg_2000"), reason="Pillow built without OpenJPEG")
@pytest.mark.parametrize("no_jp2", [False, True])
def test_jpx_size_read(no_jp2: bool):
    buffer = io.BytesIO()
    Image.new("L", (640, 480), 200).save(buffer, "JPEG2000", no_jp2=no_jp2)

    assert jpx_size(buffer.getvalue()) == (640, 480)


def test_jbig2_size_read(corpus: Path):
    with pikepdf.open(corpus / "pdfjs_bomb_giant.pdf") as pdf:
        raw = pdf.pages[0].obj.Contents[1].read_raw_bytes()

    assert jbig2_size(raw) == (100_000, 100_000)


def test_ccitt_size_from_params():
    size = codec_pixel_size("/CCITTFaxDecode", b"", {"/Columns": 2480, "/Rows": 3508})

    assert size == (2480, 3508)


def test_garbage_has_no_size():
    assert jpeg_size(b"\xff\xd8\x00garbage") is None
    assert jbig2_size(b"\x00" * 3) is None
