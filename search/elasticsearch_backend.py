"""SearchBackend on an Elasticsearch or OpenSearch cluster, spoken to over its REST API with httpx.

The index mirrors the Tantivy schema (search.tantivy_schema) so that both backends return the
same documents for the same request:

- Text arrives as terms that search.analysis produced, joined by spaces. The cluster's built-in
  `whitespace` analyzer splits them back without changing them.
- Each page is one value of `body`. A position gap of 1 between values (Tantivy leaves the same
  gap) keeps phrases from matching across a page break. Titles have their own field, boosted
  by search.tantivy_schema.TITLE_BOOST in queries.
- BM25 uses k1=1.2 and b=0.75 (Tantivy's constants), norms exist on `body` and `title` only, and
  the index has one shard by default, so document frequencies are those of the whole index.
- Filters (readers, type, employee number, dates) are `filter` clauses, which never add to the
  score, and totals are exact (track_total_hits).

Diwan reaches the index through an alias, the last path segment of DIWAN_SEARCH_URL. `rebuild`
fills a fresh index, moves the alias in one atomic request and then deletes the old index.
While a rebuild runs, the new index also carries the alias `<alias>-rebuild`, and index() and
delete() write to it as well, so updates made during the rebuild are not lost at the switch.
"""

import json
import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx

from archive_api.errors import N_, DiwanError
from search.analysis import analyze
from search.backend import IndexedDocument, SearchPage, SearchRequest, SearchUnavailable, validate_request
from search.query import Clause
from search.tantivy_schema import ID_BITS, MAX_ID, TITLE_BOOST, normalize_doc_type, normalize_employee_number

logger = logging.getLogger(__name__)

# Bump when the mapping changes. An alias that points to another version must be rebuilt.
LAYOUT_VERSION = 1

# Tantivy's BM25 constants, as the explain output of tantivy-py 0.27 shows them. They are
# also the defaults of Lucene's BM25Similarity.
BM25_K1 = 1.2
BM25_B = 0.75
# Positions left empty between two pages of `body`, as many as tantivy-py 0.27 leaves between
# two values of a field (a phrase with slop 1 matches across them, one with slop 0 does not).
PAGE_POSITION_GAP = 1

# Waits before the second, third, ... attempt of a request that found the cluster unavailable.
# After the last one the call raises SearchUnavailable, about 7.5 seconds after the first try.
RETRY_DELAYS_S = (0.5, 1.0, 2.0, 4.0)
TRANSIENT_STATUSES = frozenset({429, 502, 503, 504})
REQUEST_TIMEOUT_S = 60.0
CONNECT_TIMEOUT_S = 5.0

# Bulk requests are cut at this many documents or bytes, whichever comes first.
BULK_DOCUMENTS = 500
BULK_BYTES = 8_000_000

# The cluster's own Arabic chain for the secondary `arabic` subfields. The filters come from
# the analysis-common module of OpenSearch and Elasticsearch, which minimal distributions lack.
ARABIC_CHAIN = {
    "type": "custom",
    "tokenizer": "standard",
    "filter": ["lowercase", "decimal_digit", "arabic_normalization", "arabic_stem"],
}


# One bulk command and its document (None for a delete).
Action = tuple[dict[str, Any], dict[str, Any] | None]


class SearchRequestFailed(DiwanError):
    http_status = 502
    code = "search_request_failed"


class SearchIndexConflict(DiwanError):
    http_status = 503
    code = "search_index_conflict"


def _as_utc(moment: datetime) -> datetime:
    # A naive created_at is taken as UTC, which is how the archive stores timestamps.
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def to_source(document: IndexedDocument) -> dict[str, Any]:
    """Analyse a document's title and pages and return the JSON document the index stores."""
    if not 0 <= document.id <= MAX_ID:
        raise ValueError(f"document id {document.id} is outside 0 to {MAX_ID}")

    source: dict[str, Any] = {
        "id": document.id,
        "title": " ".join(analyze(document.title)),
        "body": [" ".join(analyze(page)) for page in document.pages],
        "department": document.department,
        "readers": list(document.readers),
        "created_at": _as_utc(document.created_at).isoformat(),
    }
    if document.doc_type:
        source["doc_type"] = normalize_doc_type(document.doc_type)
    if document.employee_number:
        source["employee_number"] = normalize_employee_number(document.employee_number)
    if document.doc_date is not None:
        source["doc_date"] = document.doc_date.isoformat()
        # Same sort key as Tantivy's: the day, then the id, so one day keeps one order.
        source["date_order"] = (document.doc_date.toordinal() << ID_BITS) | document.id
    return source


