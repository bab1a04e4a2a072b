"""Ingestion status: the batch page and the department list, polling, failure reasons, retry."""

import pytest
from sqlalchemy import update

from archive_api.accounts.service import get_department, get_user
from archive_api.documents.models import Batch, Document
from archive_api.errors import DiwanError
from tests.factories.records import make_record
from tests.web.pages import arabic

POLLING_ON = 'data-polling="on"'
POLLING_OFF = 'data-polling="off"'
TIMEOUT_REASON = ("A page took longer than %(seconds)d seconds (DIWAN_PAGE_TIMEOUT_S); check the file or raise the "
                  "limit, then retry.")


def _set(archive, document_id: int, **values) -> None:
    with archive.db.session() as session:
        session.execute(update(Document).where(Document.id == document_id).values(**values))


@pytest.fixture
def batch(archive, hr):
    """A web upload batch of HR with two records, one of them still in OCR."""
    with archive.db.session() as session:
        department = get_department(session, "HR")
        created = Batch(department_id=department.id, created_by_id=get_user(session, "hr.clerk").id, source="web")
        session.add(created)
        session.flush()
        batch_id = created.id
    first = make_record(archive, "HR", pages=("نص", "نص"), batch_id=batch_id)
    second = make_record(archive, "HR", pages=("نص",) * 5, batch_id=batch_id)
    _set(archive, second, status="ocr", progress_page=2)
    return batch_id, first, second


def test_batch_page_polls_while_working(client, batch):
    batch_id, _, second = batch
    client.login("hr.clerk")

    response = client.get(f"/batches/{batch_id}")

    assert response.status_code == 200
    assert POLLING_ON in response.text
    assert 'hx-trigger="every 2s, documents-changed from:body"' in response.text
    assert arabic("OCR page %(page)d of %(pages)d", page=2, pages=5) in response.text
    assert f'id="document-{second}"' in response.text


def test_batch_stops_polling_when_final(client, archive, batch):
    batch_id, _, second = batch
    _set(archive, second, status="indexed")
    client.login("hr.clerk")

    response = client.get(f"/batches/{batch_id}/documents", headers={"HX-Request": "true"})

    assert POLLING_OFF in response.text
    assert "every 2s" not in response.text
    assert "<html" not in response.text


def test_batch_of_other_department_404(client, batch, fin):
    batch_id, _, _ = batch
    client.login("fin.clerk")

    response = client.get(f"/batches/{batch_id}")

    assert response.status_code == 404
    assert arabic("Batch %(id)s was not found.", id=batch_id) in response.text


def test_recent_lists_own_department_only(client, archive, hr, fin):
    own = make_record(archive, "HR", title="ملف الموارد")
    other = make_record(archive, "FIN", title="ملف المالية")
    client.login("hr.reader")

    response = client.get("/status")

    assert f'id="document-{own}"' in response.text
    assert f'id="document-{other}"' not in response.text
    assert POLLING_OFF in response.text


def test_failed_shows_translated_reason(client, archive, hr):
    document_id = make_record(archive, "HR")
    reason = DiwanError(TIMEOUT_REASON, seconds=180)
    _set(archive, document_id, status="failed", error_code="page_timeout",
         error_message=reason.render(), error_detail=reason.to_json())
    client.login("hr.clerk")

    response = client.get("/status")

    assert arabic("Failed") in response.text
    assert arabic(TIMEOUT_REASON, seconds=180) in response.text
    assert f'action="/documents/{document_id}/retry"' in response.text


def test_reader_sees_no_retry_button(client, archive, hr):
    document_id = make_record(archive, "HR")
    _set(archive, document_id, status="failed", error_message="boom")
    client.login("hr.reader")

    response = client.get("/status")

    assert f'action="/documents/{document_id}/retry"' not in response.text


def test_retry_queues_failed(client, archive, hr):
    document_id = make_record(archive, "HR")
    _set(archive, document_id, status="failed", error_message="boom")
    client.login("hr.clerk")

    response = client.post(f"/documents/{document_id}/retry", {"next": "/status"})

    assert response.status_code == 303
    assert response.headers["location"] == "/status"
    with archive.db.session(write=False) as session:
        assert session.get(Document, document_id).status == "queued"


def test_retry_htmx_triggers_refresh(client, archive, hr):
    document_id = make_record(archive, "HR")
    _set(archive, document_id, status="failed", error_message="boom")
    client.login("hr.clerk")

    response = client.post(f"/documents/{document_id}/retry", headers={"HX-Request": "true"})

    assert response.status_code == 204
    assert response.headers["HX-Trigger"] == "documents-changed"


def test_retry_ignores_foreign_next(client, archive, hr):
    document_id = make_record(archive, "HR")
    _set(archive, document_id, status="failed", error_message="boom")
    client.login("hr.clerk")

    response = client.post(f"/documents/{document_id}/retry", {"next": "https://elsewhere.example/"})

    assert response.headers["location"] == f"/documents/{document_id}"


def test_retry_by_reader_forbidden(client, archive, hr):
    document_id = make_record(archive, "HR")
    _set(archive, document_id, status="failed", error_message="boom")
    client.login("hr.reader")

    response = client.post(f"/documents/{document_id}/retry")

    assert response.status_code == 403


def test_retry_of_indexed_conflict(client, archive, hr):
    document_id = make_record(archive, "HR")
    client.login("hr.clerk")

    response = client.post(f"/documents/{document_id}/retry")

    assert response.status_code == 409
    assert arabic("Document %(id)s is %(status)s, not failed, so there is nothing to retry.",
                  id=document_id, status="indexed") in response.text


def test_retry_other_department_404(client, archive, hr, fin):
    document_id = make_record(archive, "HR")
    _set(archive, document_id, status="failed", error_message="boom")
    client.login("fin.clerk")

    response = client.post(f"/documents/{document_id}/retry")

    assert response.status_code == 404


def test_retry_htmx_error_goes_to_flash(client, archive, hr):
    document_id = make_record(archive, "HR")
    client.login("hr.clerk")

    response = client.post(f"/documents/{document_id}/retry", headers={"HX-Request": "true"})

    assert response.status_code == 409
    assert response.headers["HX-Retarget"] == "#flash"
    assert 'role="alert"' in response.text
