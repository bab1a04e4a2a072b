"""Accepting several uploaded files at once, for the REST API and the web UI alike.

Each file is copied to a temporary file with its size counted, then accepted in its own
transaction, so one rejected file never loses the others. Accepted records are queued only
after their commit.
"""

import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from archive_api.accounts.models import User
from archive_api.context import Archive
from archive_api.documents.metadata import DocumentMetadata
from archive_api.documents.models import Batch
from archive_api.documents.service import accept_file, new_batch, require_uploader
from archive_api.errors import N_, DiwanError
from ingest.intake import safe_display_name
from ingest.queue import enqueue
from ingest.rejections import FileTooLarge

logger = logging.getLogger(__name__)

MAX_FILES_PER_UPLOAD = 100
CHUNK = 1024 * 1024


class TooManyFiles(DiwanError):
    http_status = 413
    code = "too_many_files"


class NoFiles(DiwanError):
    code = "no_files"


@dataclass
class UploadOutcome:
    file: str
    document_id: int | None = None
    status: str = "rejected"
    duplicate: bool = False
    error: DiwanError | None = None


def spool_upload(source: BinaryIO, name: str, limit: int, folder: Path) -> Path:
    """Copy an upload to a temporary file, stopping as soon as it passes the size limit."""
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix="upload-")
    size = 0
    with os.fdopen(handle, "wb") as target:
        while chunk := source.read(CHUNK):
            size += len(chunk)
            if size > limit:
                target.close()
                os.unlink(temporary)
                raise FileTooLarge(
                    N_(
                        "%(file)s is larger than the %(limit_mb)d MiB limit (DIWAN_MAX_UPLOAD_BYTES); "
                        "split it or scan at a lower resolution."
                    ),
                    file=name,
                    limit_mb=limit // (1024 * 1024),
                )
            target.write(chunk)
    return Path(temporary)


def accept_uploads(
    archive: Archive, user_id: int, files: list[tuple[str, BinaryIO]], metadata: DocumentMetadata, source: str
) -> tuple[int, list[UploadOutcome]]:
    """Accept each file on its own; return the batch id and one outcome per file."""
    if not files:
        raise NoFiles(N_("No file was sent; choose at least one PDF, PNG, JPEG, TIFF or WebP file."))
    if len(files) > MAX_FILES_PER_UPLOAD:
        raise TooManyFiles(
            N_("%(count)d files were sent at once; send at most %(maximum)d per upload."),
            count=len(files),
            maximum=MAX_FILES_PER_UPLOAD,
        )

    with archive.db.session() as session:
        user = session.get(User, user_id)
        require_uploader(user)
        batch_id = new_batch(session, user.department, user, source).id

    outcomes = [_accept_one(archive, user_id, batch_id, raw_name, stream, metadata) for raw_name, stream in files]
    enqueue([outcome.document_id for outcome in outcomes if outcome.status == "queued" and outcome.document_id])
    return batch_id, outcomes


def _accept_one(archive, user_id, batch_id, raw_name, stream, metadata) -> UploadOutcome:
    name = safe_display_name(raw_name or "")
    outcome = UploadOutcome(file=name)
    temporary = None
    try:
        temporary = spool_upload(stream, name, archive.settings.max_upload_bytes, archive.settings.data_dir / "tmp")
        with archive.db.session() as session:
            user = session.get(User, user_id)
            accepted = accept_file(
                archive, session, user.department, temporary, name, metadata, user, session.get(Batch, batch_id)
            )
            outcome.document_id = accepted.document.id
            outcome.status = accepted.document.status
            outcome.duplicate = accepted.duplicate
    except DiwanError as error:
        logger.info("upload rejected batch=%s code=%s", batch_id, error.code)
        outcome.error = error
    finally:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
    return outcome
