"""The REST API under /api/v1: upload, status, documents, pages, images, search, access."""

import io

import httpx

from tests.factories.documents import image_bytes, render_arabic_page
from tests.integration.conftest import STRIP_MM


def _scan(lines: list[str]) -> bytes:
    return image_bytes(render_arabic_page(lines, font_size=16, paper_mm=STRIP_MM), "PNG", dpi=(300, 300))


def _upload(api, user: str, *files: tuple[str, bytes], **fields):
    payload = [("files", (name, io.BytesIO(data), "application/octet-stream")) for name, data in files]
    return api.post("/api/v1/documents", headers=api.tokens[user], files=payload, data=fields)


def test_upload_several_files(api, drain):
    response = _upload(
        api,
        "hr.clerk",
        ("أ.png", _scan(["تقرير الأداء السنوي"])),
        ("b.png", _scan(["شهادة ميلاد"])),
        doc_type="report",
        employee_number="77",
    )
    assert response.status_code == 201
    body = response.json()
    assert [item["status"] for item in body["documents"]] == ["queued", "queued"]
    assert body["documents"][0]["file"] == "أ.png"
    assert body["rejected"] == []

    drain()
    batch = api.get(f"/api/v1/batches/{body['batch_id']}", headers=api.tokens["hr.clerk"]).json()
    assert batch["counts"] == {"indexed": 2}


def test_upload_mixed_keeps_accepted(api, corpus):
    response = _upload(
        api,
        "hr.clerk",
        ("good.png", _scan(["نموذج"])),
        ("bomb.gif", (corpus / "pillow_decompression_bomb.gif").read_bytes()),
    )
    assert response.status_code == 201
    body = response.json()
    assert len(body["documents"]) == 1
    assert body["rejected"][0]["file"] == "bomb.gif"


def test_upload_rejections_are_4xx(api, corpus):
    cases = {
        "pdfjs_bomb_giant.pdf": 422,
        "ocrmypdf_hugemono_35000px.pdf": 422,
        "pillow_decompression_bomb.gif": 415,
        "pdfminer_aes-256-r6_encrypted.pdf": 422,
        "ocrmypdf_invalid.pdf": 422,
    }
    for name, status in cases.items():
        response = _upload(api, "hr.clerk", (name, (corpus / name).read_bytes()))
        assert response.status_code == status, (name, response.text)
        message = response.json()["rejected"][0]["message"]
        assert name in message, message


def test_upload_empty_and_disguised(api):
    empty = _upload(api, "hr.clerk", ("empty.pdf", b""))
    assert empty.status_code == 422
    disguised = _upload(api, "hr.clerk", ("scan.pdf", b"<html><body>not a pdf</body></html>"))
    assert disguised.status_code == 415
    assert "scan.pdf" in disguised.json()["rejected"][0]["message"]


def test_upload_path_in_file_name(api, archive):
    response = _upload(api, "hr.clerk", ("../../etc/ملف.png", _scan(["نموذج"])))
    assert response.status_code == 201
    assert response.json()["documents"][0]["file"] == "ملف.png"
    assert not (archive.settings.data_dir.parent / "etc").exists()


def test_upload_bad_metadata(api):
    response = _upload(api, "hr.clerk", ("a.png", _scan(["نموذج"])), doc_date="31/31/2020")
    assert response.status_code == 400
    assert "31/31/2020" in response.json()["error"]["message"]


def test_upload_needs_files(api):
    response = api.post("/api/v1/documents", headers=api.tokens["hr.clerk"], data={"title": "x"})
    assert response.status_code == 422


def test_reader_cannot_upload(api):
    response = _upload(api, "hr.reader", ("a.png", _scan(["نموذج"])))
    assert response.status_code == 403


