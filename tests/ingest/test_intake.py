"""Intake checks on real corpus files and on generated good, broken and hostile files."""

import os
import pickle
import time
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from ingest.intake import describe_content, inspect_file, inspect_file_isolated, safe_display_name
from ingest.isolation import run_isolated
from ingest.rejections import (
    CorruptFile,
    DecompressionBomb,
    EmptyFile,
    EncryptedPdf,
    FileTooLarge,
    ImageTooLarge,
    InspectionFailed,
    RejectedFile,
    TooManyPages,
    UnsupportedFileType,
)
from tests.factories.documents import (
    A3_MM,
    A4_MM,
    SAMPLE_ARABIC_LINES,
    blank_scan,
    image_bytes,
    make_blank_pdf,
    make_declared_image_pdf,
    make_disguised_file,
    make_inline_image_pdf,
    make_many_pages_pdf,
    make_multipage_tiff,
    make_nested_flate_pdf,
    make_owner_password_pdf,
    make_png_header_bomb,
    make_scanned_pdf,
    make_text_pdf,
    make_tiff_header_bomb,
    make_truncated,
    make_user_password_pdf,
    render_arabic_page,
)

MEBIBYTE = 1024 * 1024


# --- accepted files --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind", "pages"),
    [
        ("docling_right_to_left_01_ar_en.pdf", "pdf", 1),
        ("pypdf-samples_habibi_rotated.pdf", "pdf", 4),
        ("ocrmypdf_linn_scanned_no_text.pdf", "pdf", 1),
        ("leptonica_arabic_2col_scan.png", "png", 1),
        ("kraken_arabic_book_page.webp", "webp", 1),
        ("tesseract-test_arabic.tif", "tiff", 1),
    ],
)
def test_corpus_file_accepted(corpus: Path, limits, name: str, kind: str, pages: int):
    facts = inspect_file(corpus / name, name, limits)

    assert facts.kind == kind
    assert facts.page_count == pages
    assert facts.encrypted is False


def test_png_named_jpg_accepted_as_png(corpus: Path, limits):
    # The corpus file carries a .jpg name but PNG content.
    facts = inspect_file(corpus / "hy-arabic-ocr_capr14_news.jpg", "news.jpg", limits)

    assert facts.kind == "png"
    assert facts.mime == "image/png"


def test_jpeg_named_tiff_accepted_as_jpeg(write_file, limits):
    path = write_file("scan.tiff", image_bytes(blank_scan(A4_MM, 100), "JPEG"))

    assert inspect_file(path, "scan.tiff", limits).kind == "jpeg"


def test_pdf_named_png_accepted_as_pdf(write_file, limits):
    path = write_file("scan.png", make_text_pdf(SAMPLE_ARABIC_LINES))

    assert inspect_file(path, "scan.png", limits).kind == "pdf"


def test_generated_text_pdf_accepted(write_file, limits):
    path = write_file("letter.pdf", make_text_pdf(SAMPLE_ARABIC_LINES))

    facts = inspect_file(path, "letter.pdf", limits)

    assert facts.kind == "pdf"
    assert facts.page_count == 1


def test_scanned_pdf_accepted(write_file, limits):
    pages = [render_arabic_page(SAMPLE_ARABIC_LINES, dpi=150) for _ in range(2)]
    path = write_file("scan.pdf", make_scanned_pdf(pages, dpi=150))

    assert inspect_file(path, "scan.pdf", limits).page_count == 2


def test_owner_password_pdf_accepted(write_file, limits):
    path = write_file("locked.pdf", make_owner_password_pdf(make_text_pdf(SAMPLE_ARABIC_LINES)))

    facts = inspect_file(path, "locked.pdf", limits)

    assert facts.kind == "pdf"
    assert facts.encrypted is True


def test_multipage_tiff_counts_frames(write_file, limits):
    frames = [blank_scan(A4_MM, 100) for _ in range(3)]
    path = write_file("file.tif", make_multipage_tiff(frames, compression="group4"))

    assert inspect_file(path, "file.tif", limits).page_count == 3


def test_a3_grey_scan_at_600_dpi_accepted(write_file, limits):
    scan = blank_scan(A3_MM, 600)
    path = write_file("a3.png", image_bytes(scan, "PNG", dpi=(600, 600), compress_level=1))

    facts = inspect_file(path, "a3.png", limits)

    assert scan.width * scan.height > 69_000_000
    assert facts.kind == "png"


def test_flate_chain_below_limit_accepted(write_file, limits):
    path = write_file("chain.pdf", make_nested_flate_pdf(2 * MEBIBYTE))

    assert inspect_file(path, "chain.pdf", limits).kind == "pdf"


# --- size and type ---------------------------------------------------------------------------


