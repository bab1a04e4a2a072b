"""Object store write rate: S3 (SeaweedFS) against the local store, and against a bare S3 client.

Run from the repository root:

    python -m bench.object_store            # 300 originals of 1 MiB, 2,000 renditions of 32 KiB
    python -m bench.object_store --quick    # 20 originals, 100 renditions, for CI

The run starts SeaweedFS (tests/servers/s3.py, `weed mini` on 127.0.0.1) with its data in the
same temporary folder as the local store, so both write to the same disk. Two workloads, each
with 1 writer thread and with --threads writers:

- originals: put_file of a file on disk with its SHA-256, as ingestion stores an upload
  (LocalObjectStore copies, fsyncs, re-hashes and renames; S3ObjectStore checks the key is
  free, then uploads with an x-amz-checksum-sha256 header);
- renditions: put_bytes of bytes in memory, as ingestion stores page images and thumbnails.

Every workload runs on three writers: the local store (LocalObjectStore), the S3 store
(S3ObjectStore on SeaweedFS) and a bare minio client's put_object to the same bucket with
nothing else. Each writer runs --repeats times, the writers taking turns, and the report gives
the median objects and MiB per second of its runs with the slowest and fastest run. The ratios
S3 store/local store and S3 store/bare client divide those medians. The contents are random
bytes, which compress no better than WebP or JPEG. Every object written is read back and its
SHA-256 checked.
"""

import argparse
import hashlib
import io
import logging
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.report import busy_share, cpu_counters, print_footer, print_header, ratio
from bench.servers import ServerMissing, exit_server_missing, start_server

logger = logging.getLogger(__name__)

KIB = 1024
MIB = 1024 * KIB
BUCKET = "diwan-bench"
WRITERS = ("local store", "S3 store", "bare S3 client")


@dataclass(frozen=True)
class Workload:
    name: str
    count: int
    size: int
    # put_file for originals on disk, put_bytes for renditions in memory.
    from_files: bool


@dataclass(frozen=True)
class Timing:
    seconds: float
    busy: str


@dataclass(frozen=True)
class Item:
    key: str
    sha256: str
    data: bytes
    path: Path | None


def make_items(workload: Workload, folder: Path) -> list[Item]:
    """Make the workload's random objects, written to files under folder when it stores originals."""
    items = []
    for index in range(workload.count):
        data = secrets.token_bytes(workload.size)
        sha256 = hashlib.sha256(data).hexdigest()
        path = None
        if workload.from_files:
            path = folder / f"{workload.name}-{index:05d}.bin"
            path.write_bytes(data)
        items.append(Item(f"{workload.name}/{sha256[:2]}/{sha256}", sha256, data, path))
    return items


def store_writer(store, workload: Workload) -> Callable[[str, Item], None]:
    """Return a function that writes one item through a Diwan ObjectStore under a run prefix."""
    if workload.from_files:
        return lambda prefix, item: store.put_file(f"{prefix}/{item.key}", str(item.path), item.sha256)
    return lambda prefix, item: store.put_bytes(f"{prefix}/{item.key}", item.data)


def bare_writer(client, key_prefix: str, workload: Workload) -> Callable[[str, Item], None]:
    """Return a function that writes one item with minio's put_object alone, from the file or the bytes."""

    def write(prefix: str, item: Item) -> None:
        name = f"{key_prefix}{prefix}/{item.key}"
        if workload.from_files:
            with open(item.path, "rb") as handle:
                client.put_object(BUCKET, name, handle, workload.size)
        else:
            client.put_object(BUCKET, name, io.BytesIO(item.data), workload.size)

    return write


def timed_writes(items: list[Item], write: Callable[[str, Item], None], prefix: str, threads: int) -> Timing:
    """Write every item once, spread over `threads` threads that take the next item in turn."""
    pending = iter(items)
    lock = threading.Lock()
    failures: list[BaseException] = []

    def worker() -> None:
        while True:
            with lock:
                item = next(pending, None)
            if item is None:
                return
            try:
                write(prefix, item)
            except Exception as error:  # noqa: BLE001 - the run reports the first failure after joining
                failures.append(error)
                return

    workers = [threading.Thread(target=worker) for _ in range(threads)]
    before, started = cpu_counters(), time.perf_counter()
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    timing = Timing(time.perf_counter() - started, busy_share(before, cpu_counters()))
    if failures:
        raise RuntimeError(f"{len(failures)} writes failed, first: {failures[0]!r}")
    return timing


def count_read_back(store, prefix: str, items: list[Item]) -> int:
    """Return how many items the store returns with the bytes that were written."""
    matching = 0
    for item in items:
        data = store.get_bytes(f"{prefix}/{item.key}")
        matching += hashlib.sha256(data).hexdigest() == item.sha256
    return matching


def filesystem_of(path: Path) -> str:
    """Return the file system type and device of path, as df prints them."""
    try:
        output = subprocess.run(
            ["df", "--output=fstype,source", str(path)], capture_output=True, text=True, check=True
        ).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return " on ".join(output[-1].split()) if len(output) > 1 else "unknown"


