"""ElasticsearchSearch: URL forms, the backend contract and the index layout on a real node, retries.

Tests that need a node run with DIWAN_TEST_BACKENDS=scale, on the node that the test setup
started (OpenSearch 2.19.1 unless DIWAN_TEST_SEARCH_ENGINE=elasticsearch). The pipeline test
starts a node of its own, because it stops and restarts it.
"""

import json
import threading
import time
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from archive_api.context import get_archive
from archive_api.documents.models import Document
from ingest.local_runner import run_locally
from ingest.sweeper import pending_documents, stuck_documents
from search.backends import InvalidSearchUrl, open_search_backend
from search.elasticsearch_backend import (
    ElasticsearchSearch,
    SearchIndexConflict,
    SearchRequestFailed,
    SearchUnavailable,
    index_body,
)
from tests.factories.documents import image_bytes, render_arabic_page
from tests.search.contract import SearchBackendContract, document, found_ids, run_search
from tests.servers import opensearch
from tests.servers.opensearch import free_port

QUICK_RETRIES = (0.05, 0.05)


@pytest.fixture(scope="session")
def search_server(scale_servers):
    if scale_servers is None:
        pytest.skip("needs a search node; runs with DIWAN_TEST_BACKENDS=scale")
    return scale_servers.get("opensearch")


@pytest.fixture
def search_url(search_server, request):
    yield search_server.settings_for(request.node.nodeid)["DIWAN_SEARCH_URL"]
    search_server.release(request.node.nodeid)


@pytest.fixture
def cluster(search_server):
    with search_server.client() as client:
        yield client


class TestElasticsearchContract(SearchBackendContract):
    pass


# URL forms (no node needed)


@pytest.mark.parametrize(
    ("url", "base_url", "alias"),
    [
        ("http://127.0.0.1:9200/diwan", "http://127.0.0.1:9200", "diwan"),
        ("https://search.internal:9200/diwan-archive/", "https://search.internal:9200", "diwan-archive"),
        ("http://127.0.0.1:9200/proxy/es/diwan_2", "http://127.0.0.1:9200/proxy/es", "diwan_2"),
    ],
)
def test_url_opens_alias(url, base_url, alias):
    backend = open_search_backend(url)
    assert isinstance(backend, ElasticsearchSearch)
    assert backend.alias == alias
    assert str(backend._client.base_url).rstrip("/") == base_url
    backend.close()


def test_url_options_read():
    backend = open_search_backend("http://127.0.0.1:9200/diwan?shards=3&replicas=1")
    assert backend._shards == 3
    assert backend._replicas == 1
    backend.close()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1:9200", "must end with the name of the index alias"),
        ("http://127.0.0.1:9200/", "must end with the name of the index alias"),
        ("http://127.0.0.1:9200/Diwan", "must end with the name of the index alias"),
        ("http://127.0.0.1:9200/_all", "must end with the name of the index alias"),
        ("http:///diwan", "must end with the name of the index alias"),
        ("http://127.0.0.1:9200/diwan?shards=two", "unknown option or value shards=two"),
        ("http://127.0.0.1:9200/diwan?timeout=5", "unknown option or value timeout=5"),
        ("http://127.0.0.1:9200/diwan?shards=0", "asks for 0 shards"),
    ],
)
def test_url_rejected(url, message):
    with pytest.raises(InvalidSearchUrl) as raised:
        open_search_backend(url)
    assert message in str(raised.value)


def test_url_password_hidden():
    with pytest.raises(InvalidSearchUrl) as raised:
        open_search_backend("http://diwan:s3cret@127.0.0.1:9200/Diwan")
    assert "s3cret" not in str(raised.value)
    assert "diwan:***@127.0.0.1" in str(raised.value)


# Unavailable and overloaded clusters (no node needed)


def test_open_contacts_nothing():
    backend = ElasticsearchSearch(f"http://127.0.0.1:{free_port()}", "diwan")
    assert backend.alias == "diwan"
    backend.close()


def test_closed_port_index_unavailable():
    port = free_port()
    backend = ElasticsearchSearch(f"http://127.0.0.1:{port}", "diwan", retry_delays_s=QUICK_RETRIES)
    with pytest.raises(SearchUnavailable) as raised:
        backend.index([document(1, "ملف")])
    assert f"127.0.0.1:{port}" in str(raised.value)
    assert "requests sent: 3" in str(raised.value)
    backend.close()


