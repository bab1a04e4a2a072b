"""OCR of Arabic lines without digits: no digit may appear that the page does not have."""

import pytest

from ocr.page import ocr_image
from tests.factories.documents import render_arabic_page

STRIP_MM = (180, 60)
DIGIT_FREE_LINES = [
    "طلب نقل الموظف إلى دائرة أخرى",
    "إجازة سنوية بدون راتب",
    "قرار تعيين في وظيفة كاتب",
    "شهادة خبرة صادرة عن الدائرة",
    "يرجى إرفاق صورة الهوية الشخصية",
    "المدير العام لشؤون الموظفين",
    "تقرير الأداء السنوي للموظف",
    "نموذج طلب ترقية إلى الدرجة الأعلى",
    "كتاب شكر وتقدير",
    "استقالة من الخدمة",
]
FAMILIES = ["Amiri", "Noto Naskh Arabic"]


def _digit_words(text: str) -> list[str]:
    return [word for word in text.split()
            if any(character.isdigit() for character in word)
            and not any(character.isalpha() for character in word)]


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("line", DIGIT_FREE_LINES,
                         ids=[f"line{number}" for number in range(len(DIGIT_FREE_LINES))])
def test_digit_free_line_no_digit_words(render_placed_lines, line, family):
    page = render_placed_lines([(line, 162, 18)], STRIP_MM, family=family, font_size=16)

    result = ocr_image(page)

    assert _digit_words(result.text) == [], result.text


@pytest.mark.parametrize("paper", [STRIP_MM, (210, 297)], ids=["strip", "a4"])
def test_transfer_request_no_zero(paper):
    # The Arabic re-read of a word's crop can read a speck at the crop's edge as ٠.
    page = render_arabic_page(["طلب نقل الموظف إلى دائرة أخرى"], font_size=16, paper_mm=paper)

    result = ocr_image(page)

    assert result.text == "طلب نقل الموظف إلى دائرة أخرى"
