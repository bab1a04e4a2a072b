"""Cases met in real archives, each run through intake, extraction, OCR and search."""

import io
import re
import time
import unicodedata

import pytest
from PIL import Image

from archive_api.documents.models import Document, Page
from tests.factories.documents import (
    A3_MM,
    image_bytes,
    make_nested_flate_pdf,
    make_owner_password_pdf,
    make_text_pdf,
    render_arabic_page,
)
from tests.integration.conftest import STRIP_MM

PRESENTATION_FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")
ARABIC_MARKS = re.compile("[\u064b-\u0652\u0670\u0640]")
# Upload limits are checked in a separate process; a refusal taking longer than this means
# the check inflated or decoded the file instead of reading its headers.
REFUSAL_DEADLINE_S = 60


def _upload(api, *files: tuple[str, bytes]):
    payload = [("files", (name, io.BytesIO(data), "application/octet-stream")) for name, data in files]
    return api.post("/api/v1/documents", headers=api.tokens["hr.clerk"], files=payload)


def _ingest(api, drain, name: str, data: bytes) -> int:
    response = _upload(api, (name, data))
    assert response.status_code == 201, response.text
    document_id = response.json()["documents"][0]["id"]
    drain()
    return document_id


def _pages(archive, document_id: int) -> list[Page]:
    with archive.db.session(write=False) as session:
        return list(session.query(Page).filter(Page.document_id == document_id).order_by(Page.number))


def _search(api, query: str) -> list[int]:
    response = api.get("/api/v1/search", params={"q": query}, headers=api.tokens["hr.reader"])
    assert response.status_code == 200, response.text
    return [hit["id"] for hit in response.json()["hits"]]


def test_cid_truetype_ligature(api, drain, archive, corpus):
    document_id = _ingest(api, drain, "cid.pdf", (corpus / "pdfjs_ArabicCIDTrueType.pdf").read_bytes())
    [page] = _pages(archive, document_id)
    assert page.source == "text_layer"
    assert page.text.split("\n") == ["انواع الخطوط العربية"] * 4
    assert "اخلطوط" not in page.text
    assert _search(api, "الخطوط") == [document_id]


def test_diacritics_pdf_logical_order(api, drain, archive, corpus):
    document_id = _ingest(api, drain, "diacritics.pdf", (corpus / "pdfjs_issue5677_arabic_diacritics.pdf").read_bytes())
    [page] = _pages(archive, document_id)
    assert page.source == "text_layer"
    assert not PRESENTATION_FORMS.search(page.text)
    lines = [unicodedata.normalize("NFC", line) for line in page.text.split("\n")]
    assert lines == [unicodedata.normalize("NFC", line) for line in ("عذراً.", "إشترى", "ماذا؟", "السّيّدة")]
    assert _search(api, "السيدة") == [document_id]