def test_closed_port_search_unavailable():
    backend = ElasticsearchSearch(f"http://127.0.0.1:{free_port()}", "diwan", retry_delays_s=QUICK_RETRIES)
    with pytest.raises(SearchUnavailable) as raised:
        run_search(backend, "ملف")
    assert raised.value.http_status == 503
    backend.close()


class ScriptedCluster:
    """An HTTP server on 127.0.0.1 that sends the next scripted response to each request."""

    def __init__(self, responses: list[tuple[int, dict]], delay_s: float = 0.0) -> None:
        self.responses = list(responses)
        self.delay_s = delay_s
        self.requests: list[tuple[str, str]] = []
        script = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                self.rfile.read(length)
                script.requests.append((self.command, self.path))
                time.sleep(script.delay_s)
                status, body = script.responses.pop(0) if script.responses else (500, {"error": "unscripted"})
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = _answer

            def log_message(self, *arguments) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def scripted():
    servers: list[ScriptedCluster] = []

    def start(responses: list[tuple[int, dict]], delay_s: float = 0.0) -> ScriptedCluster:
        server = ScriptedCluster(responses, delay_s)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


ALIAS_FOUND = (200, {"diwan-v1-0": {"aliases": {"diwan": {}}}})
OVERLOADED = (503, {"error": {"type": "cluster_block_exception"}})


def test_retry_after_503(scripted):
    cluster = scripted([OVERLOADED, OVERLOADED, ALIAS_FOUND, (200, {"count": 7})])
    backend = ElasticsearchSearch(cluster.url, "diwan", retry_delays_s=QUICK_RETRIES)
    assert backend.count() == 7
    assert len(cluster.requests) == 4
    backend.close()


def test_retries_bounded(scripted):
    cluster = scripted([OVERLOADED] * 10)
    backend = ElasticsearchSearch(cluster.url, "diwan", retry_delays_s=QUICK_RETRIES)
    with pytest.raises(SearchUnavailable):
        backend.count()
    assert len(cluster.requests) == 3
    backend.close()


def test_timeout_not_retried(scripted):
    cluster = scripted([ALIAS_FOUND, ALIAS_FOUND], delay_s=1.0)
    backend = ElasticsearchSearch(cluster.url, "diwan", retry_delays_s=QUICK_RETRIES, timeout_s=0.2)
    with pytest.raises(SearchUnavailable) as raised:
        backend.count()
    assert "ReadTimeout; requests sent: 1" in str(raised.value)
    assert len(cluster.requests) == 1
    backend.close()


def test_bulk_item_429_retried(scripted):
    rejected = {"index": {"_id": "1", "status": 429, "error": {"type": "es_rejected_execution_exception"}}}
    accepted = {"index": {"_id": "1", "status": 200}}
    cluster = scripted(
        [
            ALIAS_FOUND,
            (404, {"error": "alias [diwan-rebuild] missing"}),
            (200, {"errors": True, "items": [rejected]}),
            (200, {"errors": False, "items": [accepted]}),
        ]
    )
    backend = ElasticsearchSearch(cluster.url, "diwan", retry_delays_s=QUICK_RETRIES)
    backend.index([document(1, "ملف")])
    assert [path.split("?")[0] for _, path in cluster.requests[-2:]] == ["/_bulk", "/_bulk"]
    backend.close()


def test_bad_request_not_retried(scripted):
    cluster = scripted([ALIAS_FOUND, (400, {"error": {"type": "parsing_exception"}})])
    backend = ElasticsearchSearch(cluster.url, "diwan", retry_delays_s=QUICK_RETRIES)
    with pytest.raises(SearchRequestFailed, match="parsing_exception"):
        run_search(backend, "ملف")
    assert len(cluster.requests) == 2
    backend.close()


# Index layout on the node


def index_of(cluster, alias: str) -> str:
    response = cluster.get(f"/_alias/{alias}")
    assert response.status_code == 200, response.text
    (name,) = response.json()
    return name


