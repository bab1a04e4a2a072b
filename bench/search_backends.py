"""Embedded Tantivy against an OpenSearch node: bulk indexing rate and search latency on one archive.

Run from the repository root, with OpenSearch installed for the tests
(scripts/install-test-servers.sh, or `python -m tests.servers.opensearch install`):

    python -m bench.search_backends            # 200,000 records, 10 timed runs of each query
    python -m bench.search_backends --quick    # 2,000 records, 2 runs, for CI

The node is started by tests/servers/opensearch.py on 127.0.0.1 (OpenSearch 2.19.1 with its
512 MiB heap; DIWAN_TEST_SEARCH_ENGINE=elasticsearch starts Elasticsearch 8.17.0 instead).
Steps, each in a fresh process:

1. load: the archive of bench/search_latency.py (records, pages, users, grants) into SQLite;
2. build, embedded: the Tantivy index from the database, as `diwan reindex` builds it;
3. build, cluster: the same records into an OpenSearch alias through
   ElasticsearchSearch.rebuild, which sends bulk requests of 500 documents with refresh off,
   then refreshes and switches the alias;
4. query: the 37 queries of bench/search_queries.py on four paths that take turns: each
   backend's search() with a prepared SearchRequest, and search.service.search_documents on
   an archive configured with each backend (parsing, grants, highlighting, audit, commit).

Tantivy is the baseline: the report gives OpenSearch's indexing rate and latencies as ratios to
Tantivy's from the same run, and checks that both backends return the same totals and ids.
"""

import argparse
import logging
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from archive_api.cli.common import EXIT_INVALID
from bench.report import percentile, print_footer, print_header, ratio
from bench.search_latency import (
    BenchmarkFailed,
    _in_fresh_process,
    _open_archive,
    _principals,
    _quiet_logging,
    _timed,
    build_phase,
    load_phase,
)
from bench.servers import ServerMissing, exit_server_missing, start_server

logger = logging.getLogger(__name__)

ALIAS = "diwan-bench"
MS_PER_SECOND = 1000.0
BYTES_PER_MIB = 2**20
PATHS = ("tantivy backend", "opensearch backend", "tantivy service", "opensearch service")
# Pairs compared in the report: (path, its Tantivy baseline).
COMPARED = (("opensearch backend", "tantivy backend"), ("opensearch service", "tantivy service"))


@dataclass
class QueryTimes:
    """Latencies in milliseconds of one query on each path, and how its first results compared with the baseline's."""

    label: str
    category: str
    totals: dict[str, int] = field(default_factory=dict)
    samples: dict[str, list[float]] = field(default_factory=lambda: {path: [] for path in PATHS})
    # For each compared path: "same", "order" (same ids on the page in another order), "page"
    # (same total, other ids on the page) or "total" (another total).
    agreement: dict[str, str] = field(default_factory=dict)


# --- phases, each run in its own process ------------------------------------------------------


def cluster_build_phase(data_dir: Path, search_url: str) -> dict:
    """Rebuild the cluster alias from the database and return the times, as build_phase does for Tantivy."""
    from archive_api.cli.maintenance import indexed_documents
    from archive_api.context import Archive
    from archive_api.settings import Settings

    _quiet_logging()
    archive = Archive(Settings(data_dir=data_dir, search_url=search_url))
    reading = [0.0]
    started = time.perf_counter()
    count = archive.search.rebuild(_timed(indexed_documents(archive), reading))
    seconds = time.perf_counter() - started
    archive.close()
    return {"documents": count, "seconds": seconds, "reading_seconds": reading[0]}


