"""The applicant's documents: upload once, replace with a new version, see status and thumbnails, download.

Every address names the applicant's own document and version. Another applicant's ids get the
same 404 page as ids that do not exist, and never a file.
"""

import logging
from dataclasses import dataclass
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response, StreamingResponse
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from archive_api.api.deps import ArchiveDep
from archive_api.documents.models import WORKING_STATES, Document
from archive_api.documents.service import failure_reason
from archive_api.errors import N_, DiwanError
from archive_api.storage import original_key, rendition_key
from recruitment.announcements.labels import DOCUMENT_KIND_NAMES
from recruitment.announcements.models import DOCUMENT_KINDS
from recruitment.applicants.documents import (
    applications_using,
    documents_of,
    own_document,
    own_version,
    records_by_id,
    upload_version,
    versions_of,
)
from recruitment.applicants.errors import EntryInvalid
from recruitment.applicants.models import ApplicantDocument, ApplicantDocumentVersion
from web.forms import FormState
from web.recruitment.applicants_deps import CurrentApplicant, render_applicant
from web.redirects import see_other
from web.rendering import is_htmx, translator
from web.views.uploads import ACCEPTED_TYPES

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

LIST_PATH = "/applicant/documents"
PAGE_TEMPLATE = "recruitment/profile/documents.html"
CARD_TEMPLATE = "recruitment/profile/_document.html"
NEW_FIELDS = ("kind", "title")
STREAM_CHUNK = 1024 * 1024


class NoFileSent(DiwanError):
    http_status = 422
    code = "no_file_sent"


class ThumbnailNotReady(DiwanError):
    http_status = 404
    code = "thumbnail_not_ready"


@dataclass
class DocumentCard:
    """One document as the page shows it: its versions newest first, their records and their use."""

    document: ApplicantDocument
    versions: list[ApplicantDocumentVersion]
    records: dict[int, Document]
    used_by: dict[int, list]
    reasons: dict[int, str]
    form: FormState

    @property
    def current(self) -> ApplicantDocumentVersion:
        return self.versions[0]

    @property
    def current_record(self) -> Document:
        return self.records[self.current.document_id]

    @property
    def working(self) -> bool:
        return self.current_record.status in WORKING_STATES


def _cards(session: Session, documents: list[ApplicantDocument], translate,
           forms: dict[int, FormState] | None = None) -> list[DocumentCard]:
    versions = versions_of(session, [document.id for document in documents])
    all_versions = [version for rows in versions.values() for version in rows]
    records = records_by_id(session, [version.document_id for version in all_versions])
    used_by = applications_using(session, [version.id for version in all_versions])
    reasons = {
        record_id: failure_reason(row, translate) for record_id, row in records.items() if row.status == "failed"
    }
    forms = forms or {}
    return [
        DocumentCard(document, versions[document.id], records, used_by, reasons,
                     forms.get(document.id, FormState(values={"note": ""})))
        for document in documents if versions[document.id]
    ]


def _page(request: Request, archive, applicant, form: FormState, status_code: int = 200,
          forms: dict[int, FormState] | None = None, uploaded: str = "") -> Response:
    with archive.db.session(write=False) as session:
        cards = _cards(session, documents_of(session, applicant), translator(request), forms)
    context = {
        "cards": cards,
        "form": form,
        "kinds": DOCUMENT_KINDS,
        "kind_names": DOCUMENT_KIND_NAMES,
        "accept": ACCEPTED_TYPES,
        "uploaded": uploaded,
    }
    return render_applicant(request, PAGE_TEMPLATE, context, status_code)


def _card(request: Request, archive, applicant, document_id: int, form: FormState | None = None,
          status_code: int = 200) -> Response:
    with archive.db.session(write=False) as session:
        document = own_document(session, applicant, document_id)
        forms = {document.id: form} if form is not None else None
        card = _cards(session, [document], translator(request), forms)[0]
    context = {"card": card, "kind_names": DOCUMENT_KIND_NAMES, "accept": ACCEPTED_TYPES}
    return render_applicant(request, CARD_TEMPLATE, context, status_code)


def _chunks(stream):
    try:
        while chunk := stream.read(STREAM_CHUNK):
            yield chunk
    finally:
        stream.close()


def _uploaded_file(submitted) -> UploadFile:
    item = submitted.get("file")
    if not isinstance(item, UploadFile) or not item.filename:
        raise NoFileSent(N_("No file was sent; choose a PDF, PNG, JPEG, TIFF or WebP file."))
    return item


