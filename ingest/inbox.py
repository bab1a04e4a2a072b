"""Scanner inbox: files a scanner drops into <inbox>/<DEPARTMENT CODE>/ are imported by the workers.

A file is taken once its size and modification time have stayed the same between two scans, so
a scanner still writing it is left alone. Each file is first renamed into `.processing/`, an
atomic step that only one worker can win. An accepted file then moves to `.done/<date>/`, and a
rejected one to `.rejected/` with `<name>.reason.txt` beside it.
"""

import logging
import uuid
from datetime import date
from pathlib import Path

from sqlalchemy import select

from archive_api.accounts.models import Department
from archive_api.context import Archive
from archive_api.documents.bulk import import_files
from archive_api.documents.metadata import DocumentMetadata
from archive_api.documents.models import STATUS_QUEUED
from ingest.queue import enqueue

logger = logging.getLogger(__name__)

PROCESSING = ".processing"
DONE = ".done"
REJECTED = ".rejected"


class Inbox:
    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self.root = archive.settings.resolved_inbox_dir
        # (size, mtime) of each file at the previous scan.
        self._seen: dict[Path, tuple[int, float]] = {}

    def _department_folders(self) -> list[Path]:
        with self.archive.db.session(write=False) as session:
            codes = set(session.scalars(select(Department.code)))
        folders = []
        for code in sorted(codes):
            folder = self.root / code
            folder.mkdir(parents=True, exist_ok=True)
            folders.append(folder)
        return folders

    def _ready_files(self, folder: Path) -> list[Path]:
        ready = []
        for path in sorted(folder.iterdir()):
            if path.name.startswith(".") or not path.is_file():
                continue
            stat = path.stat()
            signature = (stat.st_size, stat.st_mtime)
            if self._seen.get(path) == signature:
                ready.append(path)
            self._seen[path] = signature
        return ready

    def _claim(self, path: Path) -> Path | None:
        target = path.parent / PROCESSING / f"{uuid.uuid4().hex[:8]}-{path.name}"
        target.parent.mkdir(exist_ok=True)
        try:
            path.rename(target)
        except FileNotFoundError:
            return None  # another worker took it first
        self._seen.pop(path, None)
        return target

    def scan(self) -> int:
        """Import every settled file; return how many were accepted."""
        accepted = 0
        for folder in self._department_folders():
            for path in self._ready_files(folder):
                claimed = self._claim(path)
                if claimed is not None:
                    accepted += self._import(folder, claimed, path.name)
        return accepted

    def _import(self, folder: Path, claimed: Path, original_name: str) -> int:
        [outcome] = import_files(self.archive, [claimed], folder.name, lambda _path: DocumentMetadata(),
                                 display_names={claimed: original_name})
        if outcome.document_id is None:
            rejected = folder / REJECTED / original_name
            rejected.parent.mkdir(exist_ok=True)
            claimed.rename(rejected)
            rejected.with_name(rejected.name + ".reason.txt").write_text(outcome.reason + "\n")
            logger.info("inbox file rejected department=%s", folder.name)
            return 0

        done = folder / DONE / date.today().isoformat() / original_name
        done.parent.mkdir(parents=True, exist_ok=True)
        claimed.rename(done)
        if outcome.status == STATUS_QUEUED:
            enqueue([outcome.document_id])
        logger.info("inbox file accepted document=%s department=%s", outcome.document_id, folder.name)
        return 1
