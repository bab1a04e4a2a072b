"""OCR of pages with little text: one word, one short line, short lines far apart."""

import logging

import pytest

import ocr.page
from ocr.page import ocr_image
from ocr.postprocess import strip_arabic_diacritics
from ocr.tesseract import detect_orientation
from tests.factories.documents import A4_MM, render_arabic_page

STRIP_MM = (180, 60)

# (text, right end in mm from the left edge, vertical middle in mm from the top edge)
LAYOUTS = {
    "one_word": {
        STRIP_MM: [("موافق", 153, 18)],
        A4_MM: [("موافق", 178, 101)],
    },
    "two_words": {
        STRIP_MM: [("طلب نقل", 153, 18)],
        A4_MM: [("طلب نقل", 178, 101)],
    },
    # A letterhead and, far below and to the left, a signature line.
    "far_line": {
        STRIP_MM: [("قرار تعيين في وظيفة كاتب", 162, 9), ("دائرة الموارد البشرية", 162, 18),
                   ("مدير الدائرة", 63, 51)],
        A4_MM: [("قرار تعيين في وظيفة كاتب", 189, 65), ("دائرة الموارد البشرية", 189, 101),
                ("مدير الدائرة", 74, 232)],
    },
    # Three filled fields of a form, each alone in its part of the page.
    "scattered": {
        STRIP_MM: [("الاسم الكامل", 162, 9), ("رقم الملف", 99, 30), ("التوقيع", 45, 51)],
        A4_MM: [("الاسم الكامل", 189, 65), ("رقم الملف", 116, 149), ("التوقيع", 53, 232)],
    },
}
PAPERS = {"strip": STRIP_MM, "a4": A4_MM}
FAMILIES = ["Amiri", "Noto Naskh Arabic"]
CASES = [(layout, paper, family) for layout in LAYOUTS for paper in PAPERS for family in FAMILIES]


@pytest.fixture(scope="module", params=CASES, ids=["-".join(case) for case in CASES])
def sparse_case(request, render_placed_lines):
    layout, paper, family = request.param
    placements = LAYOUTS[layout][PAPERS[paper]]
    page = render_placed_lines(placements, PAPERS[paper], family=family, font_size=16)
    result = ocr_image(page)
    expected = [text for text, _, _ in placements]
    lines = [strip_arabic_diacritics(line.text) for line in result.lines]
    return expected, lines


def test_sparse_page_every_line_read(sparse_case):
    expected, lines = sparse_case

    for text in expected:
        assert text in lines, lines


def test_sparse_page_lines_top_to_bottom(sparse_case):
    expected, lines = sparse_case

    assert [line for line in lines if line in expected] == expected


@pytest.mark.parametrize("paper", [STRIP_MM, A4_MM], ids=["strip", "a4"])
def test_two_word_line_not_empty(paper):
    # Automatic page segmentation finds no text block on this page.
    result = ocr_image(render_arabic_page(["طلب نقل"], font_size=16, paper_mm=paper))

    assert result.text == "طلب نقل"


def test_sparse_page_no_warning(caplog):
    page = render_arabic_page(["طلب نقل"], font_size=16, paper_mm=STRIP_MM)

    with caplog.at_level(logging.DEBUG, logger="ocr"):
        ocr_image(page)

    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]


def test_sparse_page_skips_orientation(monkeypatch):
    calls = []

    def counted(*args, **kwargs):
        calls.append(args)
        return real_detect(*args, **kwargs)

    real_detect = ocr.page.detect_orientation
    monkeypatch.setattr(ocr.page, "detect_orientation", counted)

    ocr_image(render_arabic_page(["طلب نقل"], font_size=16, paper_mm=A4_MM))

    assert calls == []


def test_orientation_unknown_quietly(tmp_path, caplog):
    path = tmp_path / "page.png"
    render_arabic_page(["طلب نقل"], font_size=16, paper_mm=A4_MM).save(path, dpi=(300, 300))

    with caplog.at_level(logging.DEBUG, logger="ocr"):
        orientation = detect_orientation(path)

    assert orientation is None
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]