def query_phase(data_dir: Path, search_url: str, record_count: int, repeats: int, warmups: int) -> list[QueryTimes]:
    """Run every query on the four paths, in turns, and return their latencies."""
    from archive_api.accounts.models import User
    from archive_api.context import Archive
    from archive_api.settings import Settings
    from bench.search_corpus import user_ids as load_user_ids
    from bench.search_queries import query_specs
    from search.service import search_documents

    _quiet_logging()
    archives = {
        "tantivy": _open_archive(data_dir),
        "opensearch": Archive(Settings(data_dir=data_dir, search_url=search_url)),
    }
    users = load_user_ids(archives["tantivy"])
    principals = _principals(archives["tantivy"], users)
    specs = query_specs(record_count)
    requests = [spec.request(principals[spec.user]) for spec in specs]

    def backend_runner(archive):
        def run(_spec, request):
            page = archive.search.search(request)
            return page.total, list(page.ids)

        return run

    def service_runner(archive):
        def run(spec, _request):
            with archive.db.session() as session:
                user = session.get(User, users[spec.user])
                results = search_documents(archive, session, user, spec.text, spec.filters())
            return results.total, [hit.id for hit in results.hits]

        return run

    runners = {}
    for name, archive in archives.items():
        runners[f"{name} backend"] = backend_runner(archive)
        runners[f"{name} service"] = service_runner(archive)

    times = [QueryTimes(spec.label, spec.category) for spec in specs]
    _run_rounds(list(zip(specs, requests, strict=True)), times, runners, warmups, repeats)
    for archive in archives.values():
        archive.close()
    return times


def _run_rounds(prepared: list[tuple], times: list[QueryTimes], runners: dict, warmups: int, repeats: int) -> None:
    """Run every query on every path, round after round, recording the timed rounds' latencies.

    The first round also records each path's total and which paths returned another total or
    other ids than their Tantivy baseline.
    """
    for round_number in range(warmups + repeats):
        # Each round starts with another path, so that none always runs first on a cold cache.
        shift = round_number % len(PATHS)
        order = PATHS[shift:] + PATHS[:shift]
        for (spec, request), entry in zip(prepared, times, strict=True):
            answers = {}
            for path in order:
                started = time.perf_counter()
                answers[path] = runners[path](spec, request)
                elapsed_ms = (time.perf_counter() - started) * MS_PER_SECOND
                if round_number >= warmups:
                    entry.samples[path].append(elapsed_ms)

            if round_number == 0:
                entry.totals = {path: answer[0] for path, answer in answers.items()}
                entry.agreement = {
                    path: compare_answers(answers[path], answers[baseline]) for path, baseline in COMPARED
                }


def compare_answers(answer: tuple[int, list[int]], baseline: tuple[int, list[int]]) -> str:
    """Classify how a (total, ids) result differs from its baseline's."""
    if answer == baseline:
        return "same"
    if answer[0] != baseline[0]:
        return "total"
    if sorted(answer[1]) == sorted(baseline[1]):
        return "order"
    return "page"


# --- the cluster's own figures ----------------------------------------------------------------


def cluster_figures(server) -> dict:
    """Read the node's version, heap, garbage collections and index size from its REST API."""
    with server.client() as client:
        version = client.get("/").json()["version"]["number"]
        nodes = client.get("/_nodes/stats/jvm").json()["nodes"]
        jvm = next(iter(nodes.values()))["jvm"]
        stats = client.get(f"/{ALIAS}/_stats/store,docs,segments").json()["_all"]["primaries"]
    collectors = jvm["gc"]["collectors"]
    return {
        "version": version,
        "heap_used_mib": jvm["mem"]["heap_used_in_bytes"] / BYTES_PER_MIB,
        "heap_max_mib": jvm["mem"]["heap_max_in_bytes"] / BYTES_PER_MIB,
        "old_collections": collectors.get("old", {}).get("collection_count", 0),
        "old_collection_s": collectors.get("old", {}).get("collection_time_in_millis", 0) / MS_PER_SECOND,
        "young_collections": collectors.get("young", {}).get("collection_count", 0),
        "store_mib": stats["store"]["size_in_bytes"] / BYTES_PER_MIB,
        "documents": stats["docs"]["count"],
        "segments": stats["segments"]["count"],
    }


def node_rss_mib(server) -> tuple[float, float]:
    """Return the node's resident and peak resident memory in MiB, from /proc (nan where unreadable).

    The launcher execs the JVM, so the started process is the JVM itself.
    """
    values = {"VmRSS:": float("nan"), "VmHWM:": float("nan")}
    try:
        for line in Path(f"/proc/{server.process.pid}/status").read_text().splitlines():
            name = line.split(":", 1)[0] + ":"
            if name in values:
                values[name] = int(line.split()[1]) / 1024
    except (OSError, AttributeError):
        pass
    return values["VmRSS:"], values["VmHWM:"]


# --- report ----------------------------------------------------------------------------------