def index_body(shards: int, replicas: int, arabic_chain: bool) -> dict[str, Any]:
    """Return the settings and mapping of a new index.

    With `arabic_chain`, `title.arabic` and `body.arabic` contain the same terms re-analysed by
    the cluster's Arabic filters. They serve ad-hoc queries typed into the cluster's own tools,
    and Diwan's queries never use them.
    """
    text_fields: dict[str, Any] = {}
    analysis: dict[str, Any] = {}
    if arabic_chain:
        analysis = {"analyzer": {"arabic_chain": ARABIC_CHAIN}}
        text_fields = {"fields": {"arabic": {"type": "text", "analyzer": "arabic_chain", "norms": False}}}

    keyword = {"type": "keyword"}
    mappings = {
        "dynamic": "strict",
        # The database is the source of truth and rebuild() reads from it, so only the
        # metadata is kept in _source, for ad-hoc queries.
        "_source": {"excludes": ["title", "body"]},
        "properties": {
            "id": {"type": "long"},
            "title": {"type": "text", "analyzer": "whitespace", **text_fields},
            "body": {
                "type": "text",
                "analyzer": "whitespace",
                "position_increment_gap": PAGE_POSITION_GAP,
                **text_fields,
            },
            "department": keyword,
            "doc_type": keyword,
            "employee_number": keyword,
            "readers": keyword,
            "doc_date": {"type": "date", "format": "strict_date"},
            "date_order": {"type": "long", "index": False},
            "created_at": {"type": "date"},
        },
    }
    settings = {
        "number_of_shards": shards,
        "number_of_replicas": replicas,
        "similarity": {"default": {"type": "BM25", "k1": BM25_K1, "b": BM25_B}},
    }
    if analysis:
        settings["analysis"] = analysis
    return {"settings": {"index": settings}, "mappings": mappings}


def _sequence_query(field: str, terms: tuple[str, ...], boost: float) -> dict[str, Any]:
    if len(terms) == 1:
        return {"term": {field: {"value": terms[0], "boost": boost}}}
    return {"match_phrase": {field: {"query": " ".join(terms), "analyzer": "whitespace", "boost": boost}}}


def _clause_queries(clause: Clause) -> list[dict[str, Any]]:
    """Return one query per field and alternative: body plain, title boosted."""
    queries: list[dict[str, Any]] = []
    for terms in clause.alternatives:
        queries.append(_sequence_query("body", terms, 1.0))
        queries.append(_sequence_query("title", terms, TITLE_BOOST))
    return queries


def build_query(request: SearchRequest) -> dict[str, Any]:
    """Translate a request into one bool query, clause for clause like the Tantivy backend."""
    must = [{"bool": {"should": _clause_queries(clause)}} for clause in request.query.required]
    must_not = [query for clause in request.query.excluded for query in _clause_queries(clause)]

    filters: list[dict[str, Any]] = [{"terms": {"readers": sorted(request.principals)}}]
    if request.doc_type:
        filters.append({"term": {"doc_type": normalize_doc_type(request.doc_type)}})
    if request.employee_number:
        filters.append({"term": {"employee_number": normalize_employee_number(request.employee_number)}})
    if request.date_from or request.date_to:
        bounds = {}
        if request.date_from:
            bounds["gte"] = request.date_from.isoformat()
        if request.date_to:
            bounds["lte"] = request.date_to.isoformat()
        filters.append({"range": {"doc_date": bounds}})

    return {"bool": {"must": must, "must_not": must_not, "filter": filters}}


