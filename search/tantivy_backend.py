"""SearchBackend on an embedded Tantivy index, shared by the web and worker processes.

Directory layout under the configured path:

    write.lock             flock taken by index(), delete() and rebuild(), across processes
    current -> v1-...      symlink to the live generation, replaced atomically by rebuild()
    v1-20250101T120000-…   Tantivy index directories ("generations"), named with LAYOUT_VERSION

Tantivy allows one IndexWriter per index directory and raises LockBusy for a second one, so
each write call opens a writer only while it holds write.lock, commits, waits for merges and
drops it. Readers never lock: before each search they follow `current` and reload when the
generation's meta.json changed, so commits and rebuilds of other processes show at once.
"""

import fcntl
import logging
import os
import re
import secrets
import shutil
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import tantivy

from archive_api.errors import N_, DiwanError
from search.backend import IndexedDocument, SearchPage, SearchRequest, validate_request
from search.tantivy_schema import (
    DATE_ORDER,
    ID,
    LAYOUT_VERSION,
    build_query,
    build_schema,
    to_tantivy_document,
)

logger = logging.getLogger(__name__)

CURRENT_LINK = "current"
WRITE_LOCK = "write.lock"
GENERATION_PREFIX = f"v{LAYOUT_VERSION}-"

# Indexing memory of Tantivy writers, in bytes. Tantivy needs at least 15 MB per thread.
WRITER_HEAP_BYTES = 64_000_000
REBUILD_HEAP_BYTES = 256_000_000

# Another process may delete merged segments or an old generation between the moment a reader
# reads the pointer and the moment it opens the files. The reader then tries again.
OPEN_ATTEMPTS = 3


_GENERATION_NAME = re.compile(r"v\d+-")


def _new_generation_name() -> str:
    return f"{GENERATION_PREFIX}{time.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(4)}"


class SearchIndexOutdated(DiwanError):
    http_status = 503
    code = "search_index_outdated"


