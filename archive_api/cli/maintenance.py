"""Schema migration, index rebuild and integrity checks."""

import logging
import sys

import click
from sqlalchemy import select

from archive_api.audit.service import verify_chain
from archive_api.cli.common import EXIT_FAILED, reports_errors
from archive_api.context import get_archive
from archive_api.documents.models import STATUS_INDEXED, Blob, Document, Page
from archive_api.errors import DiwanError
from archive_api.storage import original_key
from archive_api.storage.integrity import rehash_object
from ingest.pipeline import to_indexed_document

logger = logging.getLogger(__name__)


@click.command()
def migrate() -> None:
    """Apply pending database migrations."""
    get_archive().migrate()
    click.echo("database is up to date")


def indexed_documents(archive, batch_size: int = 500):
    """Stream every indexed record with its page texts, without loading them all at once."""
    last_id = 0
    while True:
        with archive.db.session(write=False) as session:
            documents = session.scalars(
                select(Document)
                .where(Document.status == STATUS_INDEXED, Document.id > last_id)
                .order_by(Document.id)
                .limit(batch_size)
            ).all()
            if not documents:
                return
            ids = [document.id for document in documents]
            texts: dict[int, list[str]] = {document_id: [] for document_id in ids}
            for document_id, text in session.execute(
                select(Page.document_id, Page.text)
                .where(Page.document_id.in_(ids))
                .order_by(Page.document_id, Page.number)
            ):
                texts[document_id].append(text)
            batch = [to_indexed_document(document, tuple(texts[document.id])) for document in documents]
        yield from batch
        last_id = ids[-1]


@click.command()
@reports_errors
def reindex() -> None:
    """Rebuild the search index from the database and object store, then switch to it."""
    archive = get_archive()
    count = archive.search.rebuild(indexed_documents(archive))
    click.echo(f"reindexed {count} documents")


@click.command()
@reports_errors
def verify() -> None:
    """Re-hash every stored original and check the audit log's hash chain."""
    archive = get_archive()
    problems = 0
    checked = 0
    last = ""
    while True:
        with archive.db.session(write=False) as session:
            blobs = session.scalars(select(Blob).where(Blob.sha256 > last).order_by(Blob.sha256).limit(1000)).all()
        if not blobs:
            break
        for blob in blobs:
            checked += 1
            try:
                actual = rehash_object(archive.store, original_key(blob.sha256))
            except DiwanError as error:
                problems += 1
                click.echo(f"missing\t{blob.sha256}\t{error.render()}")
                continue
            if actual != blob.sha256:
                problems += 1
                click.echo(f"mismatch\t{blob.sha256}\tstored bytes hash to {actual}")
        last = blobs[-1].sha256
    click.echo(f"objects checked: {checked}, problems: {problems}")

    with archive.db.session(write=False) as session:
        entries, chain_problems = verify_chain(session)
    for problem in chain_problems:
        click.echo(f"audit\t{problem.entry_id}\t{problem.problem}")
    click.echo(f"audit entries checked: {entries}, problems: {len(chain_problems)}")
    if problems or chain_problems:
        sys.exit(EXIT_FAILED)