def test_document_endpoints(api, drain):
    upload = _upload(api, "hr.clerk", ("letter.png", _scan(["كتاب تكليف بمهمة رسمية"])), title="كتاب تكليف")
    document_id = upload.json()["documents"][0]["id"]
    drain()
    headers = api.tokens["hr.reader"]

    metadata = api.get(f"/api/v1/documents/{document_id}", headers=headers).json()
    assert metadata["title"] == "كتاب تكليف"
    assert metadata["status"] == "indexed"
    assert len(metadata["sha256"]) == 64

    pages = api.get(f"/api/v1/documents/{document_id}/pages", headers=headers).json()
    assert pages[0]["source"] == "ocr"
    assert "تكليف" in pages[0]["text"]
    assert pages[0]["confidence"] > 50

    thumbnail = api.get(f"/api/v1/documents/{document_id}/pages/1/thumbnail", headers=headers)
    assert thumbnail.headers["content-type"] == "image/webp"
    image = api.get(f"/api/v1/documents/{document_id}/pages/1/image", headers=headers)
    assert image.content[:4] == b"RIFF"

    original = api.get(f"/api/v1/documents/{document_id}/original", headers=headers, follow_redirects=False)
    if original.status_code == 307:
        # An S3 store answers with a presigned URL on the S3 server itself.
        original = httpx.get(original.headers["location"])
    assert original.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert "letter.png" in original.headers["content-disposition"]

    missing_page = api.get(f"/api/v1/documents/{document_id}/pages/9", headers=headers)
    assert missing_page.status_code == 404


def test_search_endpoint(api, drain):
    _upload(api, "hr.clerk", ("a.png", _scan(["مدرسة الأمل الثانوية"])), doc_type="certificate")
    drain()
    response = api.get(
        "/api/v1/search", params={"q": "المدرسه", "type": "certificate"}, headers=api.tokens["hr.reader"]
    )
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 1
    assert body["hits"][0]["pages"] == [1]
    assert "<mark>" in body["hits"][0]["snippet"]


def test_search_bad_input(api):
    headers = api.tokens["hr.reader"]
    assert api.get("/api/v1/search", params={"q": '"open'}, headers=headers).status_code == 400
    assert api.get("/api/v1/search", params={"q": "x", "from": "soon"}, headers=headers).status_code == 400
    assert api.get("/api/v1/search", params={"q": "x", "sort": "random"}, headers=headers).status_code == 400
    assert api.get("/api/v1/search", params={"q": "x", "per_page": 1000}, headers=headers).status_code == 400
    assert api.get("/api/v1/search", params={"q": "x", "page": 0}, headers=headers).status_code == 400
    assert api.get("/api/v1/search", headers=headers).status_code == 422


def test_other_departments_token_refused(api, drain):
    upload = _upload(api, "hr.clerk", ("a.png", _scan(["ملف سري للموظف"])))
    document_id = upload.json()["documents"][0]["id"]
    drain()
    headers = api.tokens["moh.reader"]
    for path in ("", "/pages", "/pages/1", "/pages/1/image", "/pages/1/thumbnail", "/original", "/status"):
        response = api.get(f"/api/v1/documents/{document_id}{path}", headers=headers)
        assert response.status_code == 404, path
    assert api.get("/api/v1/search", params={"q": "سري"}, headers=headers).json()["total"] == 0
    assert api.get(f"/api/v1/batches/{upload.json()['batch_id']}", headers=headers).status_code == 404


def test_logged_out_refused(api):
    assert api.get("/api/v1/search", params={"q": "x"}).status_code == 401
    assert api.get("/api/v1/documents/1").status_code == 401
    bad_token = {"Authorization": "Bearer dwn_not-a-token"}
    assert api.get("/api/v1/search", params={"q": "x"}, headers=bad_token).status_code == 401


def test_session_cookie_needs_csrf(api):
    from archive_api.accounts.service import get_user, start_session
    from archive_api.context import get_archive

    with get_archive().db.session() as session:
        cookie, web_session = start_session(session, get_user(session, "hr.clerk"))
        csrf = web_session.csrf_token
    api.cookies.set("diwan_session", cookie)
    files = [("files", ("a.png", io.BytesIO(_scan(["نموذج"])), "image/png"))]
    assert api.post("/api/v1/documents", files=files).status_code == 403
    files = [("files", ("a.png", io.BytesIO(_scan(["نموذج"])), "image/png"))]
    assert api.post("/api/v1/documents", files=files, headers={"X-CSRF-Token": csrf}).status_code == 201
    api.cookies.clear()


def test_metadata_patch_reindexes(api, drain):
    upload = _upload(api, "hr.clerk", ("a.png", _scan(["طلب نقل الموظف إلى دائرة أخرى"])))
    document_id = upload.json()["documents"][0]["id"]
    drain()
    response = api.patch(
        f"/api/v1/documents/{document_id}", json={"doc_type": "transfer"}, headers=api.tokens["hr.clerk"]
    )
    assert response.status_code == 200
    found = api.get("/api/v1/search", params={"q": "نقل", "type": "transfer"}, headers=api.tokens["hr.reader"]).json()
    assert found["total"] == 1
    bad = api.patch(f"/api/v1/documents/{document_id}", json={"doc_date": "tomorrow"}, headers=api.tokens["hr.clerk"])
    assert bad.status_code == 400


