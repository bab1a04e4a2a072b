"""Arabic words that ara+eng misreads as Latin junk, read again as Arabic."""

from ocr.page import ocr_image
from ocr.postprocess import count_scripts, strip_arabic_diacritics
from tests.factories.documents import render_arabic_page

LETTER = [
    "بناء على قرار مجلس الخدمة العامة رقم خمسة وعشرين",
    "تقرر تعيين السيد المذكور في وظيفة كاتب أول بالدائرة المالية",
    "على أن يباشر عمله اعتبارا من تاريخ صدور هذا القرار",
    "ويصرف له الراتب المقرر للدرجة السابعة مع العلاوات",
]


def test_noto_letter_short_word_arabic(render_placed_lines):
    # Tesseract's ara+eng reads أول in Noto Naskh Arabic as "Jol" with confidence 90.
    placements = [(line, 185, 30 + 12 * number) for number, line in enumerate(LETTER)]
    page = render_placed_lines(placements, (210, 297), family="Noto Naskh Arabic", font_size=14)

    result = ocr_image(page)

    assert "كاتب أول" in result.text
    assert count_scripts(result.text)[1] == 0, result.text


def test_vowelled_line_on_strip():
    page = render_arabic_page(["يُرْجَى مُرَاجَعَةُ الدَّائِرَةِ"], font_size=16, paper_mm=(180, 60))

    result = ocr_image(page)

    assert strip_arabic_diacritics(result.text) == "يرجى مراجعة الدائرة"
