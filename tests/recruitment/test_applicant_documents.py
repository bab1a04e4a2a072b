"""Applicant documents: the archive's intake checks, versions, own files only, thumbnails and use in applications."""

import json
from datetime import timedelta
from pathlib import Path

import pytest
from markupsafe import escape
from sqlalchemy import select

from archive_api.access.service import can_read
from archive_api.accounts.models import Department
from archive_api.accounts.service import get_user
from archive_api.documents.models import Document
from archive_api.i18n import gettext_for
from archive_api.settings import reset_settings
from archive_api.storage import original_key
from archive_api.timeutil import utcnow
from ingest.intake import inspect_file
from ingest.local_runner import run_locally
from ingest.rejections import RejectedFile
from recruitment.announcements.models import Announcement
from recruitment.applicants.documents import MAX_NOTE_LENGTH, current_versions
from recruitment.applicants.models import Applicant, ApplicantDocument, ApplicantDocumentVersion
from recruitment.applications.models import Application, ApplicationDocument
from tests.factories.documents import image_bytes, make_text_pdf, render_arabic_page
from tests.recruitment import test_applicant_fixtures as support
from tests.recruitment.test_applicant_fixtures import applicant_id_of
from tests.web.pages import arabic, translated

app = support.app
applicant_browser = support.applicant_browser
client = support.client
fresh_throttles = support.fresh_throttles
make_applicant = support.make_applicant
new_client = support.new_client
recruiters = support.recruiters
signed_in = support.signed_in


@pytest.fixture(scope="module")
def scan_png() -> bytes:
    page = render_arabic_page(["شهادة بكالوريوس في المحاسبة", "جامعة بيرزيت ٢٠٢٠"], dpi=100)
    return image_bytes(page, "PNG", dpi=(100, 100))


@pytest.fixture(scope="module")
def text_pdf() -> bytes:
    return make_text_pdf(["شهادة خبرة", "بلدية رام الله"])


def _new(browser, content: bytes, name: str = "diploma.png", kind: str = "diploma",
         title: str = "شهادة البكالوريوس", mime: str = "image/png"):
    files = {"file": (name, content, mime)} if content is not None else None
    return browser.post("/applicant/documents", {"kind": kind, "title": title}, files=files)


def _replace(browser, document_id: int, content: bytes, name: str = "diploma-2.png", note: str = "", htmx=False):
    files = {"file": (name, content, "application/octet-stream")}
    if htmx:
        return browser.htmx(f"/applicant/documents/{document_id}/versions", {"note": note}, files=files)
    return browser.post(f"/applicant/documents/{document_id}/versions", {"note": note}, files=files)


def _documents(archive) -> list[ApplicantDocument]:
    with archive.db.session(write=False) as session:
        return list(session.scalars(select(ApplicantDocument).order_by(ApplicantDocument.id)))


def _versions(archive) -> list[ApplicantDocumentVersion]:
    with archive.db.session(write=False) as session:
        return list(session.scalars(select(ApplicantDocumentVersion).order_by(ApplicantDocumentVersion.id)))


def _records(archive) -> list[Document]:
    with archive.db.session(write=False) as session:
        return list(session.scalars(select(Document).order_by(Document.id)))


def _archive_message(tmp_path: Path, archive, name: str, content: bytes) -> str:
    """Return the archive's own rejection of the file, as the Arabic page shows it."""
    path = tmp_path / "expected"
    path.write_bytes(content)
    with pytest.raises(RejectedFile) as raised:
        inspect_file(path, name, archive.limits)
    return str(escape(raised.value.render(gettext_for("ar"))))


def test_upload_new_document(signed_in, archive, scan_png):
    browser, national_id = signed_in()

    response = _new(browser, scan_png)

    documents, versions, records = _documents(archive), _versions(archive), _records(archive)
    assert response.status_code == 303
    assert response.headers["location"] == "/applicant/documents?uploaded=1"
    assert [(document.kind, document.title) for document in documents] == [("diploma", "شهادة البكالوريوس")]
    assert [version.version for version in versions] == [1]
    assert records[0].owner_applicant_id == applicant_id_of(archive, national_id)
    assert records[0].status == "queued"
    assert records[0].doc_type == "diploma"


