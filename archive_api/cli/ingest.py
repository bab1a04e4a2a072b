"""Bulk import of files and folders, ingestion status and retries from the command line."""

import logging
import os
import sys
import time
from pathlib import Path

import click
from sqlalchemy import select

from archive_api.cli.common import EXIT_FAILED, reports_errors
from archive_api.context import Archive, get_archive
from archive_api.documents.bulk import Outcome, import_files
from archive_api.documents.metadata import DocumentMetadata, clean_metadata
from archive_api.documents.models import FINAL_STATES, STATUS_FAILED, Document
from archive_api.documents.service import retry_document
from archive_api.errors import N_, DiwanError
from ingest.local_runner import run_locally
from ingest.manifest import Manifest, load_manifest
from ingest.queue import enqueue, live_workers

logger = logging.getLogger(__name__)

POLL_INTERVAL_S = 1.0


class MissingPath(DiwanError):
    code = "missing_path"


def collect_files(
    paths: tuple[Path, ...], manifest_path: Path | None, data_dir: Path
) -> list[tuple[Path, Path | None]]:
    """Expand folders recursively, skipping hidden files and the data dir; each file comes with its folder."""
    data_dir = data_dir.resolve()
    files: list[tuple[Path, Path | None]] = []
    for path in paths:
        if not path.exists():
            raise MissingPath(N_("%(path)s does not exist; check the path."), path=str(path))
        if path.is_file():
            files.append((path, None))
            continue
        for found in sorted(path.rglob("*")):
            hidden = any(part.startswith(".") for part in found.relative_to(path).parts)
            is_manifest = manifest_path is not None and found.resolve() == manifest_path.resolve()
            in_data_dir = found.resolve().is_relative_to(data_dir)
            if found.is_file() and not hidden and not is_manifest and not in_data_dir:
                files.append((found, path))
    return files


def _metadata(manifest: Manifest | None, path: Path, root: Path | None, doc_type: str | None) -> DocumentMetadata:
    described = manifest.metadata_for(path, root) if manifest else None
    if described is None:
        return clean_metadata(doc_type=doc_type)
    if described.doc_type is None and doc_type:
        return clean_metadata(described.title, doc_type, described.employee_number, described.doc_date)
    return described


def _wait(archive: Archive, outcomes: list[Outcome], jobs: int) -> None:
    ids = [outcome.document_id for outcome in outcomes if outcome.document_id and outcome.status not in FINAL_STATES]
    with archive.db.session(write=False) as session:
        workers = live_workers(session)
    if ids and not workers:
        # No worker will take the work, so do it here with the same pipeline a worker runs. The
        # heartbeats are in the shared database, so this is true for a Redis broker too.
        run_locally(archive, ids, jobs)
    elif ids:
        enqueue(ids)
        _poll_until_final(archive, ids)
    _refresh(archive, outcomes)


def _poll_until_final(archive: Archive, ids: list[int]) -> None:
    remaining = set(ids)
    while remaining:
        with archive.db.session(write=False) as session:
            done = session.scalars(
                select(Document.id).where(Document.id.in_(remaining), Document.status.in_(FINAL_STATES))
            ).all()
        remaining -= set(done)
        if remaining:
            time.sleep(POLL_INTERVAL_S)


def _refresh(archive: Archive, outcomes: list[Outcome]) -> None:
    with archive.db.session(write=False) as session:
        for outcome in outcomes:
            if outcome.document_id is None:
                continue
            document = session.get(Document, outcome.document_id)
            outcome.status = document.status
            if document.status == STATUS_FAILED:
                outcome.reason = document.error_message or ""


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--department", "department_code", required=True, help="Code of the department that owns the files.")
@click.option("--type", "doc_type", help="Document type for files the manifest does not describe.")
@click.option("--manifest", type=click.Path(path_type=Path), help="CSV: file,title,type,employee_number,date.")
@click.option("--wait", is_flag=True, help="Return when every file is indexed or failed; exit 1 if any failed.")
@click.option("--as", "uploader_name", help="Record the import under this user in the audit log.")
@click.option(
    "--jobs", type=int, default=0, help="Parallel extractions when this command does the work; 0 means one per core."
)
@reports_errors
def ingest(paths, department_code, doc_type, manifest, wait, uploader_name, jobs) -> None:
    """Add files or folders (recursively) to the archive. Prints: id, status, file[, reason]."""
    archive = get_archive()
    manifest_rows = load_manifest(manifest) if manifest else None
    files = collect_files(paths, manifest, archive.settings.data_dir)
    if not files:
        raise MissingPath(N_("No files were found under %(paths)s."), paths=", ".join(map(str, paths)))
    if doc_type:
        clean_metadata(doc_type=doc_type)

    roots = dict(files)
    outcomes = import_files(
        archive,
        [path for path, _root in files],
        department_code,
        lambda path: _metadata(manifest_rows, path, roots[path], doc_type),
        uploader_name,
    )
    if wait:
        _wait(archive, outcomes, jobs or archive.settings.extraction_jobs or os.cpu_count() or 1)
    else:
        queued = [
            outcome.document_id for outcome in outcomes if outcome.document_id and outcome.status not in FINAL_STATES
        ]
        enqueue(queued)
        with archive.db.session(write=False) as session:
            if queued and not live_workers(session):
                click.echo("note: no worker is running; start `diwan serve` or `diwan worker`, or use --wait", err=True)

    for outcome in outcomes:
        click.echo(outcome.line())
    if any(outcome.status in ("rejected", STATUS_FAILED) for outcome in outcomes):
        sys.exit(EXIT_FAILED)


@click.command()
@click.argument("document_ids", nargs=-1, type=int)
@click.option("--failed", "all_failed", is_flag=True, help="Retry every failed record.")
@reports_errors
def retry(document_ids, all_failed) -> None:
    """Queue failed records again; their originals were kept."""
    archive = get_archive()
    with archive.db.session() as session:
        if all_failed:
            document_ids = session.scalars(select(Document.id).where(Document.status == STATUS_FAILED)).all()
        for document_id in document_ids:
            document = session.get(Document, document_id)
            if document is None:
                raise MissingPath(N_("Document %(id)s does not exist."), id=document_id)
            retry_document(session, None, document)
    enqueue(document_ids)
    for document_id in document_ids:
        click.echo(f"{document_id}\tqueued")


@click.command()
@click.argument("document_ids", nargs=-1, type=int)
@reports_errors
def status(document_ids) -> None:
    """Show the ingestion state of records (all unfinished ones without ids)."""
    archive = get_archive()
    with archive.db.session(write=False) as session:
        query = select(Document).order_by(Document.id)
        query = (
            query.where(Document.id.in_(document_ids))
            if document_ids
            else query.where(Document.status.not_in(FINAL_STATES))
        )
        for document in session.scalars(query):
            progress = f"page {document.progress_page} of {document.page_count}"
            click.echo(
                "\t".join(
                    [str(document.id), document.status, progress, document.filename, document.error_message or ""]
                ).rstrip()
            )