def test_empty_file_rejected(write_file, limits):
    path = write_file("empty.pdf", b"")

    with pytest.raises(EmptyFile) as caught:
        inspect_file(path, "empty.pdf", limits)

    assert caught.value.http_status == 422
    assert "empty.pdf" in str(caught.value)


def test_large_file_rejected(write_file, limits):
    path = write_file("big.pdf", make_text_pdf(SAMPLE_ARABIC_LINES))
    tiny = replace(limits, max_bytes=1000)

    with pytest.raises(FileTooLarge) as caught:
        inspect_file(path, "big.pdf", tiny)

    assert caught.value.http_status == 413
    assert "DIWAN_MAX_UPLOAD_BYTES" in str(caught.value)


@pytest.mark.parametrize(
    ("content", "name", "description"),
    [
        ("html", "contract.pdf", "an HTML page"),
        ("zip", "contract.pdf", "a ZIP archive"),
        ("exe", "contract.pdf", "a Windows program"),
        ("text", "photo.png", "plain text"),
    ],
)
def test_disguised_file_rejected(write_file, limits, content: str, name: str, description: str):
    path = write_file(name, make_disguised_file(content))

    with pytest.raises(UnsupportedFileType) as caught:
        inspect_file(path, name, limits)

    message = str(caught.value)
    assert caught.value.http_status == 415
    assert name in message
    assert description in message
    assert "PDF, PNG, JPEG, TIFF or WebP" in message


def test_gif_bomb_rejected_as_gif(corpus: Path, limits):
    with pytest.raises(UnsupportedFileType) as caught:
        inspect_file(corpus / "pillow_decompression_bomb.gif", "bomb.gif", limits)

    assert "a GIF image" in str(caught.value)
    assert "PNG" in str(caught.value)


