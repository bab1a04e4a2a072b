"""Archive records created straight in the database, for access and search tests."""

import hashlib
import itertools

from archive_api.accounts.service import get_department
from archive_api.documents.models import STATUS_INDEXED, Blob, Document, Page

_counter = itertools.count(1)


def make_record(
    archive, department: str, doc_type: str | None = None, pages: tuple[str, ...] = ("نص",), **fields
) -> int:
    """Insert an indexed record with the given page texts and return its id (no file, no index)."""
    number = next(_counter)
    sha256 = hashlib.sha256(f"record-{number}-{department}".encode()).hexdigest()
    with archive.db.session() as session:
        owner = get_department(session, department)
        session.add(Blob(sha256=sha256, size=1, mime="application/pdf"))
        document = Document(
            department_id=owner.id,
            blob_sha256=sha256,
            filename=f"record-{number}.pdf",
            title=fields.pop("title", f"Record {number}"),
            doc_type=doc_type,
            kind="pdf",
            page_count=len(pages),
            status=STATUS_INDEXED,
            **fields,
        )
        session.add(document)
        session.flush()
        for page_number, text in enumerate(pages, start=1):
            session.add(Page(document_id=document.id, number=page_number, text=text, source="text_layer"))
        return document.id
