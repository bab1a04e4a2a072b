"""The archive's backends for one process: settings, database, object store and search index.

Opened once per process (server, worker or CLI run) from the settings, so nothing else needs to
know which backend is configured.
"""

import logging
import threading
from functools import cached_property

from archive_api.db import Database
from archive_api.migrate import upgrade_database
from archive_api.settings import Settings, get_settings
from archive_api.storage import ObjectStore, open_object_store
from ingest.types import Limits
from search.backend import SearchBackend

logger = logging.getLogger(__name__)


class Archive:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.db = Database(settings.resolved_database_url)
        self._search_lock = threading.Lock()

    @cached_property
    def store(self) -> ObjectStore:
        return open_object_store(self.settings.resolved_object_store)

    @cached_property
    def search(self) -> SearchBackend:
        from search.backends import open_search_backend

        with self._search_lock:
            return open_search_backend(self.settings.resolved_search_url)

    @property
    def limits(self) -> Limits:
        return Limits.from_settings(self.settings)

    def migrate(self) -> None:
        upgrade_database(self.settings.resolved_database_url)

    def close(self) -> None:
        if "search" in self.__dict__:
            self.search.close()
        self.db.dispose()


_current: Archive | None = None
_current_lock = threading.Lock()


def get_archive() -> Archive:
    """Return this process's archive, opening it (and migrating the database) on first use."""
    global _current
    with _current_lock:
        if _current is None:
            archive = Archive(get_settings())
            archive.migrate()
            _current = archive
        return _current


def reset_archive() -> None:
    """Close and forget this process's archive (CLI --data-dir and tests)."""
    global _current
    with _current_lock:
        if _current is not None:
            _current.close()
        _current = None