@pytest.mark.parametrize(
    ("head", "description"),
    [
        (b"GIF89a\x01\x00", "a GIF image"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00", "an old Microsoft Office document"),
        (b"\x7fELF\x02\x01", "a Linux program"),
        (b"\xef\xbb\xbf<html><body>", "an HTML page"),
        (b"\x00\x01\x02\x03\xff\xfe", "unrecognised binary data"),
    ],
)
def test_content_described(head: bytes, description: str):
    assert describe_content(head) == description


# --- PDFs ------------------------------------------------------------------------------------


def test_corrupt_pdf_rejected(corpus: Path, limits):
    with pytest.raises(CorruptFile) as caught:
        inspect_file(corpus / "ocrmypdf_invalid.pdf", "invalid.pdf", limits)

    message = str(caught.value)
    assert caught.value.http_status == 422
    assert "damaged" in message
    assert "Scan the document again or export it again" in message


def test_truncated_pdf_rejected(write_file, limits):
    pages = [render_arabic_page(SAMPLE_ARABIC_LINES, dpi=100)]
    path = write_file("cut.pdf", make_truncated(make_scanned_pdf(pages, dpi=100), keep=0.3))

    with pytest.raises(CorruptFile):
        inspect_file(path, "cut.pdf", limits)


def test_user_password_pdf_rejected(corpus: Path, limits):
    with pytest.raises(EncryptedPdf) as caught:
        inspect_file(corpus / "pdfminer_aes-256-r6_encrypted.pdf", "secret.pdf", limits)

    message = str(caught.value)
    assert caught.value.http_status == 422
    assert "password" in message
    assert "unprotected copy" in message


def test_generated_user_password_pdf_rejected(write_file, limits):
    path = write_file("secret.pdf", make_user_password_pdf(make_text_pdf(SAMPLE_ARABIC_LINES)))

    with pytest.raises(EncryptedPdf):
        inspect_file(path, "secret.pdf", limits)


def test_many_pages_rejected(write_file, limits):
    path = write_file("long.pdf", make_many_pages_pdf(5000))

    with pytest.raises(TooManyPages) as caught:
        inspect_file(path, "long.pdf", limits)

    message = str(caught.value)
    assert path.stat().st_size < 200_000
    assert "5000 pages" in message
    assert "DIWAN_MAX_PAGES" in message


def test_jbig2_bomb_rejected(corpus: Path, limits):
    with pytest.raises(ImageTooLarge) as caught:
        inspect_file(corpus / "pdfjs_bomb_giant.pdf", "giant.pdf", limits)

    message = str(caught.value)
    assert caught.value.http_status == 422
    assert "10,000,000,000 pixels" in message
    assert "DIWAN_MAX_IMAGE_PIXELS" in message


def test_huge_monochrome_image_rejected(corpus: Path, limits):
    with pytest.raises(ImageTooLarge) as caught:
        inspect_file(corpus / "ocrmypdf_hugemono_35000px.pdf", "hugemono.pdf", limits)

    assert "35000 × 35000" in str(caught.value)
    assert "1,225,000,000 pixels" in str(caught.value)


def test_declared_image_size_rejected(write_file, limits):
    path = write_file("image.pdf", make_declared_image_pdf(40_000, 40_000))

    with pytest.raises(ImageTooLarge) as caught:
        inspect_file(path, "image.pdf", limits)

    assert "1,600,000,000 pixels" in str(caught.value)


def test_inline_image_size_rejected(write_file, limits):
    path = write_file("inline.pdf", make_inline_image_pdf(100_000, 100_000))

    with pytest.raises(ImageTooLarge) as caught:
        inspect_file(path, "inline.pdf", limits)

    assert "100000 × 100000" in str(caught.value)


def test_small_inline_image_accepted(write_file, limits):
    path = write_file("inline.pdf", make_inline_image_pdf(8, 8))

    assert inspect_file(path, "inline.pdf", limits).kind == "pdf"


def test_huge_media_box_rejected(write_file, limits):
    # 14400 points is 200 inches: 60000 pixels a side at 300 dpi.
    path = write_file("poster.pdf", make_blank_pdf(14400, 14400))

    with pytest.raises(ImageTooLarge) as caught:
        inspect_file(path, "poster.pdf", limits)

    message = str(caught.value)
    assert "Page 1" in message
    assert "3,600,000,000 pixels" in message
    assert "DIWAN_MAX_IMAGE_PIXELS" in message


def test_nested_flate_bomb_rejected(write_file, limits):
    # 600 MiB of zeros deflated twice fit in about 2 kB, and the default cap is 512 MiB.
    path = write_file("bomb.pdf", make_nested_flate_pdf(600 * MEBIBYTE))

    with pytest.raises(DecompressionBomb) as caught:
        inspect_file(path, "bomb.pdf", limits)

    message = str(caught.value)
    assert path.stat().st_size < 10_000
    assert caught.value.http_status == 422
    assert "DIWAN_MAX_INFLATED_BYTES" in message


def test_triple_flate_bomb_rejected(write_file, limits):
    path = write_file("bomb3.pdf", make_nested_flate_pdf(40 * MEBIBYTE, levels=3))
    small = replace(limits, max_inflated_bytes=16 * MEBIBYTE)

    with pytest.raises(DecompressionBomb) as caught:
        inspect_file(path, "bomb3.pdf", small)

    assert "16.0 MB" in str(caught.value)


def test_encrypted_bomb_rejected(write_file, limits):
    # Saving with encryption re-deflates the chain once, which still expands 40 MiB from 40 kB.
    path = write_file("locked-bomb.pdf", make_owner_password_pdf(make_nested_flate_pdf(40 * MEBIBYTE)))
    small = replace(limits, max_inflated_bytes=16 * MEBIBYTE)

    with pytest.raises(DecompressionBomb):
        inspect_file(path, "locked-bomb.pdf", small)


# --- images ----------------------------------------------------------------------------------


def test_png_header_bomb_rejected(write_file, limits):
    path = write_file("bomb.png", make_png_header_bomb(100_000, 100_000))

    with pytest.raises(ImageTooLarge) as caught:
        inspect_file(path, "bomb.png", limits)

    message = str(caught.value)
    assert "100000 × 100000" in message
    assert "300,000,000 pixels (DIWAN_MAX_IMAGE_PIXELS)" in message


def test_tiff_header_bomb_rejected(write_file, limits):
    path = write_file("bomb.tif", make_tiff_header_bomb(60_000, 60_000))

    with pytest.raises(ImageTooLarge) as caught:
        inspect_file(path, "bomb.tif", limits)

    assert "3,600,000,000 pixels" in str(caught.value)


def test_tiff_frames_add_up(write_file, small_limits):
    # Each 600 x 600 frame fits under 1 megapixel, but three together do not.
    frames = [Image.new("L", (600, 600), 255) for _ in range(3)]
    path = write_file("frames.tif", make_multipage_tiff(frames))

    with pytest.raises(ImageTooLarge) as caught:
        inspect_file(path, "frames.tif", small_limits)

    message = str(caught.value)
    assert "3 pages" in message
    assert "1,080,000 pixels" in message


def test_tiff_frames_over_page_limit(write_file, limits):
    frames = [Image.new("L", (50, 50), 255) for _ in range(4)]
    path = write_file("frames.tif", make_multipage_tiff(frames))

    with pytest.raises(TooManyPages) as caught:
        inspect_file(path, "frames.tif", replace(limits, max_pages=3))

    assert "DIWAN_MAX_PAGES" in str(caught.value)


def test_image_over_limit_names_limit(write_file, small_limits):
    path = write_file("photo.jpg", image_bytes(Image.new("L", (1200, 1000), 255), "JPEG"))

    with pytest.raises(ImageTooLarge) as caught:
        inspect_file(path, "photo.jpg", small_limits)

    message = str(caught.value)
    assert "1200 × 1000" in message
    assert "1,000,000 pixels (DIWAN_MAX_IMAGE_PIXELS)" in message


@pytest.mark.parametrize(("image_format", "name"), [("JPEG", "cut.jpg"), ("PNG", "cut.png"), ("WEBP", "cut.webp")])
def test_truncated_image_rejected(write_file, limits, image_format: str, name: str):
    page = render_arabic_page(SAMPLE_ARABIC_LINES, dpi=100).convert("RGB")
    path = write_file(name, make_truncated(image_bytes(page, image_format)))

    with pytest.raises(CorruptFile) as caught:
        inspect_file(path, name, limits)

    assert name in str(caught.value)


def test_truncated_tiff_frame_rejected(write_file, limits):
    frames = [render_arabic_page(SAMPLE_ARABIC_LINES, dpi=100) for _ in range(2)]
    data = make_multipage_tiff(frames, compression="tiff_lzw")
    # Keep both headers but damage the strip data of the frames.
    damaged = data[:200] + bytes(len(data) - 400) + data[-200:]
    path = write_file("damaged.tif", damaged)

    with pytest.raises(RejectedFile):
        inspect_file(path, "damaged.tif", limits)


# --- errors across processes -----------------------------------------------------------------


def test_rejection_pickles_with_params():
    error = TooManyPages("%(name)s has %(pages)s pages", name="a.pdf", pages=5)

    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - the test pickled this object itself

    assert type(copy) is TooManyPages
    assert copy.message == "%(name)s has %(pages)s pages"
    assert copy.params == {"name": "a.pdf", "pages": 5}


# --- isolation -------------------------------------------------------------------------------


def test_isolated_inspection_accepts(corpus: Path, limits):
    facts = inspect_file_isolated(corpus / "tabula_arabic_table.pdf", "table.pdf", limits, 2048, 60)

    assert facts.kind == "pdf"
    assert facts.page_count == 1


def test_isolated_inspection_rejects(corpus: Path, limits):
    with pytest.raises(ImageTooLarge) as caught:
        inspect_file_isolated(corpus / "pdfjs_bomb_giant.pdf", "giant.pdf", limits, 2048, 60)

    assert caught.value.params["name"] == "giant.pdf"
    assert "DIWAN_MAX_IMAGE_PIXELS" in str(caught.value)


def test_isolated_timeout_rejected():
    with pytest.raises(InspectionFailed) as caught:
        run_isolated(time.sleep, (30,), display_name="slow.pdf", memory_mb=2048, timeout_s=0.5)

    assert "slow.pdf" in str(caught.value)
    assert "0.5 seconds" in str(caught.value)


def test_isolated_crash_rejected():
    with pytest.raises(InspectionFailed) as caught:
        run_isolated(os.abort, (), display_name="crash.pdf", memory_mb=2048, timeout_s=30)

    assert "crash" in str(caught.value)


def test_isolated_memory_cap_rejected():
    with pytest.raises(InspectionFailed) as caught:
        run_isolated(bytearray, (900 * MEBIBYTE,), display_name="huge.pdf", memory_mb=600, timeout_s=30)

    assert "600 MiB" in str(caught.value)
    assert "DIWAN_WORKER_MEMORY_MB" in str(caught.value)


def test_isolation_recovers_after_crash():
    with pytest.raises(InspectionFailed):
        run_isolated(os.abort, (), display_name="crash.pdf", memory_mb=2048, timeout_s=30)

    assert run_isolated(sum, ([1, 2, 3],), display_name="sum", memory_mb=2048, timeout_s=30) == 6


# --- display names ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\scan.pdf", "scan.pdf"),
        ("ملف الموظف ٢٠١٩.pdf", "ملف الموظف ٢٠١٩.pdf"),
        ("scan\x00.pdf", "scan.pdf"),
        ("report\u202efdp.exe", "reportfdp.exe"),
        ("line\nbreak.pdf", "linebreak.pdf"),
        ("..", "document"),
        ("", "document"),
        ("   ", "document"),
        ("folder/", "folder"),
        ("e\u0301tat.pdf", "\u00e9tat.pdf"),
        ("نامه\u200cها.pdf", "نامه\u200cها.pdf"),
    ],
)
def test_display_name_cleaned(raw: str, expected: str):
    assert safe_display_name(raw) == expected


def test_long_display_name_keeps_extension():
    name = safe_display_name("ملف" * 100 + ".pdf")

    assert len(name) <= 120
    assert name.endswith(".pdf")