def run_workload(
    workload: Workload, folder: Path, stores: dict, bare_client, key_prefix: str, threads: int, repeats: int
) -> None:
    items = make_items(workload, folder / "inputs")
    megabytes = workload.count * workload.size / MIB
    method = "put_file" if workload.from_files else "put_bytes"
    print(
        f"-- {workload.name}: {workload.count} objects of {workload.size // KIB} KiB ({megabytes:.0f} MiB), {method} --"
    )
    writers = {
        "local store": store_writer(stores["local store"], workload),
        "S3 store": store_writer(stores["S3 store"], workload),
        "bare S3 client": bare_writer(bare_client, key_prefix, workload),
    }
    for thread_count in sorted({1, threads}):
        rates = measure_writers(items, writers, thread_count, repeats)
        threads_label = "1 thread" if thread_count == 1 else f"{thread_count} threads"
        for writer in WRITERS:
            print_rates(f"{writer}, {threads_label}", rates[writer], workload)
        median = {writer: statistics.median(rate for rate, _busy in rates[writer]) for writer in WRITERS}
        print(f"ratio S3 store/local store, {threads_label}: {ratio(median['S3 store'], median['local store'])}")
        print(f"ratio S3 store/bare S3 client, {threads_label}: {ratio(median['S3 store'], median['bare S3 client'])}")
        for writer in ("local store", "S3 store"):
            prefixes = [_prefix(writer, thread_count, repeat) for repeat in range(repeats)]
            matching = sum(count_read_back(stores[writer], prefix, items) for prefix in prefixes)
            print(
                f"check: {writer}, {threads_label}: {matching} of {len(items) * repeats} objects read back "
                "with their SHA-256"
            )
    for item in items:
        if item.path is not None:
            item.path.unlink()


def measure_writers(items: list[Item], writers: dict, thread_count: int, repeats: int) -> dict[str, list]:
    """Write the items `repeats` times with each writer, and return each writer's (objects/s, CPU busy) runs."""
    rates: dict[str, list] = {writer: [] for writer in WRITERS}
    for repeat in range(repeats):
        # Each round starts with another writer, so that none always writes first, into a quiet server.
        order = WRITERS[repeat % 3 :] + WRITERS[: repeat % 3]
        for writer in order:
            timing = timed_writes(items, writers[writer], _prefix(writer, thread_count, repeat), thread_count)
            rates[writer].append((len(items) / timing.seconds, timing.busy))
    return rates


def print_rates(label: str, runs: list, workload: Workload) -> None:
    """Print the median rate of a writer's runs, with the slowest and fastest run and each run's CPU share."""
    values = [rate for rate, _busy in runs]
    median = statistics.median(values)
    suffix = f" of {os.cpu_count()} cores"
    shares = [share.removeprefix("CPU busy ").removesuffix(suffix) for _rate, share in runs]
    print(
        f"{label}: median {median:.1f} objects/s, {median * workload.size / MIB:.1f} MiB/s "
        f"(runs {min(values):.1f} to {max(values):.1f} objects/s; CPU busy {', '.join(shares)}{suffix})"
    )


def _prefix(writer: str, thread_count: int, repeat: int) -> str:
    """Key prefix of one writer's run, so that no run finds the objects of another."""
    return f"t{thread_count}-r{repeat}-{writer.replace(' ', '-')}"


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="Small smoke run: 20 originals and 100 renditions.")
    parser.add_argument("--originals", type=int, help="Original files of 1 MiB to store (default 300).")
    parser.add_argument("--renditions", type=int, help="Renditions of 32 KiB to store (default 2,000).")
    parser.add_argument("--threads", type=int, default=4, help="Writer threads of the second pass (default 4).")
    parser.add_argument(
        "--repeats",
        type=int,
        help="Runs of each writer in each pass, reported as their median (default 3, 1 with --quick).",
    )
    arguments = parser.parse_args(argv)
    arguments.originals = arguments.originals or (20 if arguments.quick else 300)
    arguments.renditions = arguments.renditions or (100 if arguments.quick else 2000)
    arguments.repeats = arguments.repeats or (1 if arguments.quick else 3)
    if min(arguments.originals, arguments.renditions, arguments.threads, arguments.repeats) < 1:
        parser.error("--originals, --renditions, --threads and --repeats must be at least 1")
    return arguments


def main(argv: list[str] | None = None) -> None:
    arguments = parse_arguments(argv)
    sys.stdout.reconfigure(line_buffering=True)
    logging.basicConfig(level=logging.WARNING)
    try:
        run(arguments)
    except ServerMissing as error:
        exit_server_missing(error)


def run(arguments: argparse.Namespace) -> None:
    from archive_api.storage.local import LocalObjectStore
    from archive_api.storage.s3 import S3ObjectStore

    with tempfile.TemporaryDirectory(prefix="diwan-bench-objects-") as name:
        folder = Path(name)
        (folder / "inputs").mkdir()
        server = start_server("s3", folder / "servers")
        try:
            server.make_bucket(BUCKET)
            key_prefix = "bare/"
            stores = {
                "local store": LocalObjectStore(folder / "objects"),
                "S3 store": S3ObjectStore.from_url(server.url(bucket=BUCKET, prefix="store")),
            }
            print_header(
                "object store writes",
                [
                    f"local store: {folder / 'objects'} ({filesystem_of(folder)}); S3: SeaweedFS "
                    f"(weed mini) on 127.0.0.1, data on the same file system",
                ],
            )
            workloads = (
                Workload("originals", arguments.originals, 1 * MIB, from_files=True),
                Workload("renditions", arguments.renditions, 32 * KIB, from_files=False),
            )
            for workload in workloads:
                run_workload(
                    workload, folder, stores, server.client(), key_prefix, arguments.threads, arguments.repeats
                )
        finally:
            server.stop()
    print_footer()


if __name__ == "__main__":
    main()