def test_arabic_indic_years(api, drain, archive):
    lines = ["صدر القرار في ٢١/٠٧/١٩٩٦م", "تاريخ التعيين ٠١/٠٩/١٩٩٦م", "انتهت الخدمة عام ١٩٩٦م"]
    scan = image_bytes(render_arabic_page(lines, font_size=16, paper_mm=(180, 90)), "PNG", dpi=(300, 300))
    document_id = _ingest(api, drain, "years.png", scan)
    [page] = _pages(archive, document_id)
    stored_lines = [line for line in page.text.split("\n") if line.strip()]
    assert len(stored_lines) == 3
    for line in stored_lines:
        assert "1996" in line.translate(str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")), line
    assert "٦٩٩١" not in page.text
    assert "6991" not in page.text
    assert _search(api, "١٩٩٦") == [document_id]
    assert _search(api, "1996") == [document_id]


def test_vowelled_line(api, drain, archive):
    scan = image_bytes(render_arabic_page(["يُرْجَى مُرَاجَعَةُ الدَّائِرَةِ"], font_size=16), "PNG", dpi=(300, 300))
    document_id = _ingest(api, drain, "vowelled.png", scan)
    [page] = _pages(archive, document_id)
    lines = [line for line in page.text.split("\n") if line.strip()]
    assert [ARABIC_MARKS.sub("", line) for line in lines] == ["يرجى مراجعة الدائرة"]


@pytest.mark.parametrize(
    ("text", "query"),
    [("إعلان وظيفة شاغرة", "اعلان"), ("آلية التقديم", "الية"), ("مدرسة", "مدرسه"), ("مستشفى", "مستشفي"),
     ("الـتـوظـيـف", "التوظيف")],
)
def test_orthographic_variants(api, drain, text, query):
    document_id = _ingest(api, drain, "variant.pdf", make_text_pdf([text]))
    assert document_id in _search(api, query)


@pytest.mark.parametrize(
    ("name", "limit_setting"),
    [("pdfjs_bomb_giant.pdf", "DIWAN_MAX_IMAGE_PIXELS"), ("ocrmypdf_hugemono_35000px.pdf", "DIWAN_MAX_IMAGE_PIXELS")],
)
def test_corpus_bombs_refused(api, drain, corpus, name, limit_setting):
    good = image_bytes(render_arabic_page(["كتاب تعيين في وظيفة كاتب"], paper_mm=STRIP_MM), "PNG")
    started = time.monotonic()
    response = _upload(api, (name, (corpus / name).read_bytes()), ("good.png", good))
    assert time.monotonic() - started < REFUSAL_DEADLINE_S
    [rejected] = response.json()["rejected"]
    assert name in rejected["message"]
    assert limit_setting in rejected["message"]
    assert drain() == {response.json()["documents"][0]["id"]: "indexed"}


def test_gif_bomb_refused(api, corpus):
    response = _upload(api, ("bomb.gif", (corpus / "pillow_decompression_bomb.gif").read_bytes()))
    assert response.status_code == 415
    assert "bomb.gif" in response.json()["rejected"][0]["message"]


def test_nested_flate_bomb_refused(api):
    started = time.monotonic()
    response = _upload(api, ("nested.pdf", make_nested_flate_pdf(3 * 1024**3, levels=2)))
    assert time.monotonic() - started < REFUSAL_DEADLINE_S
    assert response.status_code == 422
    assert "DIWAN_MAX_INFLATED_BYTES" in response.json()["rejected"][0]["message"]


def test_encrypted_pdf_needs_password(api, corpus):
    response = _upload(api, ("locked.pdf", (corpus / "pdfminer_aes-256-r6_encrypted.pdf").read_bytes()))
    assert response.status_code == 422
    assert "password" in response.json()["rejected"][0]["message"]


def test_owner_password_pdf_ingested(api, drain, archive):
    data = make_owner_password_pdf(make_text_pdf(["شهادة خبرة عملية"]))
    document_id = _ingest(api, drain, "owner.pdf", data)
    assert "خبرة" in _pages(archive, document_id)[0].text


def test_corrupt_pdf_refused(api, corpus):
    response = _upload(api, ("invalid.pdf", (corpus / "ocrmypdf_invalid.pdf").read_bytes()))
    assert response.status_code == 422
    assert "damaged" in response.json()["rejected"][0]["message"]


def _a3_scan(corpus, dpi: int) -> bytes:
    """The real two-column scan enlarged to an A3 page at the given resolution, in grey."""
    scan = Image.open(corpus / "leptonica_arabic_2col_scan.png").convert("L")
    size = (round(A3_MM[0] / 25.4 * dpi), round(A3_MM[1] / 25.4 * dpi))
    return image_bytes(scan.resize(size, Image.Resampling.BILINEAR), "PNG", dpi=(dpi, dpi), compress_level=1)


@pytest.mark.slow
def test_a3_600_dpi_scan_ocred(api, drain, archive, corpus):
    document_id = _ingest(api, drain, "a3-600.png", _a3_scan(corpus, 600))
    with archive.db.session(write=False) as session:
        assert session.get(Document, document_id).status == "indexed"
    [page] = _pages(archive, document_id)
    assert page.source == "ocr"
    assert len(page.text.split()) > 200


@pytest.mark.slow
def test_a3_1200_dpi_scan_downscaled(api, drain, archive, corpus):
    document_id = _ingest(api, drain, "a3-1200.png", _a3_scan(corpus, 1200))
    with archive.db.session(write=False) as session:
        document = session.get(Document, document_id)
        assert document.status == "indexed", document.error_message
    [page] = _pages(archive, document_id)
    assert len(page.text.split()) > 200
    assert page.width * page.height < 100_000_000
