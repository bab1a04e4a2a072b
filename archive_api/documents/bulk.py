"""Importing many local files into one department: the CLI import and the demo samples."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from archive_api.accounts.models import Department, User
from archive_api.accounts.service import get_department, get_user
from archive_api.context import Archive
from archive_api.documents.metadata import DocumentMetadata
from archive_api.documents.models import Batch
from archive_api.documents.service import accept_file, new_batch
from archive_api.errors import DiwanError

logger = logging.getLogger(__name__)


@dataclass
class Outcome:
    name: str
    document_id: int | None = None
    status: str = ""
    reason: str = ""

    def line(self) -> str:
        fields = [str(self.document_id or "-"), self.status, self.name]
        if self.reason:
            fields.append(self.reason)
        return "\t".join(fields)


def import_files(
    archive: Archive,
    files: list[Path],
    department_code: str,
    metadata_for: Callable[[Path], DocumentMetadata],
    uploader_name: str | None = None,
    display_names: dict[Path, str] | None = None,
) -> list[Outcome]:
    """Accept each file in its own transaction, so a rejected file never takes others with it.

    A file is recorded under its own name unless display_names gives another one.
    """
    with archive.db.session() as session:
        department = get_department(session, department_code)
        uploader = get_user(session, uploader_name) if uploader_name else None
        batch = new_batch(session, department, uploader, "cli")
        department_id, batch_id = department.id, batch.id
        uploader_id = uploader.id if uploader else None

    outcomes = []
    for path in files:
        outcome = Outcome(name=(display_names or {}).get(path, str(path)))
        try:
            with archive.db.session() as session:
                accepted = accept_file(
                    archive,
                    session,
                    session.get(Department, department_id),
                    path,
                    (display_names or {}).get(path, path.name),
                    metadata_for(path),
                    session.get(User, uploader_id) if uploader_id else None,
                    session.get(Batch, batch_id),
                )
                outcome.document_id = accepted.document.id
                outcome.status = accepted.document.status
                if accepted.duplicate:
                    outcome.reason = "duplicate of an existing record"
        except DiwanError as error:
            outcome.status = "rejected"
            outcome.reason = error.render()
        outcomes.append(outcome)
    return outcomes