@pytest.fixture
def backend(search_url):
    backend = open_search_backend(search_url)
    yield backend
    backend.close()


def test_mapping_mirrors_tantivy(backend, cluster):
    backend.index([document(1, "ملف")])
    name = index_of(cluster, backend.alias)
    properties = cluster.get(f"/{name}/_mapping").json()[name]["mappings"]["properties"]
    assert properties["body"]["analyzer"] == "whitespace"
    assert properties["body"]["position_increment_gap"] == 1
    assert properties["title"]["analyzer"] == "whitespace"
    for field in ("department", "doc_type", "employee_number", "readers"):
        assert properties[field]["type"] == "keyword"
    assert properties["doc_date"]["type"] == "date"
    assert properties["created_at"]["type"] == "date"


def test_settings_bm25_one_shard(backend, cluster):
    backend.index([document(1, "ملف")])
    name = index_of(cluster, backend.alias)
    settings = cluster.get(f"/{name}/_settings").json()[name]["settings"]["index"]
    assert settings["number_of_shards"] == "1"
    assert settings["similarity"]["default"] == {"type": "BM25", "k1": "1.2", "b": "0.75"}


def test_cluster_arabic_chain_present(search_server, cluster):
    if search_server.engine.name != "opensearch":
        pytest.skip("only the OpenSearch node gets the analysis-common module here")
    response = cluster.post(
        "/_analyze",
        json={
            "tokenizer": "standard",
            "filter": ["lowercase", "decimal_digit", "arabic_normalization", "arabic_stem"],
            "text": "المدرسة أحمد ٢٠١٩",
        },
    )
    assert response.status_code == 200, response.text
    assert [token["token"] for token in response.json()["tokens"]] == ["مدرس", "احمد", "2019"]


def test_arabic_subfield_serves_adhoc_query(search_server, backend, cluster):
    if search_server.engine.name != "opensearch":
        pytest.skip("only the OpenSearch node gets the analysis-common module here")
    backend.index([document(1, "تقرير عن المدرسة الثانوية"), document(2, "تقرير آخر")])
    query = {"query": {"match": {"body.arabic": "مدرسه"}}}
    hits = cluster.post(f"/{backend.alias}/_search", json=query).json()["hits"]["hits"]
    assert [hit["_id"] for hit in hits] == ["1"]


def test_source_keeps_metadata_only(backend, cluster):
    backend.index([document(1, "نص الصفحة", title="قرار", doc_type="Decision", doc_date=date(2020, 5, 1))])
    source = cluster.get(f"/{backend.alias}/_doc/1").json()["_source"]
    assert "body" not in source
    assert "title" not in source
    assert source["doc_type"] == "decision"
    assert source["doc_date"] == "2020-05-01"


def test_rebuild_moves_alias(backend, cluster):
    backend.index([document(1, "قديم")])
    before = index_of(cluster, backend.alias)
    backend.rebuild([document(2, "جديد")])
    after = index_of(cluster, backend.alias)
    assert after != before
    assert cluster.get(f"/{before}").status_code == 404
    assert cluster.get(f"/_alias/{backend.alias}-rebuild").status_code == 404


def test_failed_rebuild_deletes_index(backend, cluster):
    backend.index([document(1, "قديم")])

    def documents():
        yield document(2, "جديد")
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        backend.rebuild(documents())
    indices = cluster.get(f"/_cat/indices/{backend.alias}-*", params={"format": "json"}).json()
    assert [entry["index"] for entry in indices] == [index_of(cluster, backend.alias)]


def test_write_during_rebuild_kept(backend, second_backend):
    backend.index([document(1, "ملف قديم")])

    def documents():
        yield document(1, "ملف قديم")
        # A worker indexes a new record, and changes record 1, while the rebuild runs.
        second_backend.index([document(5, "ملف جديد"), document(1, "ملف معدل")])
        yield document(2, "ملف")

    assert backend.rebuild(documents()) == 2
    assert sorted(found_ids(backend, "ملف")) == [1, 2, 5]
    assert found_ids(backend, "معدل") == [1]


@pytest.fixture
def second_backend(search_url):
    backend = open_search_backend(search_url)
    yield backend
    backend.close()


