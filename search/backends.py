"""Open the search backend named by a URL (the DIWAN_SEARCH_URL setting)."""

import logging
from pathlib import Path
from urllib.parse import unquote, urlsplit

from archive_api.errors import N_, DiwanError
from search.backend import SearchBackend
from search.tantivy_backend import TantivySearch

logger = logging.getLogger(__name__)


class InvalidSearchUrl(DiwanError):
    code = "invalid_search_url"


def open_search_backend(url: str) -> SearchBackend:
    """Return the backend for tantivy:///absolute/path; raise InvalidSearchUrl otherwise."""
    parts = urlsplit(url)
    if parts.scheme == "tantivy":
        return _open_tantivy(url, parts.netloc, unquote(parts.path))

    if parts.scheme in ("http", "https"):
        # TODO: open the Elasticsearch backend here once it exists.
        raise InvalidSearchUrl(
            N_(
                "The search URL %(url)s names Elasticsearch, which this version of Diwan "
                "does not support yet. Set DIWAN_SEARCH_URL to tantivy:///absolute/path."
            ),
            url=url,
        )

    raise InvalidSearchUrl(
        N_(
            "The search URL %(url)s has an unknown scheme. Set DIWAN_SEARCH_URL to "
            "tantivy:///absolute/path or leave it empty to use the data directory."
        ),
        url=url,
    )


def _open_tantivy(url: str, host: str, path: str) -> SearchBackend:
    # tantivy://index/x would silently mean a relative path "index/x" to some readers and the
    # absolute /x to others, so a host part is rejected rather than guessed.
    if host or not path.startswith("/"):
        raise InvalidSearchUrl(
            N_(
                "The search URL %(url)s must give an absolute path after three slashes, as in "
                "tantivy:///var/lib/diwan/index."
            ),
            url=url,
        )

    return TantivySearch(Path(path))
