"""OCR of Arabic pages rendered with Pillow: dates, vowelled text and rotated scans."""

import re

import pytest

from ocr.page import ocr_image
from ocr.postprocess import is_only_marks, strip_arabic_diacritics, to_ascii_digits

DATED_LINES = [
    "صدر القرار في ٢١/٠٧/١٩٩٦م",
    "تاريخ التعيين ٠١/٠٩/١٩٩٦م",
    "انتهت الخدمة عام ١٩٩٦م",
]
LETTER = [
    "بناء على قرار مجلس الخدمة العامة رقم خمسة وعشرين",
    "تقرر تعيين السيد المذكور في وظيفة كاتب أول بالدائرة المالية",
    "على أن يباشر عمله اعتبارا من تاريخ صدور هذا القرار",
    "ويصرف له الراتب المقرر للدرجة السابعة مع العلاوات",
]


@pytest.fixture(scope="module")
def dated_page_lines(render_arabic_page):
    result = ocr_image(render_arabic_page(DATED_LINES, font_size=14))
    return [to_ascii_digits(line.text) for line in result.lines]


def test_dates_one_line_each(dated_page_lines):
    assert len(dated_page_lines) == 3


@pytest.mark.parametrize("number", [0, 1, 2])
def test_dates_year_present(dated_page_lines, number):
    assert re.search(r"(?<!\d)1996(?!\d)", dated_page_lines[number]), dated_page_lines[number]


def test_dates_never_reversed(dated_page_lines):
    assert not any("6991" in line for line in dated_page_lines)


@pytest.fixture(scope="module")
def vowelled_result(render_arabic_page):
    return ocr_image(render_arabic_page(["يُرْجَى مُرَاجَعَةُ الدَّائِرَةِ"], font_size=16))


def test_vowelled_line_single(vowelled_result):
    assert len(vowelled_result.lines) == 1


def test_vowelled_no_marks_only_line(vowelled_result):
    assert not any(is_only_marks(line.text.replace(" ", "")) for line in vowelled_result.lines)


def test_vowelled_line_text(vowelled_result):
    assert strip_arabic_diacritics(vowelled_result.text) == "يرجى مراجعة الدائرة"


def test_vowelled_later_words(vowelled_result):
    assert "مراجعة الدائرة" in strip_arabic_diacritics(vowelled_result.text)


@pytest.mark.slow
def test_rotated_page_read(render_arabic_page):
    page = render_arabic_page(LETTER, font_size=14).rotate(90, expand=True)

    result = ocr_image(page)

    assert "مجلس الخدمة العامة" in result.text
