"""The document screen: metadata, pages with marked words, matched page first, access, history."""

import pytest
from sqlalchemy import select, update

from archive_api.access.service import create_grant
from archive_api.accounts.service import get_user
from archive_api.audit.models import AuditEntry
from archive_api.documents.models import Document, Page
from tests.factories.records import make_record
from tests.web.pages import arabic

PAGES = ("الصفحة الأولى عن التعيين", "الصفحة الثانية عن الراتب الشهري", "الصفحة الثالثة عن الإجازات")


@pytest.fixture
def record(archive, hr) -> int:
    document_id = make_record(archive, "HR", pages=PAGES, title="ملف الموظف", doc_type="file", employee_number="E-77")
    with archive.db.session() as session:
        session.execute(update(Page).where(Page.document_id == document_id, Page.number == 2)
                        .values(source="ocr", confidence=91.4))
    return document_id


def _grant(archive, **scope) -> None:
    with archive.db.session() as session:
        create_grant(session, get_user(session, "hr.admin"), "FIN", **scope)


def test_document_shows_metadata_and_pages(client, record):
    client.login("hr.reader")

    response = client.get(f"/documents/{record}")

    assert response.status_code == 200
    assert "ملف الموظف" in response.text
    assert "E-77" in response.text
    assert f'src="/api/v1/documents/{record}/pages/1/image"' in response.text
    assert f'href="/api/v1/documents/{record}/original"' in response.text
    assert arabic("OCR") in response.text
    assert "91%" in response.text


def test_document_chosen_page_first_with_marks(client, record):
    client.login("hr.reader")

    response = client.get(f"/documents/{record}", params={"page": "2", "q": "الراتب"})

    assert response.text.index('id="page-2"') < response.text.index('id="page-1"')
    assert "<mark>الراتب</mark>" in response.text
    assert 'class="page page-matched" id="page-2"' in response.text


def test_document_bad_query_still_shows(client, record):
    client.login("hr.reader")

    response = client.get(f"/documents/{record}", params={"page": "x", "q": '"unclosed'})

    assert response.status_code == 200
    assert "<mark>" not in response.text


def test_document_other_department_404(client, record, fin):
    client.login("fin.clerk")

    response = client.get(f"/documents/{record}")

    assert response.status_code == 404
    assert arabic("Document %(id)s was not found.", id=record) in response.text
    assert "ملف الموظف" not in response.text


def test_document_granted_without_history(client, archive, record, fin):
    _grant(archive, scope="document", document_id=record)
    client.login("fin.clerk")

    response = client.get(f"/documents/{record}")

    assert response.status_code == 200
    assert arabic("History of this record") not in response.text


def test_document_history_for_own_department(client, record):
    client.login("hr.clerk")
    client.get(f"/documents/{record}")

    response = client.get(f"/documents/{record}")

    assert arabic("History of this record") in response.text
    assert arabic("View") in response.text


def test_document_view_recorded(client, archive, record):
    client.login("hr.reader")

    client.get(f"/documents/{record}")

    with archive.db.session(write=False) as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "view")).one()
    assert entry.actor == "hr.reader"
    assert entry.target_id == str(record)


def test_document_failed_shows_retry(client, archive, record):
    with archive.db.session() as session:
        session.execute(update(Document).where(Document.id == record).values(status="failed", error_message="boom"))
    client.login("hr.clerk")

    response = client.get(f"/documents/{record}")

    assert f'action="/documents/{record}/retry"' in response.text
    assert "boom" in response.text


def test_document_many_pages_split(client, archive, hr):
    document_id = make_record(archive, "HR", pages=tuple(f"نص الصفحة {n}" for n in range(1, 46)))
    client.login("hr.reader")

    response = client.get(f"/documents/{document_id}", params={"page": "33"})

    assert 'id="page-33"' in response.text
    assert 'id="page-21"' in response.text
    assert 'id="page-1"' not in response.text
    assert arabic("Pages %(first)d to %(last)d of %(total)d", first=21, last=40, total=45) in response.text
