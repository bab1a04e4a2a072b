"""The upload screen: roles, accepted and rejected files, metadata checks that keep the input."""

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from archive_api.documents.models import Document
from tests.factories.documents import render_arabic_page
from tests.web.pages import arabic, translated

FUTURE = date.today() + timedelta(days=3)
METADATA = {"title": "", "doc_type": "", "employee_number": "", "doc_date": ""}


@pytest.fixture(scope="module")
def scan_png() -> bytes:
    page = render_arabic_page(["قرار تعيين موظف جديد", "رقم الملف ٤٥٦٧"], dpi=100)
    buffer = io.BytesIO()
    page.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def clerk(client, hr):
    client.login("hr.clerk")
    return client


def _upload(client, files, metadata=None, headers=None):
    return client.post(
        "/upload", {**METADATA, **(metadata or {})}, files=[("files", item) for item in files], headers=headers or {},
    )


def test_reader_cannot_open_upload(client, hr):
    client.login("hr.reader")

    response = client.get("/upload")

    assert response.status_code == 403
    message = arabic("Your role (%(role)s) may not add documents; ask a clerk or an administrator.", role="reader")
    assert message in response.text


def test_reader_cannot_post_upload(client, hr, scan_png, archive):
    client.login("hr.reader")

    response = _upload(client, [("scan.png", scan_png, "image/png")])

    assert response.status_code == 403
    with archive.db.session(write=False) as session:
        assert session.scalars(select(Document)).first() is None


def test_upload_page_has_drop_zone(clerk):
    response = clerk.get("/upload")

    assert response.status_code == 200
    assert 'id="drop-zone"' in response.text
    assert 'type="file" name="files" multiple' in response.text


def test_upload_accepts_scan(clerk, scan_png, archive):
    response = _upload(clerk, [("قرار.png", scan_png, "image/png")], {"title": "قرار التعيين", "doc_type": "Decision"})

    assert response.status_code == 200
    with archive.db.session(write=False) as session:
        document = session.scalars(select(Document)).one()
    assert document.title == "قرار التعيين"
    assert document.doc_type == "decision"
    assert f'href="/documents/{document.id}"' in response.text
    assert f'href="/batches/{document.batch_id}"' in response.text
    assert arabic("Queued") in response.text


def test_upload_reports_each_file(clerk, scan_png):
    response = _upload(clerk, [("good.png", scan_png, "image/png"), ("empty.pdf", b"", "application/pdf")])

    assert response.status_code == 200
    assert arabic("%(name)s is empty (0 bytes). Upload the file again, or scan the document again.",
                  name="empty.pdf") in response.text
    assert arabic("Rejected") in response.text
    assert arabic("Follow the processing of this upload") in response.text


def test_upload_disguised_text_in_arabic(clerk):
    response = _upload(clerk, [("notes.png", "ملاحظات الاجتماع".encode(), "image/png")])

    message = arabic(
        "%(name)s is named like a %(claimed)s file, but its content is %(content)s. "
        "Upload the document as a %(accepted)s file.",
        name="notes.png", claimed="PNG", content=translated("plain text"),
        accepted=translated("PDF, PNG, JPEG, TIFF or WebP"),
    )
    assert message in response.text


def test_upload_all_rejected_keeps_metadata(clerk):
    response = _upload(clerk, [("empty.pdf", b"", "application/pdf")], {"title": "ملف فارغ"})

    assert response.status_code == 422
    assert 'value="ملف فارغ"' in response.text
    assert arabic("Follow the processing of this upload") not in response.text


def test_upload_duplicate_links_existing(clerk, scan_png):
    _upload(clerk, [("first.png", scan_png, "image/png")])

    response = _upload(clerk, [("second.png", scan_png, "image/png")])

    assert arabic("This file is already in the archive, so no second copy was made.") in response.text


def test_upload_without_files(clerk):
    response = _upload(clerk, [], {"title": "بلا ملفات"})

    assert response.status_code == 400
    assert arabic("No file was sent; choose at least one PDF, PNG, JPEG, TIFF or WebP file.") in response.text
    assert 'value="بلا ملفات"' in response.text


@pytest.mark.parametrize(
    ("field", "value", "msgid", "params"),
    [
        ("title", "ع" * 501, "The title is %(length)d characters long; shorten it to 500.", {"length": 501}),
        ("doc_type", "عقد عمل", "Document type %(value)r is invalid; use up to 64 letters, digits, _ or -, for "
         "example contract.", {"value": "عقد عمل"}),
        ("employee_number", "12/34", "Employee number %(value)r is invalid; use up to 32 letters, digits or -.",
         {"value": "12/34"}),
        ("doc_date", "31/02/2020", "The %(field)s %(value)r is not a date; write it as YYYY-MM-DD, for example "
         "2019-07-21.", {"field": translated("document date"), "value": "31/02/2020"}),
        ("doc_date", FUTURE.isoformat(), "The document date %(value)s is in the future; check the date.",
         {"value": FUTURE}),
    ],
)
def test_upload_bad_metadata(clerk, scan_png, archive, field, value, msgid, params):
    other_values = {"title": "عنوان", "doc_type": "contract", "employee_number": "E-1", "doc_date": "2019-07-21"}

    response = _upload(clerk, [("scan.png", scan_png, "image/png")], {**other_values, field: value})

    assert response.status_code == 422
    assert f'id="f-{field}-error"' in response.text
    assert f'value="{value}"' in response.text
    for name, typed in other_values.items():
        if name != field:
            assert f'value="{typed}"' in response.text
    assert arabic(msgid, **params) in response.text
    with archive.db.session(write=False) as session:
        assert session.scalars(select(Document)).first() is None


def test_upload_date_arabic_digits(clerk, scan_png, archive):
    response = _upload(clerk, [("scan.png", scan_png, "image/png")], {"doc_date": "٢١/٠٧/٢٠١٩"})

    assert response.status_code == 200
    with archive.db.session(write=False) as session:
        assert session.scalars(select(Document)).one().doc_date == date(2019, 7, 21)


def test_upload_htmx_returns_panel(clerk, scan_png):
    response = _upload(clerk, [("scan.png", scan_png, "image/png")], headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="upload-panel"')
    assert "<html" not in response.text


def test_upload_without_csrf_rejected(clerk, scan_png):
    response = clerk.http.post("/upload", files=[("files", ("scan.png", scan_png, "image/png"))],
                               follow_redirects=False)

    assert response.status_code == 403
