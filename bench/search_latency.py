"""Search latency at three levels on one synthetic archive, and the memory of building and querying it.

Run from the repository root:

    python -m bench.search_latency             # 200,000 records, 20 timed runs of each query
    python -m bench.search_latency --quick     # 2,000 records, 3 runs, for CI

Steps, each in a fresh process so that its peak RSS (resource.getrusage) is its own:
1. load: a migrated SQLite database in a temporary data dir gets every record with its page
   texts (documents, pages and blobs rows), plus departments, users and grants;
2. build: the Tantivy index is built from the database as `diwan reindex` builds it
   (TantivySearch.rebuild over archive_api.cli.maintenance.indexed_documents);
3. query: every query runs, in turn, through
   (a) TantivySearch.search with a prepared SearchRequest (the backend),
   (b) search.service.search_documents in a database session, as `diwan search` runs it
       (parsing, principals from the grants, highlighting of every hit from its Page rows,
       the audit log entry and the commit), and
   (c) the tantivy package alone on the same index directory (bench.search_queries.bare_search),
   and the report gives median and 95th-percentile latencies and the ratios (a)/(c) and (b)/(c).
"""

import argparse
import logging
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from archive_api.cli.common import EXIT_INVALID
from bench.report import (
    BenchmarkFailed,
    busy_share,
    cpu_counters,
    current_rss_mib,
    peak_rss_mib,
    percentile,
    print_footer,
    print_header,
)

logger = logging.getLogger(__name__)

PATHS = ("backend", "service", "bare")
MS_PER_SECOND = 1000.0


@dataclass
class QueryTimes:
    """Latencies in milliseconds of one query on each path, and what the paths returned."""

    label: str
    category: str
    principals: int
    total: int = 0
    samples: dict[str, list[float]] = field(default_factory=lambda: {path: [] for path in PATHS})
    disagreements: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class QueryPhase:
    queries: list[QueryTimes]
    rss_before_mib: float
    peak_rss_mib: float


def _open_archive(data_dir: Path):
    from archive_api.context import Archive
    from archive_api.settings import Settings

    return Archive(Settings(data_dir=data_dir))


def _quiet_logging() -> None:
    logging.basicConfig(level=logging.WARNING)


# --- phases, each run in its own process ------------------------------------------------------


def load_phase(data_dir: Path, count: int) -> dict:
    from bench.search_corpus import load_archive

    _quiet_logging()
    archive = _open_archive(data_dir)
    archive.migrate()
    loaded = load_archive(archive, count)
    archive.close()
    database_mib = (data_dir / "diwan.sqlite3").stat().st_size / 2**20
    return {"result": loaded, "database_mib": database_mib}


def _timed(items, clock: list[float]):
    """Yield from ``items`` and add the seconds spent producing them to clock[0]."""
    iterator = iter(items)
    while True:
        started = time.perf_counter()
        try:
            item = next(iterator)
        except StopIteration:
            clock[0] += time.perf_counter() - started
            return
        clock[0] += time.perf_counter() - started
        yield item


def build_phase(data_dir: Path) -> dict:
    from archive_api.cli.maintenance import indexed_documents

    _quiet_logging()
    archive = _open_archive(data_dir)
    reading = [0.0]
    started = time.perf_counter()
    count = archive.search.rebuild(_timed(indexed_documents(archive), reading))
    seconds = time.perf_counter() - started
    archive.close()
    index_mib = sum(path.stat().st_size for path in (data_dir / "index").rglob("*") if path.is_file()) / 2**20
    return {
        "documents": count,
        "seconds": seconds,
        "reading_seconds": reading[0],
        "index_mib": index_mib,
        "peak_rss_mib": peak_rss_mib(),
    }


def _principals(archive, user_ids: dict[str, int]) -> dict[str, frozenset[str]]:
    from archive_api.access.service import principals_of
    from archive_api.accounts.models import User

    with archive.db.session(write=False) as session:
        return {name: principals_of(session, session.get(User, user_id)) for name, user_id in user_ids.items()}