def build_search_body(request: SearchRequest) -> dict[str, Any]:
    body: dict[str, Any] = {
        "query": build_query(request),
        "from": request.offset,
        "size": request.limit,
        "track_total_hits": True,
        "_source": False,
    }
    # Equal scores are common (BM25 quantises field lengths), and undated hits share a date
    # sort position. The id orders them, so pages stay disjoint when segments merge between
    # requests. NOTE: Tantivy orders them by index order, which is the id order only while
    # documents go in by id with one writer thread, so tied hits can differ after its rebuild.
    if request.sort == "relevance":
        body["sort"] = [{"_score": {"order": "desc"}}, {"id": {"order": "asc"}}]
    else:
        order = "desc" if request.sort == "date_desc" else "asc"
        body["sort"] = [{"date_order": {"order": order, "missing": "_last"}}, {"id": {"order": "asc"}}]
    return body


def _bulk_lines(action: Action) -> bytes:
    """Return the NDJSON lines of one bulk action: the command, then the document if any."""
    command, source = action
    lines = json.dumps(command, ensure_ascii=False) + "\n"
    if source is not None:
        lines += json.dumps(source, ensure_ascii=False) + "\n"
    return lines.encode()


def _error_type(response: httpx.Response) -> str:
    try:
        error = response.json().get("error")
    except ValueError:
        return response.reason_phrase
    if isinstance(error, dict):
        return str(error.get("type", response.reason_phrase))
    return str(error or response.reason_phrase)


