"""Text-layer extraction in logical order, on corpus PDFs and on PDFs shaped by HarfBuzz."""

import re
from pathlib import Path

import pytest

from ingest.pdf_text import extract_text_layer, open_text_layer
from tests.factories.documents import (
    SAMPLE_ARABIC_LINES,
    make_owner_password_pdf,
    make_scanned_pdf,
    make_text_pdf,
    render_arabic_page,
)

PRESENTATION_FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")


def lines_of(text: str | None) -> list[str]:
    assert text is not None
    return [line.strip() for line in text.splitlines() if line.strip()]


# --- corpus ----------------------------------------------------------------------------------


def test_cid_truetype_in_logical_order(corpus: Path):
    text = extract_text_layer(corpus / "pdfjs_ArabicCIDTrueType.pdf", 1)

    assert lines_of(text) == ["انواع الخطوط العربية"] * 4
    assert "اخلطوط" not in text
    assert not PRESENTATION_FORMS.search(text)


def test_diacritics_kept_in_order(corpus: Path):
    text = extract_text_layer(corpus / "pdfjs_issue5677_arabic_diacritics.pdf", 1)

    assert lines_of(text) == ["عذراً.", "إشترى", "ماذا؟", "السّيّدة"]
    assert not PRESENTATION_FORMS.search(text)


def test_mixed_arabic_english_prose(corpus: Path):
    text = extract_text_layer(corpus / "docling_right_to_left_01_ar_en.pdf", 1)

    assert lines_of(text)[0] == "تحسين الإنتاجية وحل المشكلات من خلال البرمجة بلغة R وPython"
    assert "مكتبة pandas في Python لإدارة البيانات بكفاءة" in text
    assert "nohtyP" not in text
    assert "sadnap" not in text


def test_table_cells_match_ground_truth(corpus: Path):
    text = extract_text_layer(corpus / "tabula_arabic_table.pdf", 1)
    ground_truth = (corpus / "tabula_arabic_table.gt.txt").read_text(encoding="utf-8")
    cells = [cell.strip() for cell in re.split("[\t\n]", ground_truth) if cell.strip()]

    missing = [cell for cell in cells if cell not in text]

    assert len(cells) == 9
    assert missing == []
    assert not PRESENTATION_FORMS.search(text)


@pytest.mark.parametrize(
    "name",
    [
        "pdfjs_ThuluthFeatures.pdf",
        "pdfjs_arial_unicode_ab_cidfont.pdf",
        "ocrmypdf_linn_scanned_no_text.pdf",
    ],
)
def test_unusable_layer_gives_none(corpus: Path, name: str):
    assert extract_text_layer(corpus / name, 1) is None


def test_free_text_annotations_extracted(corpus: Path):
    text = extract_text_layer(corpus / "pdfjs_issue20504_multiscript_annotations.pdf", 1)

    assert text is not None
    assert "مرحبا بالعالم" in lines_of(text)
    assert "Hello World" in lines_of(text)


@pytest.mark.parametrize(("page", "rotation"), [(1, 90), (2, 180), (3, 270), (4, 360)])
def test_rotated_pages_read_alike(corpus: Path, page: int, rotation: int):
    ground_truth = (corpus / "pypdf-samples_habibi_rotated.gt.txt").read_text(encoding="utf-8").strip()

    text = extract_text_layer(corpus / "pypdf-samples_habibi_rotated.pdf", page)

    assert ground_truth in text, f"/Rotate {rotation}"
    assert "ibiba" not in text


def test_persian_form_reads_in_order(corpus: Path):
    text = extract_text_layer(corpus / "docling_right_to_left_03_persian_form.pdf", 1)

    assert "شرکت بورس کالای ايران" in lines_of(text)
    assert "1403/10/04" in text


# --- generated PDFs --------------------------------------------------------------------------


def test_arabic_indic_date_in_order(tmp_path: Path):
    path = tmp_path / "decision.pdf"
    path.write_bytes(make_text_pdf(["صدر القرار في ٢١/٠٧/١٩٩٦م"]))

    text = extract_text_layer(path, 1)

    assert lines_of(text) == ["صدر القرار في ٢١/٠٧/١٩٩٦م"]
    assert "٦٩٩١" not in text


@pytest.mark.parametrize(
    "line",
    [
        "المادة (٣) من نظام الخدمة المدنية",
        "الموظف: أحمد محمد Ahmed رقم 12345",
        "لا إله إلا الله، السّيّدة عذراً",
        "رقم الملف ٤٥٦٧ الدرجة الثالثة",
        "Employee file 2019 is complete",
    ],
)
def test_shaped_line_round_trips(tmp_path: Path, line: str):
    path = tmp_path / "line.pdf"
    path.write_bytes(make_text_pdf([line]))

    assert lines_of(extract_text_layer(path, 1)) == [line]


@pytest.mark.parametrize("tilt", [2.5, -4, 90, 180])
def test_tilted_text_read_in_order(tmp_path: Path, tilt: float):
    path = tmp_path / "tilted.pdf"
    path.write_bytes(make_text_pdf(SAMPLE_ARABIC_LINES, tilt_degrees=tilt))

    assert lines_of(extract_text_layer(path, 1)) == SAMPLE_ARABIC_LINES


def test_owner_password_pdf_extracted(tmp_path: Path):
    path = tmp_path / "locked.pdf"
    path.write_bytes(make_owner_password_pdf(make_text_pdf(SAMPLE_ARABIC_LINES)))

    assert lines_of(extract_text_layer(path, 1)) == SAMPLE_ARABIC_LINES


def test_scanned_pdf_gives_none(tmp_path: Path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(make_scanned_pdf([render_arabic_page(SAMPLE_ARABIC_LINES, dpi=100)], dpi=100))

    assert extract_text_layer(path, 1) is None


# --- reader ----------------------------------------------------------------------------------


def test_reader_reads_every_page(corpus: Path):
    with open_text_layer(corpus / "pypdf-samples_habibi_rotated.pdf") as reader:
        texts = [reader.page_text(number) for number in range(1, len(reader) + 1)]

    assert len(texts) == 4
    assert all("habibi" in text for text in texts)


@pytest.mark.parametrize("page", [0, 5])
def test_page_outside_document_raises(corpus: Path, page: int):
    with pytest.raises(IndexError):
        extract_text_layer(corpus / "pypdf-samples_habibi_rotated.pdf", page)