def test_upload_creates_applicants_department(signed_in, archive, scan_png):
    browser, _national_id = signed_in()

    _new(browser, scan_png)

    with archive.db.session(write=False) as session:
        department = session.scalar(select(Department).where(Department.code == "APPLICANTS"))
    assert department is not None
    assert _records(archive)[0].department_id == department.id


def test_page_lists_document(signed_in, archive, scan_png):
    browser, _national_id = signed_in()
    _new(browser, scan_png)

    response = browser.get("/applicant/documents?uploaded=1")

    assert "شهادة البكالوريوس" in response.text
    assert arabic("Queued") in response.text
    assert arabic("The file was received. It is being checked and read now; its state shows below.") in response.text
    assert 'hx-trigger="every 5s"' in response.text


def test_download_own_file(signed_in, archive, scan_png):
    browser, _national_id = signed_in()
    _new(browser, scan_png)
    document, version = _documents(archive)[0], _versions(archive)[0]

    response = browser.get(f"/applicant/documents/{document.id}/versions/{version.id}/file")

    assert response.status_code == 200
    assert response.content == scan_png
    assert response.headers["content-disposition"] == "attachment; filename*=UTF-8''diploma.png"


@pytest.fixture
def one_mib_uploads(monkeypatch, data_dir):
    """Limit uploads to 1 MiB before the archive reads its settings."""
    monkeypatch.setenv("DIWAN_MAX_UPLOAD_BYTES", str(1024 * 1024))
    reset_settings()


def test_oversized_rejected_nothing_lost(one_mib_uploads, signed_in, archive, data_dir, scan_png):
    browser, _national_id = signed_in()
    _new(browser, scan_png)
    objects_before = sorted(path.name for path in (data_dir / "objects").rglob("*") if path.is_file())

    response = _new(browser, scan_png + b"\0" * (1024 * 1024), name="big.png", title="ملف كبير")

    assert response.status_code == 413
    assert arabic("%(file)s is larger than the %(limit_mb)d MiB limit (DIWAN_MAX_UPLOAD_BYTES); split it or scan "
                  "at a lower resolution.", file="big.png", limit_mb=1) in response.text
    assert [document.title for document in _documents(archive)] == ["شهادة البكالوريوس"]
    assert len(_records(archive)) == 1
    assert sorted(path.name for path in (data_dir / "objects").rglob("*") if path.is_file()) == objects_before
    assert list((data_dir / "tmp").iterdir()) == []


def test_oversized_replacement_keeps_version(one_mib_uploads, signed_in, archive, scan_png):
    browser, _national_id = signed_in()
    _new(browser, scan_png)

    response = _replace(browser, _documents(archive)[0].id, scan_png + b"\0" * (1024 * 1024), htmx=True)

    assert response.status_code == 413
    assert [version.version for version in _versions(archive)] == [1]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("diploma.pdf", b"MZ\x90\x00" + b"\0" * 200),  # a Windows program named like a PDF
        ("photo.png", (Path(__file__).parents[1] / "data/corpus/pillow_decompression_bomb.gif").read_bytes()),
        ("cv.pdf", b"PK\x03\x04" + b"\0" * 100),  # a ZIP archive, such as a Word file
    ],
)
def test_disguised_rejected(signed_in, archive, tmp_path, name, content):
    browser, _national_id = signed_in()
    expected = _archive_message(tmp_path, archive, name, content)

    response = _new(browser, content, name=name)

    assert response.status_code == 415
    assert expected in response.text
    assert _documents(archive) == []
    assert _records(archive) == []


