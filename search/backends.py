"""Open the search backend named by a URL (the DIWAN_SEARCH_URL setting)."""

import logging
import re
from pathlib import Path
from urllib.parse import SplitResult, parse_qs, unquote, urlsplit

from archive_api.errors import N_, DiwanError
from search.backend import SearchBackend
from search.tantivy_backend import TantivySearch

logger = logging.getLogger(__name__)


# Lower-case letters, digits, dot, underscore and hyphen, not starting with a sign or dot: a
# name that Elasticsearch 8 and OpenSearch 2 both accept for an index and an alias.
_ALIAS_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{0,199}")
_CLUSTER_OPTIONS = ("shards", "replicas")


class InvalidSearchUrl(DiwanError):
    code = "invalid_search_url"


def open_search_backend(url: str) -> SearchBackend:
    """Return the backend for tantivy:///absolute/path or http(s)://host:port/alias.

    Raise InvalidSearchUrl for any other form.
    """
    parts = urlsplit(url)
    if parts.scheme == "tantivy":
        return _open_tantivy(url, parts.netloc, unquote(parts.path))

    if parts.scheme in ("http", "https"):
        return _open_elasticsearch(parts)

    raise InvalidSearchUrl(
        N_(
            "The search URL %(url)s has an unknown scheme. Set DIWAN_SEARCH_URL to "
            "tantivy:///absolute/path, to http://host:9200/alias for Elasticsearch or OpenSearch, "
            "or leave it empty to use the data directory."
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


def _open_elasticsearch(parts: SplitResult) -> SearchBackend:
    """Open http(s)://[user:password@]host:port[/prefix]/alias[?shards=N&replicas=N]."""
    from search.elasticsearch_backend import ElasticsearchSearch

    prefix, _, alias = parts.path.rstrip("/").rpartition("/")
    if not parts.hostname or not _ALIAS_PATTERN.fullmatch(alias):
        raise InvalidSearchUrl(
            N_(
                "The search URL %(url)s must end with the name of the index alias, in lower-case "
                "letters, digits, dots, hyphens and underscores, as in http://127.0.0.1:9200/diwan."
            ),
            url=_without_password(parts),
        )

    options = _cluster_options(parts)
    base_url = parts._replace(path=prefix, query="", fragment="").geturl()
    logger.info("Opening search alias %s on %s", alias, parts.hostname)
    return ElasticsearchSearch(base_url, alias, **options)


def _cluster_options(parts: SplitResult) -> dict[str, int]:
    options: dict[str, int] = {}
    for name, values in parse_qs(parts.query, keep_blank_values=True).items():
        value = values[-1]
        if name not in _CLUSTER_OPTIONS or not value.isdigit():
            raise InvalidSearchUrl(
                N_(
                    "The search URL %(url)s has an unknown option or value %(option)s. Only shards "
                    "and replicas with a whole number are accepted, as in ?shards=3&replicas=1."
                ),
                url=_without_password(parts),
                option=f"{name}={value}",
            )
        options[name] = int(value)

    if options.get("shards", 1) < 1:
        raise InvalidSearchUrl(
            N_("The search URL %(url)s asks for 0 shards; use 1 or more."), url=_without_password(parts)
        )
    return options


def _without_password(parts: SplitResult) -> str:
    """Return the URL for messages, with any password replaced."""
    if parts.password is None:
        return parts.geturl()
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()
