"""Page rendering from PDFs and image files: size, orientation, colour mode and pixel caps."""

from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image, ImageStat

from ingest.intake import inspect_file
from ingest.render import make_thumbnail, page_count, render_page
from ingest.types import FileFacts
from tests.factories.documents import (
    A3_MM,
    A4_MM,
    SAMPLE_ARABIC_LINES,
    blank_scan,
    image_bytes,
    make_multipage_tiff,
    make_scanned_pdf,
    make_text_pdf,
    page_size_pixels,
    render_arabic_page,
)

A4_AT_300_DPI = page_size_pixels(A4_MM, 300)
A3_AT_300_DPI = page_size_pixels(A3_MM, 300)


def close_to(size: tuple[int, int], expected: tuple[int, int], tolerance: int = 2) -> bool:
    return all(abs(actual - wanted) <= tolerance for actual, wanted in zip(size, expected, strict=True))


def ink_share(image: Image.Image) -> float:
    """Share of dark pixels, to tell a drawn page from a blank one."""
    grey = image.convert("L")
    histogram = grey.histogram()
    return sum(histogram[:128]) / (grey.width * grey.height)


# --- PDFs ------------------------------------------------------------------------------------


def test_pdf_page_at_300_dpi(tmp_path: Path, limits):
    path = tmp_path / "letter.pdf"
    path.write_bytes(make_text_pdf(SAMPLE_ARABIC_LINES))
    facts = inspect_file(path, "letter.pdf", limits)

    page = render_page(path, facts, 1, 300, limits)

    assert page.mode == "RGB"
    assert close_to(page.size, A4_AT_300_DPI)
    assert ink_share(page) > 0.001


@pytest.mark.parametrize(("number", "landscape"), [(1, True), (2, False), (3, True), (4, False)])
def test_pdf_rotate_honoured(corpus: Path, limits, number: int, landscape: bool):
    path = corpus / "pypdf-samples_habibi_rotated.pdf"
    facts = inspect_file(path, "habibi.pdf", limits)

    page = render_page(path, facts, number, 72, limits)

    assert (page.width > page.height) is landscape


def test_pdf_page_capped_at_pixel_limit(tmp_path: Path, limits):
    path = tmp_path / "letter.pdf"
    path.write_bytes(make_text_pdf(SAMPLE_ARABIC_LINES))
    facts = inspect_file(path, "letter.pdf", limits)
    capped = replace(limits, max_image_pixels=1_000_000)

    page = render_page(path, facts, 1, 300, capped)

    assert page.width * page.height <= 1_000_000
    assert page.width * page.height > 950_000
    assert abs(page.height / page.width - 297 / 210) < 0.01


def test_pdf_page_count(corpus: Path, limits):
    path = corpus / "pypdf-samples_habibi_rotated.pdf"

    assert page_count(path, inspect_file(path, "habibi.pdf", limits)) == 4


def test_pdf_page_outside_document(corpus: Path, limits):
    path = corpus / "tabula_arabic_table.pdf"
    facts = inspect_file(path, "table.pdf", limits)

    with pytest.raises(ValueError):
        render_page(path, facts, 2, 72, limits)


def test_scanned_pdf_keeps_ink(tmp_path: Path, limits):
    path = tmp_path / "scan.pdf"
    path.write_bytes(make_scanned_pdf([render_arabic_page(SAMPLE_ARABIC_LINES, dpi=200)], dpi=200))
    facts = inspect_file(path, "scan.pdf", limits)

    page = render_page(path, facts, 1, 300, limits)

    assert close_to(page.size, A4_AT_300_DPI)
    assert ink_share(page) > 0.001


# --- image files -----------------------------------------------------------------------------


def test_tiff_frames_are_pages(tmp_path: Path, limits):
    frames = [blank_scan(A4_MM, 100), Image.new("L", (400, 300), 0), blank_scan(A4_MM, 100)]
    path = tmp_path / "file.tif"
    path.write_bytes(make_multipage_tiff(frames, dpi=100))
    facts = inspect_file(path, "file.tif", limits)

    second = render_page(path, facts, 2, 300, limits)

    assert page_count(path, facts) == 3
    assert second.size == (400, 300)
    assert ink_share(second) == 1.0


def test_tiff_page_outside_file(tmp_path: Path, limits):
    path = tmp_path / "file.tif"
    path.write_bytes(make_multipage_tiff([blank_scan(A4_MM, 100)] * 2, dpi=100))
    facts = inspect_file(path, "file.tif", limits)

    with pytest.raises(ValueError):
        render_page(path, facts, 3, 300, limits)


def test_group4_tiff_becomes_greyscale(tmp_path: Path, limits):
    path = tmp_path / "fax.tif"
    scan = render_arabic_page(SAMPLE_ARABIC_LINES, dpi=200)
    path.write_bytes(make_multipage_tiff([scan], compression="group4", dpi=200))
    facts = inspect_file(path, "fax.tif", limits)

    page = render_page(path, facts, 1, 300, limits)

    assert page.mode == "L"
    assert ink_share(page) > 0.001


def test_exif_orientation_applied(tmp_path: Path, limits):
    upright = Image.new("RGB", (300, 200), "white")
    upright.paste((0, 0, 0), (0, 0, 100, 200))  # black band on the left
    exif = Image.Exif()
    exif[0x0112] = 6  # stored on its side, so viewers turn it 90 degrees clockwise
    path = tmp_path / "photo.jpg"
    path.write_bytes(image_bytes(upright, "JPEG", exif=exif, quality=95))
    facts = inspect_file(path, "photo.jpg", limits)

    page = render_page(path, facts, 1, 300, limits)
    top_band = page.crop((0, 0, page.width, 50))

    assert page.size == (200, 300)
    assert ImageStat.Stat(top_band).mean[0] < 30


