"""The upload screen: several files with optional metadata, and the outcome of each file."""

import logging

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from archive_api.api.deps import ArchiveDep
from archive_api.documents.metadata import DocumentMetadata, clean_metadata, parse_date
from archive_api.documents.uploads import accept_uploads
from archive_api.errors import N_, DiwanError
from web.deps import UploaderUser
from web.forms import FormState, Translate
from web.rendering import is_htmx, render, translator

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

METADATA_FIELDS = ("title", "doc_type", "employee_number", "doc_date")
ACCEPTED_TYPES = ".pdf,.png,.jpg,.jpeg,.tif,.tiff,.webp,application/pdf,image/png,image/jpeg,image/tiff,image/webp"


def _upload_page(request: Request, form: FormState, outcomes=None, batch_id=None, status_code=200) -> Response:
    context = {"form": form, "outcomes": outcomes or [], "batch_id": batch_id, "accept": ACCEPTED_TYPES}
    template = "upload/_panel.html" if is_htmx(request) else "upload/page.html"
    return render(request, template, context, status_code=status_code)


def check_metadata(form: FormState, translate: Translate) -> DocumentMetadata | None:
    """Check each metadata field on its own, so every bad field gets its own message."""
    for name in METADATA_FIELDS:
        try:
            if name == "doc_date":
                # parse_date names the field in its message, so give it the name in the reader's language.
                parse_date(form.value(name), translate(N_("document date")))
            clean_metadata(**{name: form.value(name)})
        except DiwanError as error:
            form.add(name, error.render(translate))
    if not form.ok:
        return None
    return clean_metadata(**{name: form.value(name) for name in METADATA_FIELDS})


@router.get("/upload")
def upload_form(request: Request, user: UploaderUser) -> Response:
    return _upload_page(request, FormState(values=dict.fromkeys(METADATA_FIELDS, "")))


@router.post("/upload")
async def upload(request: Request, user: UploaderUser, archive: ArchiveDep) -> Response:
    """Accept the files; with JavaScript the page sends them in one request with progress."""
    submitted = await request.form()
    form = FormState.from_mapping(submitted, METADATA_FIELDS)
    translate = translator(request)
    files = [
        (item.filename or "", item.file)
        for item in submitted.getlist("files")
        if isinstance(item, UploadFile) and item.filename
    ]

    metadata = check_metadata(form, translate)
    if metadata is None:
        return _upload_page(request, form, status_code=422)

    try:
        # Intake checks run in child processes and can take seconds; keep the event loop free.
        batch_id, outcomes = await run_in_threadpool(accept_uploads, archive, user.id, files, metadata, "web")
    except DiwanError as error:
        form.add("files", error.render(translate))
        return _upload_page(request, form, status_code=error.http_status)

    accepted = sum(1 for outcome in outcomes if outcome.error is None)
    logger.info("web upload batch=%s accepted=%s rejected=%s", batch_id, accepted, len(outcomes) - accepted)
    if not accepted:
        # Every file was rejected: keep the metadata so the user can send corrected files.
        return _upload_page(request, form, outcomes, batch_id, 422)
    # The metadata described this upload's files; start the next upload with an empty form.
    fresh = FormState(values=dict.fromkeys(METADATA_FIELDS, ""))
    return _upload_page(request, fresh, outcomes, batch_id)