def _median_ratio(entry: QueryTimes, path: str, baseline: str) -> float:
    return statistics.median(entry.samples[path]) / statistics.median(entry.samples[baseline])


def _geometric_mean_ratio(entries: list[QueryTimes], path: str, baseline: str) -> str:
    return f"{statistics.geometric_mean([_median_ratio(entry, path, baseline) for entry in entries]):.2f}"


def print_build_report(embedded: dict, cluster: dict, busy: dict[str, str]) -> None:
    rates = {}
    for name, built in (("tantivy", embedded), ("opensearch", cluster)):
        rates[name] = built["documents"] / built["seconds"]
        writing = built["seconds"] - built["reading_seconds"]
        rates[f"{name} writing"] = built["documents"] / writing if writing > 0 else float("nan")
        print(
            f"build {name}: {built['documents']} records in {built['seconds']:.1f} s ({rates[name]:.0f} records/s), "
            f"of which reading the database {built['reading_seconds']:.1f} s "
            f"({rates[f'{name} writing']:.0f} records/s without it), {busy[name]}"
        )
    rate_ratio = ratio(rates["opensearch"], rates["tantivy"])
    print(f"ratio opensearch/tantivy indexing rate (records per second): {rate_ratio}")
    print(
        "ratio opensearch/tantivy indexing rate without the database reads: "
        f"{ratio(rates['opensearch writing'], rates['tantivy writing'])}"
    )


def print_cluster_report(figures: dict, rss: tuple[float, float], tantivy_index_mib: float) -> None:
    print(
        f"cluster: {figures['documents']} documents in {figures['segments']} segments, "
        f"store {figures['store_mib']:.0f} MiB (Tantivy index {tantivy_index_mib:.0f} MiB); "
        f"heap {figures['heap_used_mib']:.0f} of {figures['heap_max_mib']:.0f} MiB used after the queries, "
        f"{figures['old_collections']} old-generation collections ({figures['old_collection_s']:.1f} s), "
        f"{figures['young_collections']} young; node RSS {rss[0]:.0f} MiB, peak {rss[1]:.0f} MiB"
    )


def print_query_report(times: list[QueryTimes]) -> None:
    print(
        "per query: median ms on tantivy backend, opensearch backend, tantivy service, opensearch service; "
        "opensearch/tantivy backend; hits"
    )
    for entry in times:
        medians = " ".join(f"{statistics.median(entry.samples[path]):8.2f}" for path in PATHS)
        backend_ratio = _median_ratio(entry, "opensearch backend", "tantivy backend")
        print(
            f"  {medians} {backend_ratio:6.2f}  hits {entry.totals['tantivy backend']:>7}  "
            f"{entry.category}: {entry.label}"
        )

    groups: dict[str, list[QueryTimes]] = defaultdict(list)
    for entry in times:
        groups[entry.category].append(entry)
    groups["all queries"] = list(times)

    print(
        "latency ms by category: median and p95 over all timed runs of its queries; the ratios are geometric "
        "means of the per-query ratios of medians, opensearch/tantivy"
    )
    header = " ".join(f"{name:>18}" for name in PATHS)
    print(f"  {'category':<12} {header}  backend service")
    for category, entries in groups.items():
        cells = []
        for path in PATHS:
            pooled = [sample for entry in entries for sample in entry.samples[path]]
            cells.append(f"{statistics.median(pooled):8.2f} {percentile(pooled, 0.95):9.2f}")
        ratios = [_geometric_mean_ratio(entries, path, baseline) for path, baseline in COMPARED]
        print(f"  {category:<12} {' '.join(cells)}  {ratios[0]:<7} {ratios[1]}")

    for path, baseline in COMPARED:
        pooled = {name: [sample for entry in times for sample in entry.samples[name]] for name in (path, baseline)}
        level = path.split()[1]
        median_ratio = ratio(statistics.median(pooled[path]), statistics.median(pooled[baseline]))
        print(
            f"ratio opensearch/tantivy {level} latency: p50 {median_ratio}, "
            f"p95 {ratio(percentile(pooled[path], 0.95), percentile(pooled[baseline], 0.95))}, "
            f"geometric mean of per-query medians {_geometric_mean_ratio(times, path, baseline)}"
        )

    print_agreement(times)