class ElasticsearchSearch:
    """SearchBackend on an index alias in an Elasticsearch 8 or OpenSearch 2 cluster.

    Opening contacts nothing, so the archive opens while the cluster is down. The first call
    creates the index and the alias when they are missing. An instance may be shared by threads.
    """

    def __init__(
        self,
        base_url: str,
        alias: str,
        *,
        shards: int = 1,
        replicas: int = 0,
        retry_delays_s: tuple[float, ...] = RETRY_DELAYS_S,
        timeout_s: float = REQUEST_TIMEOUT_S,
    ) -> None:
        self._alias = alias
        self._rebuild_alias = f"{alias}-rebuild"
        self._shards = shards
        self._replicas = replicas
        self._retry_delays_s = retry_delays_s
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"),
            timeout=httpx.Timeout(timeout_s, connect=CONNECT_TIMEOUT_S),
            # Proxy settings in the environment are meant for outside traffic, and the cluster
            # is an internal service.
            trust_env=False,
        )
        # Host and port only: the URL may carry a user name and password.
        self._host = f"{self._client.base_url.host}:{self._client.base_url.port or ''}"
        self._ready = False
        self._ready_lock = threading.Lock()

    @property
    def alias(self) -> str:
        return self._alias

    # Writing

    def index(self, documents: Iterable[IndexedDocument]) -> None:
        """Add or replace documents by id. The last one wins when an id repeats."""
        latest = {document.id: document for document in documents}
        if not latest:
            return

        sources = [(str(document_id), to_source(document)) for document_id, document in latest.items()]
        self._write(lambda target: [({"index": {"_index": target, "_id": key}}, source) for key, source in sources])
        logger.info("Indexed %d documents into %s", len(sources), self._alias)

    def delete(self, ids: Iterable[int]) -> None:
        """Remove documents by id; unknown ids are ignored."""
        keys = [str(document_id) for document_id in sorted(set(ids))]
        if not keys:
            return

        self._write(lambda target: [({"delete": {"_index": target, "_id": key}}, None) for key in keys])
        logger.info("Deleted %d ids from %s", len(keys), self._alias)

    def rebuild(self, documents: Iterable[IndexedDocument]) -> int:
        """Index the documents into a new index, move the alias to it, return the count.

        Searches use the old index until the switch, which is one atomic alias request. A
        rebuild also repairs an alias that points to an index of an older layout.
        """
        self._check_no_rebuild_running()
        name = f"{self._alias}-v{LAYOUT_VERSION}-{time.strftime('%Y%m%dt%H%M%S')}-{secrets.token_hex(4)}"
        self._create_index(name, aliases=[self._rebuild_alias], replicas=0, refresh_interval="-1")
        try:
            self._check_rebuild_alias_is(name)
            count = self._fill(name, documents)
            self._finish_rebuild(name)
            # Read just before the switch, because another process may have created the
            # first index while this rebuild ran.
            old_indices = self._alias_indices(self._alias)
            self._switch_alias(name, old_indices)
        except BaseException:
            self._delete_indices([name])
            raise

        self._ready = True
        self._delete_indices(old_indices)
        logger.info("Rebuilt %s with %d documents in %s", self._alias, count, name)
        return count

    # Reading

    def search(self, request: SearchRequest) -> SearchPage:
        validate_request(request)
        if not request.principals:
            return SearchPage(total=0)

        self._ensure_index()
        # With several shards, each would score with its own term statistics. The extra
        # round trip of dfs_query_then_fetch makes them score with the whole index's.
        params = {"search_type": "dfs_query_then_fetch"} if self._shards > 1 else {}
        response = self._request(
            "POST", f"/{self._alias}/_search", json=build_search_body(request), params=params, action="search"
        )
        hits = response.json()["hits"]
        return SearchPage(total=hits["total"]["value"], ids=[int(hit["_id"]) for hit in hits["hits"]])

    def count(self) -> int:
        self._ensure_index()
        return self._request("GET", f"/{self._alias}/_count", action="count").json()["count"]

    def close(self) -> None:
        self._client.close()

    # Bulk writes

    def _write(self, actions_for: Callable[[str], list[Action]]) -> None:
        """Apply actions to the alias, and to the index of a running rebuild when there is one."""
        self._ensure_index()
        targets = [self._alias]
        if self._alias_indices(self._rebuild_alias):
            targets.append(self._rebuild_alias)
        self._bulk([action for target in targets for action in actions_for(target)], refresh=True)

    def _bulk(self, actions: list[Action], refresh: bool, conflicts_ok: bool = False) -> None:
        """Send actions in bulk requests of bounded size; with `refresh`, searches see them on return.

        Actions that name an alias (every one but a rebuild's) must find it, because a write to
        a missing alias would otherwise create a concrete index of that name with a guessed
        mapping.
        """
        chunks = list(_chunks(actions))
        parameters = {"refresh": "false"} if conflicts_ok else {"refresh": "false", "require_alias": "true"}
        for number, chunk in enumerate(chunks, start=1):
            if refresh and number == len(chunks):
                parameters = {**parameters, "refresh": "true"}
            self._send_bulk(chunk, parameters, conflicts_ok)

    def _send_bulk(self, chunk: list[tuple[Action, bytes]], parameters: dict[str, str], conflicts_ok: bool) -> None:
        """Send one bulk request; retry the items that the cluster rejected as overloaded."""
        pending = chunk
        for delay in (*self._retry_delays_s, None):
            response = self._request(
                "POST",
                "/_bulk",
                content=b"".join(lines for _, lines in pending),
                params=parameters,
                headers={"Content-Type": "application/x-ndjson"},
                action="bulk",
            )
            result = response.json()
            if not result.get("errors"):
                return

            overloaded = self._check_items(pending, result["items"], conflicts_ok)
            if not overloaded:
                return
            if delay is None:
                break
            logger.warning("Cluster %s rejected %d bulk items as overloaded, retrying", self._host, len(overloaded))
            time.sleep(delay)
            pending = overloaded

        raise SearchUnavailable(
            N_(
                "The search cluster at %(host)s stayed overloaded and rejected indexing requests. "
                "Check its load and disk space; documents wait and are indexed when it recovers."
            ),
            host=self._host,
        )

    def _check_items(self, pending: list, items: list[dict], conflicts_ok: bool) -> list:
        """Return the actions to send again, and raise for an item that failed for good."""
        overloaded = []
        for entry, item in zip(pending, items, strict=True):
            outcome = next(iter(item.values()))
            status = outcome.get("status", 200)
            if status < 300 or (status == 404 and "delete" in item) or (status == 409 and conflicts_ok):
                continue
            if status == 429:
                overloaded.append(entry)
                continue
            error = outcome.get("error", {})
            if status == 404 and error.get("type") == "index_not_found_exception":
                # Someone removed the alias, so the next call creates it again.
                self._ready = False
            raise SearchRequestFailed(
                N_(
                    "The search cluster at %(host)s rejected document %(id)s in %(index)s: %(error)s. "
                    "Check the cluster log, then run diwan reindex."
                ),
                host=self._host,
                id=outcome.get("_id"),
                index=outcome.get("_index"),
                error=error.get("type", status),
            )
        return overloaded

    # Rebuild steps

    def _fill(self, name: str, documents: Iterable[IndexedDocument]) -> int:
        """Index the documents into the new index and return how many distinct ids went in."""
        seen: set[int] = set()
        for batch in _batches(documents):
            latest = {document.id: document for document in batch}
            # create never overwrites, so a fresher copy that index() wrote during the rebuild
            # wins over the rebuild's. An id repeated by the source replaces its earlier copy.
            actions = [
                ({"index" if key in seen else "create": {"_index": name, "_id": str(key)}}, to_source(document))
                for key, document in latest.items()
            ]
            self._bulk(actions, refresh=False, conflicts_ok=True)
            seen.update(latest)
        return len(seen)

    def _finish_rebuild(self, name: str) -> None:
        settings = {"index": {"number_of_replicas": self._replicas, "refresh_interval": None}}
        self._request("PUT", f"/{name}/_settings", json=settings, action="update settings")
        self._request("POST", f"/{name}/_refresh", action="refresh")

    def _switch_alias(self, name: str, old_indices: list[str]) -> None:
        actions: list[dict[str, Any]] = [{"remove": {"index": index, "alias": self._alias}} for index in old_indices]
        actions.append({"add": {"index": name, "alias": self._alias}})
        actions.append({"remove": {"index": name, "alias": self._rebuild_alias}})
        self._request("POST", "/_aliases", json={"actions": actions}, action="switch alias")

    def _check_no_rebuild_running(self) -> None:
        running = self._alias_indices(self._rebuild_alias)
        if running:
            raise SearchIndexConflict(
                N_(
                    "Another rebuild of the search index %(alias)s is running into %(index)s. Wait for "
                    "it to finish. If it was interrupted, delete index %(index)s and run diwan reindex again."
                ),
                alias=self._alias,
                index=running[0],
            )

    def _check_rebuild_alias_is(self, name: str) -> None:
        # Two rebuilds that started at the same moment would both pass the check above.
        others = [index for index in self._alias_indices(self._rebuild_alias) if index != name]
        if others:
            raise SearchIndexConflict(
                N_("Another rebuild of the search index %(alias)s started at the same time into %(index)s."),
                alias=self._alias,
                index=others[0],
            )

    # Index and alias management

    def _ensure_index(self) -> None:
        """Create the first index with the alias when the alias is missing, and check its layout."""
        if self._ready:
            return

        with self._ready_lock:
            if self._ready:
                return
            indices = self._alias_indices(self._alias)
            if not indices:
                # A fixed name, so processes that start together create one index, not several.
                self._create_index(f"{self._alias}-v{LAYOUT_VERSION}-0", aliases=[self._alias], exists_ok=True)
                indices = self._alias_indices(self._alias)
            self._check_layout(indices)
            self._ready = True

    def _check_layout(self, indices: list[str]) -> None:
        expected = f"{self._alias}-v{LAYOUT_VERSION}-"
        if len(indices) == 1 and indices[0].startswith(expected):
            return
        raise SearchIndexConflict(
            N_(
                "The search alias %(alias)s points to %(indices)s, but this version of Diwan needs "
                "one index whose name starts with %(expected)s. Run diwan reindex to build it."
            ),
            alias=self._alias,
            indices=", ".join(indices) or "nothing",
            expected=expected,
        )

    def _create_index(
        self,
        name: str,
        aliases: list[str],
        replicas: int | None = None,
        refresh_interval: str | None = None,
        exists_ok: bool = False,
    ) -> None:
        body = index_body(self._shards, self._replicas if replicas is None else replicas, self._has_arabic_chain())
        if refresh_interval is not None:
            body["settings"]["index"]["refresh_interval"] = refresh_interval
        body["aliases"] = {alias: {} for alias in aliases}

        response = self._request("PUT", f"/{name}", json=body, action="create index", allowed=(200, 400))
        if response.status_code == 200:
            logger.info("Created search index %s", name)
            return

        error = _error_type(response)
        if error == "resource_already_exists_exception" and exists_ok:
            return
        if error == "invalid_alias_name_exception":
            raise SearchIndexConflict(
                N_(
                    "The search cluster at %(host)s already has an index named %(alias)s, so Diwan "
                    "cannot use that name as its alias. Name another alias in DIWAN_SEARCH_URL."
                ),
                host=self._host,
                alias=self._alias,
            )
        raise SearchRequestFailed(
            N_("The search cluster at %(host)s rejected creating index %(index)s: %(error)s. Check the cluster log."),
            host=self._host,
            index=name,
            error=error,
        )

    def _has_arabic_chain(self) -> bool:
        """Return whether the cluster has the filters of ARABIC_CHAIN (analysis-common)."""
        probe = {key: value for key, value in ARABIC_CHAIN.items() if key != "type"}
        response = self._request(
            "POST", "/_analyze", json={**probe, "text": "المدرسة"}, action="analyze", allowed=(200, 400)
        )
        if response.status_code == 200:
            return True
        logger.warning(
            "Cluster %s lacks the Arabic analysis filters (%s), so the index gets no arabic subfields",
            self._host,
            _error_type(response),
        )
        return False

    def _alias_indices(self, alias: str) -> list[str]:
        response = self._request("GET", f"/_alias/{alias}", action="read alias", allowed=(200, 404))
        if response.status_code == 404:
            return []
        return sorted(response.json())

    def _delete_indices(self, names: list[str]) -> None:
        for name in names:
            try:
                self._request("DELETE", f"/{name}", action="delete index", allowed=(200, 404))
            except DiwanError as error:
                logger.warning("Could not delete search index %s: %s", name, error.code)

    # HTTP

    def _request(
        self,
        method: str,
        path: str,
        *,
        action: str,
        allowed: tuple[int, ...] = (200,),
        **options: Any,
    ) -> httpx.Response:
        """Send a request, retrying while the cluster is unreachable or overloaded.

        Raises SearchUnavailable once the retries are spent or when a response times out, and
        SearchRequestFailed for a status outside `allowed`.
        """
        reason = ""
        for attempt, delay in enumerate((*self._retry_delays_s, None), start=1):
            try:
                response = self._client.request(method, path, **options)
            except httpx.TransportError as error:
                reason = type(error).__name__
                # A cluster too slow to respond within the timeout would only get more work
                # from a retry, so only a failed connection is tried again.
                if isinstance(error, httpx.TimeoutException) and not isinstance(error, httpx.ConnectTimeout):
                    break
            else:
                if response.status_code in allowed:
                    return response
                if response.status_code not in TRANSIENT_STATUSES:
                    raise self._failure(action, response)
                reason = f"HTTP {response.status_code} {_error_type(response)}"

            if delay is None:
                break
            logger.warning(
                "Search cluster %s unavailable for %s (%s); retry %d in %.1f s",
                self._host,
                action,
                reason,
                attempt,
                delay,
            )
            time.sleep(delay)

        raise SearchUnavailable(
            N_(
                "The search cluster at %(host)s is unavailable (%(reason)s; requests sent: %(attempts)d). "
                "Check that it is running; documents wait in the indexing state until it is back."
            ),
            host=self._host,
            reason=reason,
            attempts=attempt,
        )

    def _failure(self, action: str, response: httpx.Response) -> SearchRequestFailed:
        if response.status_code == 404:
            # The alias or its index is gone, so the next call creates the alias again.
            self._ready = False
        return SearchRequestFailed(
            N_(
                "The search cluster at %(host)s rejected the %(action)s request with HTTP %(status)d "
                "%(error)s. Check the cluster log and DIWAN_SEARCH_URL."
            ),
            host=self._host,
            action=action,
            status=response.status_code,
            error=_error_type(response),
        )


def _batches(documents: Iterable[IndexedDocument]) -> Iterator[list[IndexedDocument]]:
    """Group documents into lists of at most BULK_DOCUMENTS, so a rebuild keeps one list in memory."""
    batch: list[IndexedDocument] = []
    for document in documents:
        batch.append(document)
        if len(batch) >= BULK_DOCUMENTS:
            yield batch
            batch = []
    if batch:
        yield batch


def _chunks(actions: list[Action]) -> Iterator[list[tuple[Action, bytes]]]:
    """Encode actions as bulk lines and group them into requests of at most BULK_BYTES.

    An action larger than BULK_BYTES on its own goes in a request by itself.
    """
    chunk: list[tuple[Action, bytes]] = []
    size = 0
    for action in actions:
        lines = _bulk_lines(action)
        if chunk and (size + len(lines) > BULK_BYTES or len(chunk) >= BULK_DOCUMENTS):
            yield chunk
            chunk, size = [], 0
        chunk.append((action, lines))
        size += len(lines)
    if chunk:
        yield chunk
