"""OCR of pages without text, of degenerate images, and without a Tesseract binary."""

import pytesseract
import pytest
from PIL import Image

from ocr.page import ocr_image
from ocr.tesseract import OcrFailed


def test_white_page_empty():
    result = ocr_image(Image.new("L", (2480, 3508), 255))

    assert result.text == ""
    assert result.confidence == 0.0
    assert result.lines == ()


def test_one_pixel_image_empty():
    result = ocr_image(Image.new("RGB", (1, 1), (0, 0, 0)))

    assert result.text == ""


def test_speck_page_no_marks_only_lines():
    page = Image.new("L", (600, 400), 255)
    page.paste(0, (300, 200, 304, 204))

    result = ocr_image(page)

    assert all(line.text.strip() for line in result.lines)


def test_transparent_image_readable(corpus):
    page = Image.open(corpus / "pillow_arabic_unjoined_forms.png").convert("RGBA")

    result = ocr_image(page)

    assert "العربية" in result.text


def test_missing_tesseract_install_hint(monkeypatch, render_arabic_page):
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/tesseract")

    with pytest.raises(OcrFailed) as failure:
        ocr_image(render_arabic_page(["نص للتجربة"]))

    assert "tesseract-ocr and tesseract-ocr-ara" in str(failure.value)


def test_missing_language_named(render_arabic_page):
    with pytest.raises(OcrFailed) as failure:
        ocr_image(render_arabic_page(["نص للتجربة"]), languages="zzz")

    assert "zzz" in str(failure.value)