def print_agreement(times: list[QueryTimes]) -> None:
    """Print how many queries returned the same total and page on OpenSearch as on Tantivy, per level."""
    for path, _baseline in COMPARED:
        kinds = defaultdict(list)
        for entry in times:
            kinds[entry.agreement[path]].append(entry.label)
        level = path.split()[1]
        print(
            f"check {level}: of {len(times)} queries, {len(kinds['same'])} same total and ids in the same order, "
            f"{len(kinds['order'])} same ids in another order, {len(kinds['page'])} same total but other ids "
            f"on the page, {len(kinds['total'])} another total"
        )
        if kinds["total"]:
            print(f"  another total: {'; '.join(kinds['total'])}")
        if kinds["page"]:
            print(f"  other ids on the page: {'; '.join(kinds['page'])}")


# --- command line ----------------------------------------------------------------------------


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="Small smoke run: 2,000 records, 1 untimed and 2 timed runs."
    )
    parser.add_argument("--records", type=int, help="Records in the archive (default 200,000).")
    parser.add_argument("--repeats", type=int, help="Timed runs of each query on each path (default 10).")
    parser.add_argument("--warmups", type=int, help="Untimed runs of each query before the timed ones (default 2).")
    arguments = parser.parse_args(argv)
    if arguments.records is None:
        arguments.records = 2_000 if arguments.quick else 200_000
    if arguments.repeats is None:
        arguments.repeats = 2 if arguments.quick else 10
    if arguments.warmups is None:
        arguments.warmups = 1 if arguments.quick else 2
    if arguments.records < 1 or arguments.repeats < 1 or arguments.warmups < 1:
        raise BenchmarkFailed(
            "--records, --repeats and --warmups must be at least 1 (got %(records)d, %(repeats)d and %(warmups)d).",
            records=arguments.records,
            repeats=arguments.repeats,
            warmups=arguments.warmups,
        )
    return arguments


def main(argv: list[str] | None = None) -> None:
    try:
        run(parse_arguments(argv))
    except BenchmarkFailed as error:
        print(f"error: {error.render()}", file=sys.stderr)
        sys.exit(EXIT_INVALID)
    except ServerMissing as error:
        exit_server_missing(error)


def run(arguments: argparse.Namespace) -> None:
    sys.stdout.reconfigure(line_buffering=True)
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="diwan-bench-backends-") as name:
        folder = Path(name)
        server = start_server("opensearch", folder / "servers")
        try:
            measure(server, folder / "data", arguments)
        finally:
            server.stop()
    print_footer()


def measure(server, data_dir: Path, arguments: argparse.Namespace) -> None:
    from tests.servers.opensearch import HEAP

    search_url = f"{server.url}/{ALIAS}"
    print_header(
        "search backends: embedded Tantivy and OpenSearch",
        [
            f"cluster: {server.engine.name} {server.engine.version}, one node on 127.0.0.1, heap {HEAP}, "
            "1 shard, 0 replicas",
        ],
    )

    loaded, load_busy = _in_fresh_process(load_phase, data_dir, arguments.records)
    result = loaded["result"]
    print(
        f"load: {result.documents} records, {result.pages} pages, {result.grants} grants into SQLite "
        f"in {result.seconds:.1f} s, {load_busy}; database {loaded['database_mib']:.0f} MiB"
    )

    embedded, embedded_busy = _in_fresh_process(build_phase, data_dir)
    cluster, cluster_busy = _in_fresh_process(cluster_build_phase, data_dir, search_url)
    print_build_report(embedded, cluster, {"tantivy": embedded_busy, "opensearch": cluster_busy})

    started = time.perf_counter()
    times, query_busy = _in_fresh_process(
        query_phase, data_dir, search_url, arguments.records, arguments.repeats, arguments.warmups
    )
    print(
        f"queries: {len(times)}, each run {arguments.warmups} times untimed and {arguments.repeats} times timed "
        f"per path, in {time.perf_counter() - started:.0f} s; {query_busy} during the query phase"
    )
    try:
        print_cluster_report(cluster_figures(server), node_rss_mib(server), embedded["index_mib"])
    except (httpx.HTTPError, KeyError, StopIteration) as error:
        print(f"cluster: figures unavailable ({error!r})")
    print_query_report(times)


if __name__ == "__main__":
    main()