class TantivySearch:
    """SearchBackend stored in a directory.

    An instance may be shared between threads. Several processes may each open their own
    instance on the same directory, and they coordinate through write.lock and `current`.
    """

    def __init__(self, path: Path) -> None:
        self._root = Path(path)
        self._write_mutex = threading.Lock()
        self._state_mutex = threading.Lock()
        self._generation: str | None = None
        self._index: tantivy.Index | None = None
        self._meta: bytes | None = None
        self._closed = False
        self._schema = build_schema()

        self._root.mkdir(parents=True, exist_ok=True)
        self._create_if_missing()

    # Writing

    def index(self, documents: Iterable[IndexedDocument]) -> None:
        """Add or replace documents by id. The last one wins when an id repeats."""
        latest = {document.id: document for document in documents}
        if not latest:
            return

        # Analysis is the slow part, so it runs before the lock is taken.
        prepared = [to_tantivy_document(document) for document in latest.values()]
        with self._writer() as writer:
            writer.delete_documents_by_query(self._ids_query(latest))
            for document in prepared:
                writer.add_document(document)

        logger.info("Indexed %d documents", len(prepared))
        self._refresh()

    def delete(self, ids: Iterable[int]) -> None:
        """Remove documents by id; unknown ids are ignored."""
        unique_ids = set(ids)
        if not unique_ids:
            return

        with self._writer() as writer:
            writer.delete_documents_by_query(self._ids_query(unique_ids))

        logger.info("Deleted %d ids from the search index", len(unique_ids))
        self._refresh()

    def rebuild(self, documents: Iterable[IndexedDocument]) -> int:
        """Index the documents into a new generation, switch `current` to it, return the count.

        Searches keep using the old generation until the switch. Other writers wait on
        write.lock for the whole rebuild, so no update lands in the generation being retired.
        """
        self._check_open()
        with self._write_lock():
            previous = self._read_current()
            name = _new_generation_name()
            path = self._mkdir(name)
            try:
                count = self._fill(path, documents)
            except BaseException:
                shutil.rmtree(path, ignore_errors=True)
                raise

            self._switch(name)
            self._remove_generations(keep={name, previous})

        logger.info("Rebuilt the search index with %d documents in %s", count, name)
        self._refresh()
        return count

    # Reading

    def search(self, request: SearchRequest) -> SearchPage:
        validate_request(request)
        if not request.principals:
            return SearchPage(total=0)

        searcher = self._searcher()
        query = build_query(self._schema, request)
        # Tantivy rejects a limit of 0, so a count-only request fetches one hit and drops it.
        limit = max(request.limit, 1)
        if request.sort == "relevance":
            result = searcher.search(query, limit, count=True, offset=request.offset)
        else:
            order = tantivy.Order.Desc if request.sort == "date_desc" else tantivy.Order.Asc
            result = searcher.search(
                query,
                limit,
                count=True,
                order_by_field=DATE_ORDER,
                offset=request.offset,
                order=order,
            )

        if request.limit == 0:
            return SearchPage(total=result.count)
        addresses = [address for _, address in result.hits]
        return SearchPage(total=result.count, ids=searcher.fast_field_values(ID, addresses))

    def count(self) -> int:
        return self._searcher().num_docs

    def close(self) -> None:
        with self._state_mutex:
            self._closed = True
            self._index = None
            self._generation = None

    # Generations and locks

    @contextmanager
    def _write_lock(self) -> Iterator[None]:
        """Hold write.lock: a thread mutex within the process, flock across processes."""
        with self._write_mutex:
            descriptor = os.open(self._root / WRITE_LOCK, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX)
                yield
            finally:
                fcntl.flock(descriptor, fcntl.LOCK_UN)
                os.close(descriptor)

    @contextmanager
    def _writer(self) -> Iterator[tantivy.IndexWriter]:
        """Yield a writer of the live generation under write.lock, then commit and release it."""
        self._check_open()
        with self._write_lock():
            # The generation is read under the lock because a rebuild may have switched it.
            name = self._read_current()
            self._check_layout(name)
            index = tantivy.Index.open(str(self._root / name))
            writer = index.writer(WRITER_HEAP_BYTES, 1)
            try:
                yield writer
                writer.commit()
            except BaseException:
                writer.rollback()
                raise
            finally:
                # Dropping a writer cancels its merges, and one commit per call would then
                # pile up segments. Waiting lets the merge policy keep their number low.
                writer.wait_merging_threads()

    def _ids_query(self, ids: Iterable[int]) -> tantivy.Query:
        # delete_documents_by_term in tantivy-py 0.27 turns a Python int into a signed term,
        # which never matches the unsigned id field, so deletes go through a query.
        return tantivy.Query.term_set_query(self._schema, ID, sorted(ids))

    def _fill(self, path: Path, documents: Iterable[IndexedDocument]) -> int:
        index = tantivy.Index(self._schema, path=str(path), reuse=False)
        writer = index.writer(REBUILD_HEAP_BYTES, 0)
        seen: set[int] = set()
        try:
            for document in documents:
                if document.id in seen:
                    writer.delete_documents_by_query(self._ids_query([document.id]))
                seen.add(document.id)
                writer.add_document(to_tantivy_document(document))
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        finally:
            writer.wait_merging_threads()
        return len(seen)

    def _create_if_missing(self) -> None:
        if (self._root / CURRENT_LINK).is_symlink():
            return

        with self._write_lock():
            if (self._root / CURRENT_LINK).is_symlink():
                return
            name = _new_generation_name()
            tantivy.Index(self._schema, path=str(self._mkdir(name)), reuse=False)
            self._switch(name)
            logger.info("Created an empty search index in %s", name)

    def _mkdir(self, name: str) -> Path:
        path = self._root / name
        path.mkdir()
        return path

    def _read_current(self) -> str:
        return os.readlink(self._root / CURRENT_LINK)

    def _switch(self, name: str) -> None:
        """Point `current` at a generation with one rename, which POSIX makes atomic."""
        temporary = self._root / f"{CURRENT_LINK}.{secrets.token_hex(4)}.tmp"
        os.symlink(name, temporary)
        os.replace(temporary, self._root / CURRENT_LINK)
        directory = os.open(self._root, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)

    def _remove_generations(self, keep: set[str]) -> None:
        # The previous generation stays until the next rebuild, because another process may
        # have read the old pointer and be opening it right now.
        for entry in self._root.iterdir():
            if entry.name in keep or entry.is_symlink() or not _GENERATION_NAME.match(entry.name):
                continue
            shutil.rmtree(entry, ignore_errors=True)
            logger.info("Removed old search index generation %s", entry.name)

    def _check_layout(self, name: str) -> None:
        if name.startswith(GENERATION_PREFIX):
            return
        raise SearchIndexOutdated(
            N_(
                "The search index in %(path)s has layout %(found)s, but this version of "
                "Diwan needs layout v%(expected)d. Rebuild the search index."
            ),
            path=str(self._root),
            found=name.split("-", 1)[0],
            expected=LAYOUT_VERSION,
        )

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError(f"the search index at {self._root} is closed")

    # Reader refresh

    def _searcher(self) -> tantivy.Searcher:
        with self._state_mutex:
            self._check_open()
            self._refresh_locked()
            return self._index.searcher()

    def _refresh(self) -> None:
        with self._state_mutex:
            if not self._closed:
                self._refresh_locked()

    def _refresh_locked(self) -> None:
        """Follow `current` and reload the reader when the generation or its commit changed."""
        for attempt in range(1, OPEN_ATTEMPTS + 1):
            try:
                self._follow_current()
                return
            except (OSError, ValueError):
                if attempt == OPEN_ATTEMPTS:
                    raise
                logger.info("Search index changed while opening it; retrying (attempt %d)", attempt)

    def _follow_current(self) -> None:
        name = self._read_current()
        self._check_layout(name)
        if name != self._generation:
            index = tantivy.Index.open(str(self._root / name))
            index.config_reader("Manual")
            self._index, self._generation, self._meta = index, name, None

        # meta.json is replaced by a rename on every commit, so its bytes change exactly
        # when there is something new to load.
        meta = (self._root / name / "meta.json").read_bytes()
        if meta != self._meta:
            self._index.reload()
            self._meta = meta