@router.get(LIST_PATH)
def documents_page(request: Request, applicant: CurrentApplicant, archive: ArchiveDep, uploaded: str = "") -> Response:
    form = FormState(values=dict.fromkeys(NEW_FIELDS, ""))
    return _page(request, archive, applicant, form, uploaded="1" if uploaded == "1" else "")


@router.post(LIST_PATH)
async def add_document(request: Request, applicant: CurrentApplicant, archive: ArchiveDep) -> Response:
    """Upload a new document: kind, title and one file, checked by the archive's intake."""
    submitted = await request.form()
    form = FormState.from_mapping(submitted, NEW_FIELDS)
    translate = translator(request)
    try:
        upload = _uploaded_file(submitted)
        # Intake checks run in child processes and can take seconds; keep the event loop free.
        await run_in_threadpool(
            upload_version, archive, applicant.id, upload.filename, upload.file,
            kind=form.value("kind"), title=form.value("title"),
        )
    except EntryInvalid as error:
        for name, field_error in error.errors.items():
            form.add(name, field_error.render(translate))
        return await run_in_threadpool(_page, request, archive, applicant, form, error.http_status)
    except DiwanError as error:
        if error.http_status == 404:
            raise
        form.add("file", error.render(translate))
        return await run_in_threadpool(_page, request, archive, applicant, form, error.http_status)
    return see_other(f"{LIST_PATH}?uploaded=1")


@router.get(LIST_PATH + "/{document_id}")
def document_card(request: Request, document_id: int, applicant: CurrentApplicant, archive: ArchiveDep) -> Response:
    """Return one document's card, which HTMX polls while its file is being read."""
    if not is_htmx(request):
        with archive.db.session(write=False) as session:
            own_document(session, applicant, document_id)
        return see_other(f"{LIST_PATH}#document-{document_id}")
    return _card(request, archive, applicant, document_id)


@router.post(LIST_PATH + "/{document_id}/versions")
async def replace_document(request: Request, document_id: int, applicant: CurrentApplicant,
                           archive: ArchiveDep) -> Response:
    """Upload a new version of a document; the older versions stay, as applications may use them."""
    submitted = await request.form()
    form = FormState.from_mapping(submitted, ("note",))
    translate = translator(request)
    try:
        upload = _uploaded_file(submitted)
        await run_in_threadpool(
            upload_version, archive, applicant.id, upload.filename, upload.file,
            note=form.value("note"), applicant_document_id=document_id,
        )
    except DiwanError as error:
        if error.http_status == 404:
            raise
        field = "note" if isinstance(error, EntryInvalid) or "field" in error.params else "file"
        form.add(field, error.render(translate))
        if is_htmx(request):
            return await run_in_threadpool(_card, request, archive, applicant, document_id, form, error.http_status)
        return await run_in_threadpool(_page, request, archive, applicant,
                                       FormState(values=dict.fromkeys(NEW_FIELDS, "")), error.http_status,
                                       {document_id: form})
    if is_htmx(request):
        return await run_in_threadpool(_card, request, archive, applicant, document_id)
    return see_other(f"{LIST_PATH}#document-{document_id}")


@router.get(LIST_PATH + "/{document_id}/versions/{version_id}/file")
def download_version(document_id: int, version_id: int, applicant: CurrentApplicant, archive: ArchiveDep):
    """Send the applicant's own original file exactly as it was uploaded."""
    with archive.db.session(write=False) as session:
        _version, record_row = own_version(session, applicant, document_id, version_id)
        blob = record_row.blob
        filename = record_row.filename

    headers = {
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}",
        "Content-Length": str(blob.size),
    }
    stream = archive.store.open(original_key(blob.sha256))
    return StreamingResponse(_chunks(stream), media_type=blob.mime, headers=headers)


@router.get(LIST_PATH + "/{document_id}/versions/{version_id}/thumbnail")
def version_thumbnail(document_id: int, version_id: int, applicant: CurrentApplicant, archive: ArchiveDep):
    """Send the small image of the first page, once the archive has made it."""
    with archive.db.session(write=False) as session:
        _version, record_row = own_version(session, applicant, document_id, version_id)
    key = rendition_key(record_row.id, "thumb-1.webp")
    if not archive.store.exists(key):
        raise ThumbnailNotReady(N_("The small image of this document is not ready yet; reload the page later."))
    return Response(archive.store.get_bytes(key), media_type="image/webp",
                    headers={"Cache-Control": "private, max-age=3600"})