def query_phase(data_dir: Path, record_count: int, repeats: int, warmups: int) -> QueryPhase:
    import tantivy

    from archive_api.accounts.models import User
    from bench.search_corpus import user_ids as load_user_ids
    from bench.search_queries import bare_query, bare_search, query_specs
    from search.service import search_documents

    _quiet_logging()
    archive = _open_archive(data_dir)
    backend = archive.search
    index_root = data_dir / "index"
    bare_index = tantivy.Index.open(str(index_root / os.readlink(index_root / "current")))

    users = load_user_ids(archive)
    principals = _principals(archive, users)
    specs = query_specs(record_count)
    prepared = []
    for spec in specs:
        request = spec.request(principals[spec.user])
        prepared.append((spec, request, bare_query(request)))
    times = [QueryTimes(spec.label, spec.category, len(principals[spec.user])) for spec in specs]

    def run_backend(_spec, request, _bare):
        page = backend.search(request)
        return page.total, list(page.ids)

    def run_service(spec, _request, _bare):
        with archive.db.session() as session:
            results = search_documents(archive, session, session.get(User, users[spec.user]), spec.text, spec.filters())
        return results.total, [hit.id for hit in results.hits]

    def run_bare(_spec, _request, bare):
        return bare_search(bare_index, bare)

    runners = {"backend": run_backend, "service": run_service, "bare": run_bare}
    rss_before = current_rss_mib()
    _run_rounds(prepared, times, runners, warmups, repeats)
    archive.close()
    return QueryPhase(times, rss_before, peak_rss_mib())


def _run_rounds(prepared: list[tuple], times: list[QueryTimes], runners: dict, warmups: int, repeats: int) -> None:
    """Run every query on every path, round after round, and record the timed rounds' latencies.

    The first round also records the hit count, and which paths returned another total or
    other ids than the backend.
    """
    for round_number in range(warmups + repeats):
        # Each round starts the paths in a different order, so none always runs on a cold cache.
        order = PATHS[round_number % 3 :] + PATHS[: round_number % 3]
        for (spec, request, bare), entry in zip(prepared, times, strict=True):
            answers = {}
            for path in order:
                started = time.perf_counter()
                answers[path] = runners[path](spec, request, bare)
                elapsed_ms = (time.perf_counter() - started) * MS_PER_SECOND
                if round_number >= warmups:
                    entry.samples[path].append(elapsed_ms)

            if round_number == 0:
                entry.total = answers["backend"][0]
                entry.disagreements = [path for path in PATHS if answers[path] != answers["backend"]]


def _in_fresh_process(function, *args) -> tuple:
    """Return the function's result in a new interpreter, and the machine's CPU load meanwhile.

    A new interpreter per phase makes each peak RSS cover that phase only.
    """
    context = multiprocessing.get_context("spawn")
    before = cpu_counters()
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        result = pool.submit(function, *args).result()
    return result, busy_share(before, cpu_counters())


# --- report ----------------------------------------------------------------------------------


def _summary(samples: list[float]) -> str:
    return f"{statistics.median(samples):8.2f} {percentile(samples, 0.95):8.2f}"


def _median_ratio(entry: QueryTimes, path: str) -> float:
    return statistics.median(entry.samples[path]) / statistics.median(entry.samples["bare"])


def _geometric_mean_ratio(entries: list[QueryTimes], path: str) -> str:
    return f"{statistics.geometric_mean([_median_ratio(entry, path) for entry in entries]):.2f}"