@pytest.mark.parametrize("mode", ["RGBA", "LA", "P", "CMYK", "I;16", "1"])
def test_modes_become_l_or_rgb(tmp_path: Path, limits, mode: str):
    source = blank_scan(A4_MM, 50).convert("RGB")
    if mode == "I;16":
        source = Image.new("I;16", (400, 300), 0)
        source.paste(4000, (0, 0, 200, 300))
    else:
        source = source.convert(mode)
    image_format = {"CMYK": "JPEG", "I;16": "TIFF"}.get(mode, "PNG")
    path = tmp_path / f"page.{image_format.lower()}"
    path.write_bytes(image_bytes(source, image_format))
    facts = inspect_file(path, path.name, limits)

    page = render_page(path, facts, 1, 300, limits)

    assert page.mode in ("L", "RGB")
    assert page.convert("L").getextrema() == (0, 255)


def test_transparent_png_on_white(tmp_path: Path, limits):
    path = tmp_path / "clear.png"
    path.write_bytes(image_bytes(Image.new("RGBA", (100, 100), (0, 0, 0, 0)), "PNG"))
    facts = inspect_file(path, "clear.png", limits)

    page = render_page(path, facts, 1, 300, limits)

    assert page.getextrema() == ((255, 255), (255, 255), (255, 255))


def test_1200_dpi_a3_scan_scaled_to_300(tmp_path: Path, limits):
    # 278 megapixels, under the 300-megapixel intake limit, and without a resolution tag.
    scan = blank_scan(A3_MM, 1200)
    path = tmp_path / "a3.jpg"
    path.write_bytes(image_bytes(scan, "JPEG", quality=50))
    facts = inspect_file(path, "a3.jpg", limits)

    page = render_page(path, facts, 1, limits.ocr_dpi, limits)

    assert scan.width * scan.height > 270_000_000
    assert close_to(page.size, A3_AT_300_DPI, tolerance=4)
    assert ink_share(page) > 0.005


def test_tagged_1200_dpi_png_scaled_to_300(tmp_path: Path, limits):
    scan = blank_scan(A4_MM, 1200)
    path = tmp_path / "a4.png"
    path.write_bytes(image_bytes(scan, "PNG", dpi=(1200, 1200), compress_level=1))
    facts = inspect_file(path, "a4.png", limits)

    page = render_page(path, facts, 1, 300, limits)

    assert close_to(page.size, A4_AT_300_DPI)


def test_implausible_72_dpi_tag_ignored(tmp_path: Path, limits):
    scan = blank_scan(A4_MM, 300)
    path = tmp_path / "scan.jpg"
    path.write_bytes(image_bytes(scan, "JPEG", dpi=(72, 72)))
    facts = inspect_file(path, "scan.jpg", limits)

    page = render_page(path, facts, 1, 300, limits)

    assert page.size == scan.size


def test_fax_resolution_made_square(tmp_path: Path, limits):
    fax = Image.new("1", (1728, 1078), 1)
    path = tmp_path / "fax.tif"
    path.write_bytes(image_bytes(fax, "TIFF", compression="group4", dpi=(204, 98)))
    facts = inspect_file(path, "fax.tif", limits)

    page = render_page(path, facts, 1, 300, limits)

    assert page.width == 1728
    assert abs(page.height - round(1078 * 204 / 98)) <= 1


def test_small_image_not_enlarged(corpus: Path, limits):
    path = corpus / "tesseract-test_arabic.tif"
    facts = inspect_file(path, "arabic.tif", limits)

    page = render_page(path, facts, 1, 600, limits)

    assert page.size == Image.open(path).size


def test_image_capped_at_pixel_limit(tmp_path: Path, limits):
    path = tmp_path / "scan.png"
    path.write_bytes(image_bytes(blank_scan(A4_MM, 150), "PNG", dpi=(150, 150)))
    facts = inspect_file(path, "scan.png", limits)

    page = render_page(path, facts, 1, 300, replace(limits, max_image_pixels=500_000))

    assert page.width * page.height <= 500_000


def test_webp_page_rendered(corpus: Path, limits):
    path = corpus / "kraken_arabic_book_page.webp"
    facts = inspect_file(path, "page.webp", limits)

    page = render_page(path, facts, 1, 300, limits)

    assert page.mode == "RGB"
    assert page.size == Image.open(path).size


def test_page_number_zero_rejected(corpus: Path):
    facts = FileFacts(kind="png", mime="image/png", page_count=1)

    with pytest.raises(ValueError):
        render_page(corpus / "leptonica_arabic_2col_scan.png", facts, 0, 300)


# --- thumbnails ------------------------------------------------------------------------------


def test_thumbnail_fits_square():
    page = blank_scan(A4_MM, 100)

    thumbnail = make_thumbnail(page, max_side=200)

    assert max(thumbnail.size) == 200
    assert thumbnail.mode == "L"
    assert page.size == page_size_pixels(A4_MM, 100)


def test_thumbnail_of_rgba_is_rgb():
    thumbnail = make_thumbnail(Image.new("RGBA", (1000, 500), (10, 20, 30, 255)))

    assert thumbnail.mode == "RGB"
    assert thumbnail.size == (320, 160)