def test_openapi_lists_routes(api):
    paths = api.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/documents",
        "/api/v1/search",
        "/api/v1/documents/{document_id}/original",
        "/api/v1/documents/{document_id}/pages/{number}/thumbnail",
        "/api/v1/batches/{batch_id}",
    ):
        assert path in paths
    docs = api.get("/api/docs")
    assert docs.status_code == 200
    assert "https://" not in docs.text
    assert api.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200


def test_retry_only_by_owning_department(api, archive, staff):
    from sqlalchemy import update

    from archive_api.access.service import create_grant
    from archive_api.accounts.service import get_user
    from archive_api.documents.models import Document

    staff.user("moh.clerk", "MOH", "clerk")
    upload = _upload(api, "hr.clerk", ("a.png", _scan(["نموذج"])))
    document_id = upload.json()["documents"][0]["id"]
    with archive.db.session() as session:
        session.execute(update(Document).where(Document.id == document_id).values(status="failed"))
        create_grant(session, get_user(session, "hr.admin"), "MOH", "department")
    headers = {"Authorization": f"Bearer {staff.token('moh.clerk')}"}
    assert api.get(f"/api/v1/documents/{document_id}", headers=headers).status_code == 200
    assert api.post(f"/api/v1/documents/{document_id}/retry", headers=headers).status_code == 403
    assert api.post(f"/api/v1/documents/{document_id}/retry", headers=api.tokens["hr.clerk"]).status_code == 200


def test_grant_doc_type_case_insensitive(archive, staff):
    from archive_api.access.service import create_grant
    from archive_api.accounts.service import get_user

    with archive.db.session() as session:
        grant = create_grant(session, get_user(session, "hr.admin"), "MOH", "doc_type", doc_type=" Contract ")
        assert grant.doc_type == "contract"


def test_upload_each_bad_field(api):
    cases = {
        "title": ("x" * 501, "501"),
        "doc_type": ("contract; drop", "contract; drop"),
        "employee_number": ("12 34", "12 34"),
        "doc_date": ("2019-02-30", "2019-02-30"),
    }
    for field, (value, named) in cases.items():
        response = _upload(api, "hr.clerk", ("a.png", _scan(["نموذج"])), **{field: value})
        assert response.status_code == 400, field
        assert named in response.json()["error"]["message"], field


def test_upload_over_size_limit(api, archive, monkeypatch):
    monkeypatch.setattr(archive.settings, "max_upload_bytes", 1000)
    response = _upload(api, "hr.clerk", ("big.png", _scan(["نموذج"])))
    assert response.status_code == 413
    message = response.json()["rejected"][0]["message"]
    assert "big.png" in message
    assert "DIWAN_MAX_UPLOAD_BYTES" in message


def test_upload_thousands_of_pages(api):
    from tests.factories.documents import make_many_pages_pdf

    response = _upload(api, "hr.clerk", ("long.pdf", make_many_pages_pdf(5000)))
    assert response.status_code == 422
    message = response.json()["rejected"][0]["message"]
    assert "long.pdf" in message
    assert "DIWAN_MAX_PAGES" in message


def test_patch_each_bad_field(api, drain):
    upload = _upload(api, "hr.clerk", ("a.png", _scan(["نموذج"])))
    document_id = upload.json()["documents"][0]["id"]
    cases = {
        "title": ("x" * 501, "501"),
        "doc_type": ("a b", "a b"),
        "employee_number": ("#1", "#1"),
        "doc_date": ("tomorrow", "tomorrow"),
    }
    for field, (value, named) in cases.items():
        response = api.patch(f"/api/v1/documents/{document_id}", json={field: value}, headers=api.tokens["hr.clerk"])
        assert response.status_code == 400, field
        assert named in response.json()["error"]["message"], field
    wrong_type = api.patch(f"/api/v1/documents/{document_id}", json={"title": 5}, headers=api.tokens["hr.clerk"])
    assert wrong_type.status_code == 422


def test_arabic_error_messages(api):
    headers = {**api.tokens["hr.reader"], "Accept-Language": "ar"}
    response = api.get("/api/v1/search", params={"q": "x", "sort": "random"}, headers=headers)
    assert response.status_code == 400
    assert "random" in response.json()["error"]["message"]
    assert any("\u0600" <= char <= "\u06ff" for char in response.json()["error"]["message"])
