"""Documents an applicant uploads once into their own space, each file an archive record.

A file goes through the archive's own intake (archive_api.documents.service.accept_file: type
by content, size, page and pixel limits, decompression bombs) into the applicants'
department, with owner_applicant_id set, and is queued for OCR and thumbnails after the
commit. Replacing a document adds a version; older versions stay, because applications point
at the exact version they used.
"""

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from archive_api.accounts.models import Department
from archive_api.accounts.service import add_department
from archive_api.context import Archive
from archive_api.documents.metadata import DocumentMetadata
from archive_api.documents.models import Document
from archive_api.documents.service import accept_file
from archive_api.documents.uploads import spool_upload
from archive_api.errors import N_, Conflict, NotFound, Term
from ingest.intake import safe_display_name
from ingest.queue import enqueue
from recruitment.announcements.models import DOCUMENT_KINDS
from recruitment.applicants.errors import EntryInvalid, InvalidApplicantData
from recruitment.applicants.models import Applicant, ApplicantDocument, ApplicantDocumentVersion
from recruitment.applicants.profile_fields import clean_choice, clean_text
from recruitment.applications.models import Application, ApplicationDocument

logger = logging.getLogger(__name__)

MAX_DOCUMENTS = 40
MAX_VERSIONS = 20
MAX_TITLE_LENGTH = 200
MAX_NOTE_LENGTH = 500
VERSION_NUMBER_TRIES = 3
DEPARTMENT_NAME_AR = "ملفات المتقدمين للوظائف"
DEPARTMENT_NAME_EN = "Job applicants' files"


@dataclass(frozen=True)
class UploadedVersion:
    """The ids of the rows an upload created (ids only, because the database session is closed by then)."""

    applicant_document_id: int
    version_id: int
    version: int
    record_id: int
    reused_record: bool


def applicants_department(session: Session, code: str) -> Department:
    """Return the department that owns applicants' files, creating it on first use."""
    department = session.scalar(select(Department).where(Department.code == code))
    if department is not None:
        return department
    try:
        with session.begin_nested():
            department = add_department(session, code, DEPARTMENT_NAME_AR, DEPARTMENT_NAME_EN)
    except (IntegrityError, Conflict):
        # Another request created it at the same moment.
        department = session.scalar(select(Department).where(Department.code == code))
    logger.info("applicants department ready id=%s", department.id)
    return department


def check_new_document(kind: str, title: str) -> tuple[str, str]:
    """Return the clean kind and title of a new document; raises EntryInvalid naming each bad field."""
    values, errors = {}, {}
    checks = {
        "kind": lambda: clean_choice(kind, Term(N_("document kind")), DOCUMENT_KINDS),
        "title": lambda: clean_text(title, Term(N_("document title")), MAX_TITLE_LENGTH),
    }
    for name, check in checks.items():
        try:
            values[name] = check()
        except InvalidApplicantData as error:
            errors[name] = error
    if errors:
        raise EntryInvalid(N_("Some fields need attention; see the messages below each one."), errors)
    return values["kind"], values["title"]


def check_note(note: str) -> str:
    return clean_text(note, Term(N_("note")), MAX_NOTE_LENGTH, required=False)


def own_document(session: Session, applicant: Applicant, applicant_document_id: int) -> ApplicantDocument:
    """Return one of the applicant's documents; another applicant's id is not found, like a missing one."""
    document = session.get(ApplicantDocument, applicant_document_id)
    if document is None or document.applicant_id != applicant.id:
        raise NotFound(N_("Document %(id)s was not found in your documents."), id=applicant_document_id)
    return document


def own_version(
    session: Session, applicant: Applicant, applicant_document_id: int, version_id: int
) -> tuple[ApplicantDocumentVersion, Document]:
    """Return a version of one of the applicant's documents and its archive record, or raise NotFound."""
    document = own_document(session, applicant, applicant_document_id)
    version = session.get(ApplicantDocumentVersion, version_id)
    if version is None or version.applicant_document_id != document.id:
        raise NotFound(N_("Document %(id)s was not found in your documents."), id=applicant_document_id)
    record_row = session.get(Document, version.document_id)
    if record_row is None or record_row.owner_applicant_id != applicant.id:
        raise NotFound(N_("Document %(id)s was not found in your documents."), id=applicant_document_id)
    return version, record_row


def _check_room(session: Session, applicant: Applicant, document: ApplicantDocument | None) -> None:
    if document is None:
        count = session.scalar(
            select(func.count()).select_from(ApplicantDocument).where(ApplicantDocument.applicant_id == applicant.id)
        )
        if count >= MAX_DOCUMENTS:
            raise InvalidApplicantData(
                N_("You already have %(count)d documents, the most allowed; replace an existing one instead."),
                count=count,
            )
        return
    versions = session.scalar(
        select(func.count()).select_from(ApplicantDocumentVersion)
        .where(ApplicantDocumentVersion.applicant_document_id == document.id)
    )
    if versions >= MAX_VERSIONS:
        raise InvalidApplicantData(
            N_("This document already has %(count)d versions, the most allowed; add it as a new document instead."),
            count=versions,
        )


def _next_version(session: Session, document: ApplicantDocument) -> int:
    latest = session.scalar(
        select(func.max(ApplicantDocumentVersion.version))
        .where(ApplicantDocumentVersion.applicant_document_id == document.id)
    )
    return (latest or 0) + 1