def test_bomb_rejected(signed_in, archive, tmp_path, corpus):
    browser, _national_id = signed_in()
    content = (corpus / "pdfjs_bomb_giant.pdf").read_bytes()
    expected = _archive_message(tmp_path, archive, "transcript.pdf", content)

    response = _new(browser, content, name="transcript.pdf", kind="transcript", title="كشف العلامات")

    assert response.status_code == 422
    assert expected in response.text
    assert _records(archive) == []


def test_empty_file_rejected(signed_in, archive):
    browser, _national_id = signed_in()

    response = _new(browser, b"", name="empty.pdf")

    assert response.status_code == 422
    assert arabic("%(name)s is empty (0 bytes). Upload the file again, or scan the document again.",
                  name="empty.pdf") in response.text


@pytest.mark.parametrize(
    ("field", "changes", "msgid", "params"),
    [
        ("kind", {"kind": ""}, "Choose the %(field)s.", {"field": "document kind"}),
        ("kind", {"kind": "passport"}, "Choose the %(field)s from the list; %(value)r is not one of the choices.",
         {"field": "document kind", "value": "passport"}),
        ("title", {"title": ""}, "Enter the %(field)s.", {"field": "document title"}),
        ("title", {"title": "ع" * 201}, "The %(field)s is %(length)d characters long; shorten it to %(maximum)d.",
         {"field": "document title", "length": 201, "maximum": 200}),
    ],
)
def test_new_document_field_rejected(signed_in, archive, scan_png, field, changes, msgid, params):
    browser, _national_id = signed_in()
    params = {**params, "field": translated(params["field"])}

    response = _new(browser, scan_png, **changes)

    assert response.status_code == 422
    assert arabic(msgid, **params) in response.text
    assert f'id="new-{field}-error"' in response.text
    assert _records(archive) == []


def test_new_document_without_file(signed_in, archive):
    browser, _national_id = signed_in()

    response = _new(browser, None)

    assert response.status_code == 422
    assert arabic("No file was sent; choose a PDF, PNG, JPEG, TIFF or WebP file.") in response.text


def test_upload_without_csrf(signed_in, archive, scan_png):
    browser, _national_id = signed_in()

    response = browser.http.post("/applicant/documents", data={"kind": "diploma", "title": "شهادة"},
                                 files={"file": ("diploma.png", scan_png, "image/png")}, follow_redirects=False)

    assert response.status_code == 403
    assert _records(archive) == []


def test_replace_adds_version(signed_in, archive, scan_png, text_pdf):
    browser, _national_id = signed_in()
    _new(browser, scan_png)
    document = _documents(archive)[0]

    response = _replace(browser, document.id, text_pdf, name="diploma-certified.pdf", note="نسخة مصدقة")

    versions = _versions(archive)
    assert response.status_code == 303
    assert [(version.version, version.note) for version in versions] == [(1, ""), (2, "نسخة مصدقة")]
    assert len(_records(archive)) == 2
    assert versions[0].document_id != versions[1].document_id


def test_older_version_still_downloads(signed_in, archive, scan_png, text_pdf):
    browser, _national_id = signed_in()
    _new(browser, scan_png)
    document = _documents(archive)[0]
    _replace(browser, document.id, text_pdf, name="diploma.pdf")
    first = _versions(archive)[0]

    response = browser.get(f"/applicant/documents/{document.id}/versions/{first.id}/file")

    assert response.content == scan_png


def test_current_version_is_newest(signed_in, archive, scan_png, text_pdf):
    browser, national_id = signed_in()
    _new(browser, scan_png)
    _replace(browser, _documents(archive)[0].id, text_pdf, name="diploma.pdf")

    with archive.db.session(write=False) as session:
        applicant = session.scalar(select(Applicant).where(Applicant.national_id == national_id))
        current = current_versions(session, applicant)

    assert [(version.version, version.applicant_document.kind) for version in current] == [(2, "diploma")]