def test_second_rebuild_rejected(backend, cluster):
    backend.index([document(1, "ملف")])
    stray = f"{backend.alias}-v1-stray"
    created = cluster.put(f"/{stray}", json={"aliases": {f"{backend.alias}-rebuild": {}}})
    assert created.status_code == 200, created.text
    with pytest.raises(SearchIndexConflict) as raised:
        backend.rebuild([document(2, "ملف")])
    assert stray in str(raised.value)
    assert found_ids(backend, "ملف") == [1]


def test_outdated_layout_rejected(search_url, cluster):
    alias = search_url.rsplit("/", 1)[1]
    created = cluster.put(f"/{alias}-v0-old", json={"aliases": {alias: {}}})
    assert created.status_code == 200, created.text
    backend = open_search_backend(search_url)
    with pytest.raises(SearchIndexConflict) as raised:
        backend.count()
    assert "diwan reindex" in str(raised.value)
    backend.close()


def test_rebuild_repairs_outdated_layout(search_url, cluster):
    alias = search_url.rsplit("/", 1)[1]
    cluster.put(f"/{alias}-v0-old", json={"aliases": {alias: {}}})
    backend = open_search_backend(search_url)
    backend.rebuild([document(1, "ملف")])
    assert found_ids(backend, "ملف") == [1]
    assert cluster.get(f"/{alias}-v0-old").status_code == 404
    backend.close()


def test_index_named_like_alias_rejected(search_url, cluster):
    alias = search_url.rsplit("/", 1)[1]
    cluster.put(f"/{alias}")
    backend = open_search_backend(search_url)
    with pytest.raises(SearchIndexConflict) as raised:
        backend.index([document(1, "ملف")])
    assert "already has an index named" in str(raised.value)
    backend.close()
    cluster.delete(f"/{alias}")


def test_deleted_alias_recreated(backend, cluster):
    backend.index([document(1, "ملف")])
    cluster.delete(f"/{index_of(cluster, backend.alias)}")
    with pytest.raises(SearchRequestFailed, match="index_not_found_exception"):
        backend.count()
    assert backend.count() == 0


def test_index_body_without_arabic_chain():
    body = index_body(shards=1, replicas=0, arabic_chain=False)
    assert "fields" not in body["mappings"]["properties"]["body"]
    assert "analysis" not in body["settings"]["index"]


# The ingest pipeline while the cluster is down


@pytest.fixture
def own_node(tmp_path, search_server):
    """A node for this test alone, because the test stops it."""
    server = opensearch.start(tmp_path / "own-node", search_server.engine)
    yield server
    server.stop()


def test_document_waits_for_cluster(own_node, people, run_cli, monkeypatch, tmp_path):
    monkeypatch.setenv("DIWAN_SEARCH_URL", own_node.settings_for("outage")["DIWAN_SEARCH_URL"])
    people.department("HR")
    people.user("hr.reader", "HR", "reader")
    scan = tmp_path / "decision.png"
    page = render_arabic_page(["قرار تعيين الموظفة سلمى"], font_size=16, paper_mm=(180, 60))
    scan.write_bytes(image_bytes(page, "PNG", dpi=(300, 300)))

    own_node.stop_process()
    result = run_cli("ingest", str(scan), "--department", "HR")
    assert result.exit_code == 0, result.output
    document_id = int(result.stdout.split("\t")[0])
    waiting_archive = get_archive()
    states = run_locally(waiting_archive, pending_documents(waiting_archive), 1)
    assert states == {document_id: "indexing"}

    with waiting_archive.db.session(write=False) as session:
        waiting = session.get(Document, document_id)
        assert waiting.status == "indexing"
        assert waiting.lease_owner is None
        assert waiting.attempts == 0
        assert waiting.error_code is None
    assert stuck_documents(waiting_archive) == [document_id]

    own_node.launch()
    states = run_locally(waiting_archive, pending_documents(waiting_archive), 1)
    assert states == {document_id: "indexed"}
    with waiting_archive.db.session(write=False) as session:
        assert session.scalars(select(Document.status).where(Document.id == document_id)).one() == "indexed"
    found = run_cli("search", "تعيين", "--as", "hr.reader", "--json")
    assert json.loads(found.stdout)["total"] == 1