def print_query_report(phase: QueryPhase) -> None:
    print("per query: median ms of backend (a), service (b), bare (c); a/c; b/c; hits; principals")
    for entry in phase.queries:
        medians = " ".join(f"{statistics.median(entry.samples[path]):8.2f}" for path in PATHS)
        ratios = f"{_median_ratio(entry, 'backend'):5.2f} {_median_ratio(entry, 'service'):6.2f}"
        print(
            f"  {medians} {ratios}  hits {entry.total:>7}  principals {entry.principals:>5}  "
            f"{entry.category}: {entry.label}"
        )

    groups: dict[str, list[QueryTimes]] = defaultdict(list)
    for entry in phase.queries:
        groups[entry.category].append(entry)
    groups["all queries"] = list(phase.queries)

    print(
        "latency ms by category: median and p95 over all runs of its queries, for backend (a), service (b) "
        "and bare tantivy (c); a/c and b/c are geometric means of the per-query ratios of medians"
    )
    columns = " ".join(f"{name:>8}" for name in ("(a) p50", "p95", "(b) p50", "p95", "(c) p50", "p95"))
    print(f"  {'category':<12} {columns}  a/c    b/c")
    for category, entries in groups.items():
        pooled = {path: [sample for entry in entries for sample in entry.samples[path]] for path in PATHS}
        summaries = " ".join(_summary(pooled[path]) for path in PATHS)
        backend, service = (_geometric_mean_ratio(entries, path) for path in ("backend", "service"))
        print(f"  {category:<12} {summaries}  {backend:<6} {service}")

    print(f"ratio backend/bare (geometric mean over all queries): {_geometric_mean_ratio(phase.queries, 'backend')}")
    print(f"ratio service/bare (geometric mean over all queries): {_geometric_mean_ratio(phase.queries, 'service')}")

    disagreeing = [entry.label for entry in phase.queries if entry.disagreements]
    if disagreeing:
        print(f"check: paths returned different hits for {len(disagreeing)} queries: {'; '.join(disagreeing)}")
    else:
        print(f"check: all three paths returned the same total and ids for all {len(phase.queries)} queries")


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="Small smoke run: 2,000 records, 3 timed runs.")
    parser.add_argument("--records", type=int, help="Records in the archive (default 200,000).")
    parser.add_argument("--repeats", type=int, help="Timed runs of each query on each path (default 20).")
    parser.add_argument("--warmups", type=int, default=2, help="Untimed runs of each query before the timed ones.")
    arguments = parser.parse_args(argv)
    if arguments.records is None:
        arguments.records = 2_000 if arguments.quick else 200_000
    if arguments.repeats is None:
        arguments.repeats = 3 if arguments.quick else 20
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


def run(arguments: argparse.Namespace) -> None:
    sys.stdout.reconfigure(line_buffering=True)
    import tantivy

    print_header("search latency", [f"tantivy-py: {getattr(tantivy, '__version__', 'unknown')}"])

    with tempfile.TemporaryDirectory(prefix="diwan-bench-search-") as folder:
        data_dir = Path(folder) / "data"
        loaded, load_busy = _in_fresh_process(load_phase, data_dir, arguments.records)
        result = loaded["result"]
        print(
            f"load: {result.documents} records, {result.pages} pages, {result.grants} grants into SQLite "
            f"in {result.seconds:.1f} s, {load_busy}; database {loaded['database_mib']:.0f} MiB"
        )

        built, build_busy = _in_fresh_process(build_phase, data_dir)
        rate = built["documents"] / built["seconds"]
        print(
            f"build: {built['documents']} records indexed in {built['seconds']:.1f} s ({rate:.0f} records/s), "
            f"{build_busy}, of which reading the database {built['reading_seconds']:.1f} s; "
            f"index {built['index_mib']:.0f} MiB"
        )
        print(f"memory: build peak RSS {built['peak_rss_mib']:.0f} MiB")

        arguments_of_query = (data_dir, arguments.records, arguments.repeats, arguments.warmups)
        phase, query_busy = _in_fresh_process(query_phase, *arguments_of_query)
        print(
            f"memory: query loop peak RSS {phase.peak_rss_mib:.0f} MiB "
            f"(RSS {phase.rss_before_mib:.0f} MiB after opening the archive, before the first query)"
        )
        print(
            f"queries: {len(phase.queries)}, each run {arguments.warmups} times untimed "
            f"and {arguments.repeats} times timed per path; {query_busy} during the query phase"
        )
        print_query_report(phase)
    print_footer()


if __name__ == "__main__":
    main()