def test_page_lists_versions(signed_in, archive, scan_png, text_pdf):
    browser, _national_id = signed_in()
    _new(browser, scan_png)
    _replace(browser, _documents(archive)[0].id, text_pdf, name="diploma-certified.pdf")

    response = browser.get("/applicant/documents")

    assert "diploma-certified.pdf" in response.text
    assert "diploma.png" in response.text
    assert response.text.count(arabic("Not used yet")) == 2


def test_replace_with_htmx_returns_card(signed_in, archive, scan_png, text_pdf):
    browser, _national_id = signed_in()
    _new(browser, scan_png)
    document = _documents(archive)[0]

    response = _replace(browser, document.id, text_pdf, name="diploma.pdf", htmx=True)

    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<article class="panel" id="document-{document.id}"')


def test_rejected_replacement_keeps_versions(signed_in, archive, scan_png):
    browser, _national_id = signed_in()
    _new(browser, scan_png)
    document = _documents(archive)[0]

    response = _replace(browser, document.id, b"MZ\x90\x00" + b"\0" * 200, name="new.pdf")

    assert response.status_code == 415
    assert [version.version for version in _versions(archive)] == [1]
    assert len(_records(archive)) == 1


def test_replacement_note_too_long(signed_in, archive, scan_png, text_pdf):
    browser, _national_id = signed_in()
    _new(browser, scan_png)

    response = _replace(browser, _documents(archive)[0].id, text_pdf, note="م" * (MAX_NOTE_LENGTH + 1), htmx=True)

    assert response.status_code == 422
    assert arabic("The %(field)s is %(length)d characters long; shorten it to %(maximum)d.",
                  field=translated("note"), length=MAX_NOTE_LENGTH + 1, maximum=MAX_NOTE_LENGTH) in response.text
    assert len(_versions(archive)) == 1


def test_same_file_again_reuses_record(signed_in, archive, scan_png):
    browser, _national_id = signed_in()
    _new(browser, scan_png)

    _replace(browser, _documents(archive)[0].id, scan_png)

    versions = _versions(archive)
    assert len(versions) == 2
    assert versions[0].document_id == versions[1].document_id
    assert len(_records(archive)) == 1


def test_same_file_two_applicants(signed_in, archive, scan_png):
    first, first_id = signed_in()
    second, second_id = signed_in(mobile="0569000111")
    _new(first, scan_png)

    _new(second, scan_png)

    records = _records(archive)
    assert [record.owner_applicant_id for record in records] == [applicant_id_of(archive, first_id),
                                                                 applicant_id_of(archive, second_id)]
    assert records[0].blob_sha256 == records[1].blob_sha256


@pytest.fixture
def others_document(signed_in, archive, scan_png):
    """A document of another applicant: its document id and version id."""
    other, _other_id = signed_in(mobile="0569000111")
    _new(other, scan_png, title="شهادة غيري")
    document = _documents(archive)[-1]
    return document.id, _versions(archive)[-1].id


@pytest.mark.parametrize("suffix", ["", "/versions/{version}/file", "/versions/{version}/thumbnail"])
def test_other_applicant_ids_not_found(signed_in, others_document, suffix):
    document_id, version_id = others_document
    browser, _national_id = signed_in()

    response = browser.get(f"/applicant/documents/{document_id}" + suffix.format(version=version_id),
                           headers={"HX-Request": "true"} if not suffix else {})

    assert response.status_code == 404
    assert arabic("Document %(id)s was not found in your documents.", id=document_id) in response.text


def test_other_applicant_cannot_replace(signed_in, archive, others_document, text_pdf):
    document_id, _version_id = others_document
    browser, _national_id = signed_in()

    response = _replace(browser, document_id, text_pdf)

    assert response.status_code == 404
    assert len(_versions(archive)) == 1


def test_own_document_with_others_version(signed_in, archive, others_document, scan_png, text_pdf):
    _document_id, others_version = others_document
    browser, _national_id = signed_in()
    _new(browser, text_pdf, name="id.pdf", kind="national_id", title="الهوية", mime="application/pdf")
    own = _documents(archive)[-1]

    response = browser.get(f"/applicant/documents/{own.id}/versions/{others_version}/file")

    assert response.status_code == 404
    assert response.content != scan_png


