"""The search benchmark's archive: synthetic records, departments, users and grants in SQLite.

Every record goes into the database with its page texts, as ingestion leaves it (status indexed).
The service path then finds a Document and its Page rows for any hit, and the index is built
from the database the way `diwan reindex` builds it.
"""

import hashlib
import logging
import time
from dataclasses import dataclass

from sqlalchemy import insert, select

from archive_api.access.service import create_grant
from archive_api.accounts import service as accounts
from archive_api.accounts.models import Department, User
from archive_api.context import Archive
from archive_api.documents.models import STATUS_INDEXED, Blob, Document, Page
from bench.personnel_text import DEPARTMENTS, PersonnelRecord, make_record

logger = logging.getLogger(__name__)

INSERT_BATCH = 2000
# Share of pages stored as OCR output. The others came from a text layer.
OCR_PAGE_SHARE = 0.6
OCR_CONFIDENCE = 83.0

# Searching users, from the smallest principal set to the largest (see add_users_and_grants).
LARGE_DEPARTMENT_READER = "reader.moe"
SMALL_DEPARTMENT_READER = "reader.moj"
ALL_DEPARTMENTS_AUDITOR = "auditor.gpc"
MANY_GRANTS_CLERK = "clerk.msd"
DOCUMENT_GRANTS = 1000
GRANTED_DEPARTMENT = "MOH"
GRANTED_DOC_TYPE = "promotion"


@dataclass(frozen=True)
class LoadResult:
    documents: int
    pages: int
    seconds: float
    grants: int


def _rows(record: PersonnelRecord, department_ids: dict[str, int]) -> tuple[dict, dict, list[dict]]:
    sha256 = hashlib.sha256(f"bench-record-{record.number}".encode()).hexdigest()
    blob = {
        "sha256": sha256,
        "size": 40_000 * len(record.pages),
        "mime": "application/pdf",
        "created_at": record.created_at,
    }
    document = {
        "id": record.number,
        "department_id": department_ids[record.department],
        "blob_sha256": sha256,
        "filename": f"record-{record.number:06d}.pdf",
        "title": record.title,
        "doc_type": record.doc_type,
        "employee_number": record.employee_number,
        "doc_date": record.doc_date,
        "kind": "pdf",
        "page_count": len(record.pages),
        "status": STATUS_INDEXED,
        "progress_page": len(record.pages),
        "attempts": 1,
        "created_at": record.created_at,
        "updated_at": record.created_at,
        "indexed_at": record.created_at,
    }
    from_ocr = (record.number % 10) < OCR_PAGE_SHARE * 10
    pages = [
        {
            "document_id": record.number,
            "number": number,
            "text": text,
            "source": "ocr" if from_ocr else "text_layer",
            "confidence": OCR_CONFIDENCE if from_ocr else None,
        }
        for number, text in enumerate(record.pages, start=1)
    ]
    return blob, document, pages


def add_departments(archive: Archive) -> dict[str, int]:
    with archive.db.session() as session:
        for code, name_ar, name_en, _weight in DEPARTMENTS:
            accounts.add_department(session, code, name_ar, name_en)
            accounts.add_user(session, f"admin.{code.lower()}", code, "admin", None)
        return {department.code: department.id for department in session.scalars(select(Department))}


def insert_records(archive: Archive, count: int, department_ids: dict[str, int]) -> int:
    """Insert records 1 to ``count`` with their pages in batches, and return the number of pages."""
    page_total = 0
    for first in range(1, count + 1, INSERT_BATCH):
        blobs, documents, pages = [], [], []
        for number in range(first, min(first + INSERT_BATCH, count + 1)):
            blob, document, record_pages = _rows(make_record(number), department_ids)
            blobs.append(blob)
            documents.append(document)
            pages.extend(record_pages)

        with archive.db.session() as session:
            session.execute(insert(Blob.__table__), blobs)
            session.execute(insert(Document.__table__), documents)
            session.execute(insert(Page.__table__), pages)
        page_total += len(pages)
    return page_total


def add_users_and_grants(archive: Archive) -> int:
    """Add the searching users and the grants behind their principal sets; return the grant count.

    reader.moe and reader.moj have one principal each (a large and a small department).
    auditor.gpc reads every department through department grants. clerk.msd has a type
    grant and DOCUMENT_GRANTS single-record grants from MOH.
    """
    grants = 0
    with archive.db.session() as session:
        accounts.add_user(session, LARGE_DEPARTMENT_READER, "MOE", "reader", None)
        accounts.add_user(session, SMALL_DEPARTMENT_READER, "MOJ", "reader", None)
        accounts.add_user(session, ALL_DEPARTMENTS_AUDITOR, "GPC", "reader", None)
        accounts.add_user(session, MANY_GRANTS_CLERK, "MSD", "clerk", None)

        for code, *_rest in DEPARTMENTS:
            if code != "GPC":
                create_grant(session, accounts.get_user(session, f"admin.{code.lower()}"), "GPC", "department")
                grants += 1

        granting_admin = accounts.get_user(session, f"admin.{GRANTED_DEPARTMENT.lower()}")
        create_grant(session, granting_admin, "MSD", "doc_type", doc_type=GRANTED_DOC_TYPE)
        grants += 1
        document_ids = session.scalars(
            select(Document.id)
            .where(Document.department_id == granting_admin.department_id, Document.doc_type != GRANTED_DOC_TYPE)
            .order_by(Document.id)
            .limit(DOCUMENT_GRANTS)
        ).all()
        for document_id in document_ids:
            create_grant(session, granting_admin, "MSD", "document", document_id=document_id)
            grants += 1
    return grants


def load_archive(archive: Archive, count: int) -> LoadResult:
    """Fill a migrated, empty archive database with ``count`` records, users and grants."""
    started = time.perf_counter()
    department_ids = add_departments(archive)
    pages = insert_records(archive, count, department_ids)
    grants = add_users_and_grants(archive)
    return LoadResult(count, pages, time.perf_counter() - started, grants)


def user_ids(archive: Archive) -> dict[str, int]:
    with archive.db.session(write=False) as session:
        return {user.username: user.id for user in session.scalars(select(User))}
