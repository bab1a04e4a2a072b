"""OCR of Arabic lines with English words: Arabic re-reading must leave real English alone."""

import pypdfium2
import pytest

from ocr.page import ocr_image

MIXED_LINES = [
    ("تم تثبيت مكتبة pandas على الخادم", ["pandas"]),
    ("يعمل البرنامج بلغة Python منذ سنوات", ["Python"]),
    ("التحليل الإحصائي بلغة R و Python", ["R", "Python"]),
    ("أرسل الملف بصيغة PDF إلى قسم HR", ["PDF", "HR"]),
    ("يستخدم الموظف نظام Oracle و Excel", ["Oracle", "Excel"]),
    ("شهادة ICDL في الحاسوب", ["ICDL"]),
]
ENGLISH_WORDS = [word for _, words in MIXED_LINES for word in words]
# Noto Naskh Arabic has no Latin letters, so the English words would be drawn as empty boxes.
FAMILIES = ["Amiri", "DejaVu Sans"]


@pytest.fixture(scope="module", params=FAMILIES)
def mixed_page_words(request, render_placed_lines):
    placements = [(line, 189, 30 + 12 * number) for number, (line, _) in enumerate(MIXED_LINES)]
    page = render_placed_lines(placements, (210, 297), family=request.param, font_size=16)
    return ocr_image(page).text.split()


@pytest.mark.parametrize("word", sorted(set(ENGLISH_WORDS)))
def test_mixed_lines_english_kept(mixed_page_words, word):
    assert word in mixed_page_words


@pytest.fixture(scope="module")
def docling_page_words(corpus):
    # An Arabic text page that names R, Python and pandas, rendered as a 300 dpi scan.
    document = pypdfium2.PdfDocument(corpus / "docling_right_to_left_01_ar_en.pdf")
    page = document[0].render(scale=300 / 72).to_pil()
    return ocr_image(page).text.split()


@pytest.mark.parametrize("word", ["pandas", "Python", "R"])
def test_docling_page_english_kept(docling_page_words, word):
    assert word in docling_page_words


def test_docling_page_arabic_read(docling_page_words):
    for word in ("الإنتاجية", "البيانات", "مكتبة"):
        assert word in docling_page_words, word
