"""Demo data for a first look: departments, their users, the bundled sample documents, and the
recruitment portal's sample announcements and yearly figures.

Passwords are random and printed once (and kept in the data dir), so a demo install has no
well-known password. Running it twice changes nothing.
"""

import logging
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import select

from archive_api.accounts import service as accounts
from archive_api.accounts.models import Department, User
from archive_api.context import Archive
from archive_api.documents.bulk import import_files
from archive_api.documents.metadata import DocumentMetadata
from archive_api.documents.models import Document
from ingest.local_runner import run_locally
from ingest.manifest import load_manifest
from recruitment.announcements.demo import ensure_recruitment_staff, seed_recruitment

logger = logging.getLogger(__name__)

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "samples"
DEPARTMENTS = (
    ("HR", "دائرة شؤون الموظفين", "Personnel Affairs"),
    ("MOH", "وزارة الصحة", "Ministry of Health"),
)
USERS = (
    ("hr.admin", "HR", "admin"),
    ("hr.clerk", "HR", "clerk"),
    ("hr.reader", "HR", "reader"),
    ("moh.reader", "MOH", "reader"),
)


def _ensure_people(archive: Archive) -> list[tuple[str, str]]:
    """Create missing departments and users; return (username, password) of new users."""
    created = []
    with archive.db.session() as session:
        for code, name_ar, name_en in DEPARTMENTS:
            if not session.scalar(select(Department).where(Department.code == code)):
                accounts.add_department(session, code, name_ar, name_en)
        for username, department, role in USERS:
            if not session.scalar(select(User).where(User.username == username)):
                password = secrets.token_urlsafe(9)
                accounts.add_user(session, username, department, role, password)
                created.append((username, password))
    return created


def _ingest_samples(archive: Archive, folder: Path) -> Iterator[str]:
    """Import samples/<DEPARTMENT>/* into each department, described by samples/manifest.csv."""
    manifest = load_manifest(folder / "manifest.csv")
    ids = []
    for department_folder in sorted(p for p in folder.iterdir() if p.is_dir()):
        files = sorted(p for p in department_folder.iterdir() if p.is_file())
        outcomes = import_files(
            archive,
            files,
            department_folder.name,
            lambda path: manifest.metadata_for(path, folder) or DocumentMetadata(),
        )
        for outcome in outcomes:
            if outcome.document_id is None:
                yield f"sample {outcome.name} rejected: {outcome.reason}"
            else:
                ids.append(outcome.document_id)

    pending = _pending(archive, ids)
    if pending:
        yield f"extracting {len(pending)} sample documents (OCR takes a few seconds a page)..."
        run_locally(archive, pending, os.cpu_count() or 1)
    with archive.db.session(write=False) as session:
        for document in session.scalars(select(Document).where(Document.id.in_(ids)).order_by(Document.id)):
            yield f"{document.id}\t{document.status}\t{document.department.code}\t{document.title}"


def _pending(archive: Archive, ids: list[int]) -> list[int]:
    with archive.db.session(write=False) as session:
        return list(session.scalars(select(Document.id).where(Document.id.in_(ids), Document.status != "indexed")))


def seed_demo(archive: Archive, samples: str | None = None) -> Iterator[str]:
    created = _ensure_people(archive) + ensure_recruitment_staff(archive)
    yield from _ingest_samples(archive, Path(samples) if samples else SAMPLES_DIR)
    yield from seed_recruitment(archive, SAMPLES_DIR)

    credentials = archive.settings.data_dir / "demo-credentials.txt"
    if created:
        with credentials.open("a") as handle:
            for username, password in created:
                handle.write(f"{username}\t{password}\n")
        credentials.chmod(0o600)
    yield ""
    yield f"Demo users (also in {credentials}):"
    yield from (f"  {line}" for line in credentials.read_text().splitlines())
