"""Page preparation on pages with little ink: contrast and scale."""

import pytest

from ocr.preprocess import choose_scale, stretch_contrast
from tests.factories.documents import A4_MM, render_arabic_page

STRIP_MM = (180, 60)


def _dark_pixels(image):
    return sum(image.histogram()[:128])


def test_one_line_contrast_keeps_strokes():
    # Clipping 0.5 % of all pixels at the dark end makes these strokes so bold that Tesseract
    # reads nothing on the page.
    page = render_arabic_page(["يرجى إرفاق صورة الهوية الشخصية"], font_size=16, paper_mm=STRIP_MM)

    stretched = stretch_contrast(page)

    assert _dark_pixels(stretched) <= 1.05 * _dark_pixels(page)


@pytest.mark.parametrize("paper", [STRIP_MM, A4_MM], ids=["strip", "a4"])
def test_two_word_page_not_enlarged(paper):
    # Rows of dots above and below the letters form bands of their own on this page.
    page = render_arabic_page(["طلب نقل"], font_size=16, paper_mm=paper)

    assert choose_scale(page, 300) == 1.0