def upload_version(
    archive: Archive,
    applicant_id: int,
    raw_name: str,
    stream: BinaryIO,
    kind: str = "",
    title: str = "",
    note: str = "",
    applicant_document_id: int | None = None,
) -> UploadedVersion:
    """Store a file as a new document (kind and title) or as the next version of an existing one.

    Raises the archive's RejectedFile errors (too large, wrong type, bomb, ...) with nothing
    stored, EntryInvalid for bad kind or title, and NotFound for another applicant's document.
    """
    name = safe_display_name(raw_name or "")
    note = check_note(note)
    if applicant_document_id is None:
        kind, title = check_new_document(kind, title)

    temporary: Path | None = None
    try:
        temporary = spool_upload(stream, name, archive.settings.max_upload_bytes, archive.settings.data_dir / "tmp")
        with archive.db.session() as session:
            uploaded = _record_upload(archive, session, applicant_id, temporary, name, kind, title, note,
                                      applicant_document_id)
    finally:
        if temporary is not None:
            temporary.unlink(missing_ok=True)

    if not uploaded.reused_record:
        enqueue([uploaded.record_id])
    logger.info("applicant document uploaded applicant=%s document=%s version=%s record=%s",
                applicant_id, uploaded.applicant_document_id, uploaded.version, uploaded.record_id)
    return uploaded


def _record_upload(archive, session, applicant_id, path, name, kind, title, note, applicant_document_id):
    applicant = session.get(Applicant, applicant_id)
    document = own_document(session, applicant, applicant_document_id) if applicant_document_id else None
    _check_room(session, applicant, document)
    department = applicants_department(session, archive.settings.applicants_department)

    metadata = DocumentMetadata(title=title or (document.title if document else None),
                                doc_type=document.kind if document else kind)
    accepted = accept_file(archive, session, department, path, name, metadata,
                           owner_applicant_id=applicant.id, actor_label=f"applicant:{applicant.id}")
    record_row, reused = accepted.document, accepted.duplicate

    if document is None:
        document = ApplicantDocument(applicant_id=applicant.id, kind=kind, title=title)
        session.add(document)
        session.flush()
    version = _add_version(session, document, record_row.id, note)
    return UploadedVersion(document.id, version.id, version.version, record_row.id, reused)


def _insert_version(session: Session, document: ApplicantDocument, record_id: int, note: str):
    version = ApplicantDocumentVersion(
        applicant_document_id=document.id, version=_next_version(session, document), document_id=record_id, note=note,
    )
    session.add(version)
    session.flush()
    return version


def _add_version(session: Session, document: ApplicantDocument, record_id: int, note: str) -> ApplicantDocumentVersion:
    """Add the next version; when a simultaneous upload took that number first, try the number after it."""
    for _ in range(VERSION_NUMBER_TRIES - 1):
        try:
            with session.begin_nested():
                return _insert_version(session, document, record_id, note)
        except IntegrityError:
            logger.info("version number taken by another upload, trying the next document=%s", document.id)
    return _insert_version(session, document, record_id, note)


def documents_of(session: Session, applicant: Applicant) -> list[ApplicantDocument]:
    return list(session.scalars(
        select(ApplicantDocument).where(ApplicantDocument.applicant_id == applicant.id)
        .order_by(ApplicantDocument.created_at.desc(), ApplicantDocument.id.desc())
    ))


def versions_of(session: Session, document_ids: list[int]) -> dict[int, list[ApplicantDocumentVersion]]:
    """Return the versions of each document, newest first."""
    found: dict[int, list[ApplicantDocumentVersion]] = {document_id: [] for document_id in document_ids}
    if not document_ids:
        return found
    rows = session.scalars(
        select(ApplicantDocumentVersion)
        .where(ApplicantDocumentVersion.applicant_document_id.in_(document_ids))
        .order_by(ApplicantDocumentVersion.version.desc())
    )
    for row in rows:
        found[row.applicant_document_id].append(row)
    return found


def current_versions(session: Session, applicant: Applicant) -> list[ApplicantDocumentVersion]:
    """Return the newest version of each of the applicant's documents, newest document first.

    Each version's `applicant_document` gives the kind and title, and `document_id` the archive
    record, whose status shows whether OCR finished or the file failed.
    """
    newest = (
        select(ApplicantDocumentVersion.applicant_document_id, func.max(ApplicantDocumentVersion.version).label("top"))
        .join(ApplicantDocument, ApplicantDocument.id == ApplicantDocumentVersion.applicant_document_id)
        .where(ApplicantDocument.applicant_id == applicant.id)
        .group_by(ApplicantDocumentVersion.applicant_document_id)
        .subquery()
    )
    return list(session.scalars(
        select(ApplicantDocumentVersion)
        .join(newest, (ApplicantDocumentVersion.applicant_document_id == newest.c.applicant_document_id)
              & (ApplicantDocumentVersion.version == newest.c.top))
        .order_by(ApplicantDocumentVersion.applicant_document_id.desc())
    ))


def applications_using(session: Session, version_ids: list[int]) -> dict[int, list[Application]]:
    """Return, for each version id, the applications that used it (empty lists for unused versions)."""
    found: dict[int, list[Application]] = {version_id: [] for version_id in version_ids}
    if not version_ids:
        return found
    rows = session.execute(
        select(ApplicationDocument.version_id, Application)
        .join(Application, Application.id == ApplicationDocument.application_id)
        .where(ApplicationDocument.version_id.in_(version_ids))
        .order_by(Application.submitted_at.desc())
    )
    for version_id, application in rows:
        found[version_id].append(application)
    return found


def records_by_id(session: Session, record_ids: list[int]) -> dict[int, Document]:
    if not record_ids:
        return {}
    return {row.id: row for row in session.scalars(select(Document).where(Document.id.in_(record_ids)))}
