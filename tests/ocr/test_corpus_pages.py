"""OCR of real scans and captures from the test corpus, with real Tesseract."""

import pypdfium2
import pytest
from PIL import Image

from ocr.page import ocr_image
from ocr.postprocess import character_error_rate, normalise_whitespace

# Measured with this pipeline: 0.003 on capr14 (bare `tesseract -l ara+eng`: 0.038) and 0.010 on
# the LinnSequencer page (bare: 0.010). The limits leave room for other Tesseract builds.
MAX_CER_ARABIC_NEWS = 0.02
MAX_CER_ENGLISH_SCAN = 0.03


def _flat(text: str) -> str:
    return " ".join(normalise_whitespace(text).split())


def test_single_word_tiff(corpus):
    result = ocr_image(Image.open(corpus / "tesseract-test_arabic.tif"))

    assert "العربي" in result.text


def test_arabic_news_error_rate(corpus):
    reference = (corpus / "hy-arabic-ocr_capr14_news.gt.txt").read_text(encoding="utf-8")

    result = ocr_image(Image.open(corpus / "hy-arabic-ocr_capr14_news.jpg"))

    assert character_error_rate(_flat(reference), _flat(result.text)) < MAX_CER_ARABIC_NEWS


def test_mixed_line_logical_order(corpus):
    # Pillow drew "English عربي" right to left, so English stands at the right-hand end.
    result = ocr_image(Image.open(corpus / "pillow_direction_rtl_mixed.png"))

    assert "عربي" in result.text
    assert "English" in result.text
    assert result.text.index("English") < result.text.index("عربي")


def test_red_on_black_unjoined_forms(corpus):
    result = ocr_image(Image.open(corpus / "pillow_arabic_unjoined_forms.png"))

    assert "اللغة العربية" in result.text


def test_two_column_scan_words(corpus):
    result = ocr_image(Image.open(corpus / "leptonica_arabic_2col_scan.png"))

    # Words checked by eye on the scan: the first three from the right-hand column's first
    # paragraph, the last two from the left-hand column's first line.
    for word in ("وزارة", "الاتصال", "استراتيجية", "التواصل", "الجماهير"):
        assert word in result.text, word


def test_two_column_scan_right_column_first(corpus):
    result = ocr_image(Image.open(corpus / "leptonica_arabic_2col_scan.png"))

    assert result.text.index("الاتصال") < result.text.index("الجماهير")


def test_framed_book_page_words(corpus):
    result = ocr_image(Image.open(corpus / "kraken_arabic_book_page.webp"))

    for word in ("الميراث", "القاضى", "الصغائر", "الولاية", "الشرع"):
        assert word in result.text, word


@pytest.mark.slow
def test_english_scan_error_rate(corpus):
    reference = (corpus / "ocrmypdf_linn_scanned_no_text.gt.txt").read_text(encoding="utf-8")
    document = pypdfium2.PdfDocument(corpus / "ocrmypdf_linn_scanned_no_text.pdf")
    page = document[0].render(scale=300 / 72).to_pil()

    result = ocr_image(page, languages="eng")

    assert character_error_rate(_flat(reference), _flat(result.text)) < MAX_CER_ENGLISH_SCAN