def test_others_documents_not_listed(signed_in, others_document):
    browser, _national_id = signed_in()

    response = browser.get("/applicant/documents")

    assert "شهادة غيري" not in response.text


def test_missing_ids_not_found(signed_in):
    browser, _national_id = signed_in()

    response = browser.get("/applicant/documents/999/versions/999/file")

    assert response.status_code == 404


def test_recruitment_staff_read_record(signed_in, archive, recruiters, scan_png):
    browser, _national_id = signed_in()
    _new(browser, scan_png)
    record = _records(archive)[0]

    with archive.db.session(write=False) as session:
        record = session.get(Document, record.id)
        gpc = can_read(session, get_user(session, "gpc.reader"), record)
        hr = can_read(session, get_user(session, "hr.clerk"), record)

    assert gpc
    assert not hr


def test_thumbnail_after_processing(signed_in, archive, scan_png):
    browser, _national_id = signed_in()
    _new(browser, scan_png)
    document, version = _documents(archive)[0], _versions(archive)[0]

    states = run_locally(archive, [version.document_id], 1)
    thumbnail = browser.get(f"/applicant/documents/{document.id}/versions/{version.id}/thumbnail")
    page = browser.get("/applicant/documents")

    assert states == {version.document_id: "indexed"}
    assert thumbnail.status_code == 200
    assert thumbnail.headers["content-type"] == "image/webp"
    assert arabic("Indexed") in page.text
    assert f'src="/applicant/documents/{document.id}/versions/{version.id}/thumbnail"' in page.text
    assert 'hx-trigger="every 5s"' not in page.text


def test_thumbnail_not_ready(signed_in, archive, scan_png):
    browser, _national_id = signed_in()
    _new(browser, scan_png)
    document, version = _documents(archive)[0], _versions(archive)[0]

    response = browser.get(f"/applicant/documents/{document.id}/versions/{version.id}/thumbnail")

    assert response.status_code == 404
    assert arabic("The small image of this document is not ready yet; reload the page later.") in response.text


def test_original_stored_once(signed_in, archive, scan_png):
    browser, _national_id = signed_in()
    _new(browser, scan_png)

    record = _records(archive)[0]

    assert archive.store.get_bytes(original_key(record.blob_sha256)) == scan_png


def test_page_shows_applications(signed_in, archive, people, scan_png):
    browser, national_id = signed_in()
    _new(browser, scan_png)
    people.department("MOF", "Ministry of Finance")
    version = _versions(archive)[0]
    with archive.db.session() as session:
        ministry = session.scalar(select(Department).where(Department.code == "MOF"))
        announcement = Announcement(number="147/2026", title_ar="محاسب", title_en="Accountant",
                                    ministry_id=ministry.id, vacancies=2, governorate="ramallah",
                                    opens_at=utcnow() - timedelta(days=1), closes_at=utcnow() + timedelta(days=9))
        session.add(announcement)
        session.flush()
        application = Application(number="2026-147-00023", announcement_id=announcement.id,
                                  applicant_id=applicant_id_of(archive, national_id), snapshot=json.dumps({}))
        session.add(application)
        session.flush()
        session.add(ApplicationDocument(application_id=application.id, version_id=version.id))

    response = browser.get("/applicant/documents")

    assert "2026-147-00023" in response.text
    assert "محاسب" in response.text
    assert arabic("Not used yet") not in response.text


def test_failed_document_shows_reason(signed_in, archive, scan_png):
    browser, _national_id = signed_in()
    _new(browser, scan_png)
    with archive.db.session() as session:
        record = session.scalars(select(Document)).one()
        record.status = "failed"
        record.error_message = "Page 1 could not be read."

    response = browser.get("/applicant/documents")

    assert arabic("Failed") in response.text
    assert "Page 1 could not be read." in response.text
    assert 'hx-trigger="every 5s"' not in response.text
