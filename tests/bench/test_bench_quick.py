"""The benchmarks' --quick runs finish, print every line of their reports and give correct results.

Times are never checked. A benchmark that needs a server which is not installed exits with
bench.servers.EXIT_SERVER_MISSING, and its tests skip with the reason it printed.
"""

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench.servers import EXIT_SERVER_MISSING

REPOSITORY = Path(__file__).resolve().parents[2]
# Guards against a hung run only. Each quick run took under 70 seconds on a busy 2-core machine.
HANG_TIMEOUT_S = 300


@dataclass(frozen=True)
class QuickRun:
    returncode: int
    lines: list[str]
    stderr: str

    def require_server(self) -> None:
        """Skip the test when the benchmark reported a missing server."""
        if self.returncode == EXIT_SERVER_MISSING:
            pytest.skip(self.stderr.strip().splitlines()[-1])


def run_quick(module: str, *options: str) -> QuickRun:
    """Run ``python -m module --quick`` from the repository root; fail unless it succeeds or lacks a server."""
    environment = dict(os.environ, OMP_THREAD_LIMIT="1")
    result = subprocess.run(
        [sys.executable, "-m", module, "--quick", *options],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        env=environment,
        timeout=HANG_TIMEOUT_S,
    )
    assert result.returncode in (0, EXIT_SERVER_MISSING), result.stdout + result.stderr
    return QuickRun(result.returncode, result.stdout.splitlines(), result.stderr)


def count_starting(lines: list[str], prefix: str) -> int:
    return sum(1 for line in lines if line.startswith(prefix))


def line_starting(lines: list[str], prefix: str) -> str:
    matches = [line for line in lines if line.startswith(prefix)]
    assert len(matches) == 1, f"expected one line starting with {prefix!r}, got {matches}"
    return matches[0]


def section(lines: list[str], header_prefix: str) -> list[str]:
    """Return the lines from the `-- …` header that starts with header_prefix up to the next header."""
    start = next(index for index, line in enumerate(lines) if line.startswith(header_prefix))
    end = next((index for index in range(start + 1, len(lines)) if lines[index].startswith("-- ")), len(lines))
    return lines[start:end]


@pytest.fixture(scope="module")
def ingest_report() -> list[str]:
    return run_quick("bench.ingest_throughput").lines


@pytest.fixture(scope="module")
def ocr_quality_report() -> list[str]:
    return run_quick("bench.ocr_quality").lines


@pytest.fixture(scope="module")
def search_report() -> list[str]:
    return run_quick("bench.search_latency").lines


@pytest.fixture(scope="module")
def backends_run() -> QuickRun:
    return run_quick("bench.search_backends")


@pytest.fixture(scope="module")
def objects_run() -> QuickRun:
    return run_quick("bench.object_store")


@pytest.fixture(scope="module")
def submissions_run() -> QuickRun:
    return run_quick("bench.application_submissions", "--private-postgres")


@pytest.fixture(scope="module")
def sms_run() -> QuickRun:
    return run_quick("bench.sms_delivery")


# --- ingest throughput ---------------------------------------------------------------------


@pytest.mark.slow
def test_ingest_report_lines(ingest_report):
    lines = ingest_report

    assert count_starting(lines, "machine: ") == 1
    assert count_starting(lines, "-- text PDFs: 6 files, ") == 1
    assert count_starting(lines, "-- scans (PNG, TIFF, scanned PDF; A4, 300 dpi): 3 files, 5 pages --") == 1
    assert count_starting(lines, "pipeline: diwan ingest --wait --jobs 2: ") == 2
    assert count_starting(lines, "bare: pdfplumber extract_text, 1 process: ") == 1
    assert count_starting(lines, "bare: pdfplumber extract_text, 2 processes: ") == 1
    assert count_starting(lines, "bare: tesseract PAGE.png - -l ara+eng, 1 process: ") == 1
    assert count_starting(lines, "bare: tesseract PAGE.png - -l ara+eng, 2 processes: ") == 1
    assert count_starting(lines, "ratio pipeline/bare, 2 processes each: ") == 2
    assert count_starting(lines, "ratio pipeline/bare-1-process: ") == 2


@pytest.mark.slow
def test_ingest_page_sources(ingest_report):
    text_header = next(line for line in ingest_report if line.startswith("-- text PDFs: "))
    text_pages = re.search(r"(\d+) pages --", text_header).group(1)
    pipelines = [line for line in ingest_report if line.startswith("pipeline: ")]

    assert len(pipelines) == 2
    assert pipelines[0].endswith(f"pages by source: text_layer {text_pages})")
    assert pipelines[1].endswith("pages by source: ocr 5)")


# --- OCR quality ---------------------------------------------------------------------------


@pytest.mark.slow
def test_ocr_quality_report_lines(ocr_quality_report):
    lines = ocr_quality_report

    assert count_starting(lines, "machine: ") == 1
    assert count_starting(lines, "pages: 20, ") == 1
    for group in ("font", "size", "dpi", "lines", "paper", "scan"):
        assert count_starting(lines, f"-- by {group} --") == 1, group
    assert count_starting(lines, "-- overall --") == 1
    assert count_starting(lines, "all pages               20 ") == 1


# --- search latency, embedded ----------------------------------------------------------------


def test_search_report_lines(search_report):
    lines = search_report

    assert count_starting(lines, "machine: ") == 1
    assert count_starting(lines, "load: 2000 records") == 1
    assert count_starting(lines, "build: 2000 records indexed") == 1
    assert count_starting(lines, "memory: build peak RSS ") == 1
    assert count_starting(lines, "memory: query loop peak RSS ") == 1
    assert count_starting(lines, "  all queries ") == 1
    assert count_starting(lines, "ratio backend/bare ") == 1
    assert count_starting(lines, "ratio service/bare ") == 1


def test_search_paths_agree(search_report):
    assert count_starting(search_report, "check: all three paths returned the same total and ids") == 1


# --- search backends: Tantivy and OpenSearch ------------------------------------------------


def test_backends_report_lines(backends_run):
    backends_run.require_server()
    lines = backends_run.lines

    assert count_starting(lines, "machine: ") == 1
    assert count_starting(lines, "cluster: opensearch 2.19.1, ") + count_starting(lines, "cluster: elasticsearch ") == 1
    assert count_starting(lines, "load: 2000 records") == 1
    assert count_starting(lines, "build tantivy: 2000 records in ") == 1
    assert count_starting(lines, "build opensearch: 2000 records in ") == 1
    assert count_starting(lines, "ratio opensearch/tantivy indexing rate (records per second): ") == 1
    assert count_starting(lines, "ratio opensearch/tantivy indexing rate without the database reads: ") == 1
    assert count_starting(lines, "cluster: 2000 documents in ") == 1
    assert count_starting(lines, "  all queries ") == 1
    assert count_starting(lines, "ratio opensearch/tantivy backend latency: p50 ") == 1
    assert count_starting(lines, "ratio opensearch/tantivy service latency: p50 ") == 1


def test_backends_return_same_totals(backends_run):
    backends_run.require_server()

    for level in ("backend", "service"):
        check = line_starting(backends_run.lines, f"check {level}: of 37 queries, ")
        assert check.endswith(", 0 another total"), check


# --- object store --------------------------------------------------------------------------


def test_object_store_report_lines(objects_run):
    objects_run.require_server()
    lines = objects_run.lines

    assert count_starting(lines, "machine: ") == 1
    for header in ("-- originals: 20 objects of 1024 KiB", "-- renditions: 100 objects of 32 KiB"):
        part = section(lines, header)
        for threads in ("1 thread", "4 threads"):
            for writer in ("local store", "S3 store", "bare S3 client"):
                assert count_starting(part, f"{writer}, {threads}: median ") == 1, (header, writer, threads)
            assert count_starting(part, f"ratio S3 store/local store, {threads}: ") == 1
            assert count_starting(part, f"ratio S3 store/bare S3 client, {threads}: ") == 1


def test_object_store_reads_back(objects_run):
    objects_run.require_server()
    checks = [line for line in objects_run.lines if line.startswith("check: ")]

    assert len(checks) == 8
    for check in checks:
        counts = re.search(r": (\d+) of (\d+) objects read back", check)
        assert counts.group(1) == counts.group(2), check


# --- application submissions ---------------------------------------------------------------


def test_submissions_sqlite_report(submissions_run):
    part = section(submissions_run.lines, "-- sqlite: 100 applicants, 8 clients --")

    assert count_starting(submissions_run.lines, "machine: ") == 1
    assert count_starting(part, "prepare: 100 applicants ") == 1
    assert count_starting(part, "baseline: bare INSERT ") == 1
    assert line_starting(part, "served: POST /jobs/ID/apply ").count("errors 0,") == 1
    assert line_starting(part, "check: ") == (
        "check: 100 applications, 100 distinct numbers (numbered 1..N without gaps), 100 SMS"
    )
    assert count_starting(part, "ratio served/baseline (submissions per second): ") == 1


def test_submissions_postgresql_report(submissions_run):
    submissions_run.require_server()
    part = section(submissions_run.lines, "-- postgresql-private ")

    assert count_starting(part, "baseline: bare INSERT ") == 1
    assert line_starting(part, "served: POST /jobs/ID/apply ").count("errors 0,") == 1
    assert line_starting(part, "check: ") == (
        "check: 100 applications, 100 distinct numbers (numbered 1..N without gaps), 100 SMS"
    )
    assert count_starting(part, "ratio served/baseline (submissions per second): ") == 1
    assert count_starting(submissions_run.lines, "ratio postgresql-private/sqlite served ") == 1


# --- SMS delivery --------------------------------------------------------------------------


def test_sms_report_lines(sms_run):
    sms_run.require_server()
    lines = sms_run.lines

    assert count_starting(lines, "machine: ") == 1
    assert count_starting(lines, "messages: 500 screening SMS in Arabic, ") == 1
    assert count_starting(lines, "queue: 500 messages with queue_sms ") == 1
    assert count_starting(lines, "diwan: queued to all handed to smsbox: ") == 1
    assert count_starting(lines, "ratio diwan/bare (messages per second, queue and dispatcher): ") == 1
    assert count_starting(lines, "ratio diwan/bare (messages per second, dispatcher alone): ") == 1
    assert count_starting(lines, "rate limit 100/s: 100 messages in ") == 1


def test_sms_every_message_delivered(sms_run):
    sms_run.require_server()
    lines = sms_run.lines
    parts = int(re.search(r", (\d+) parts each", line_starting(lines, "messages: ")).group(1))

    assert "500 answered 202" in line_starting(lines, "bare: 500 sendsms GET requests")
    assert "500 accepted" in line_starting(lines, "diwan: dispatcher, no rate limit")
    assert line_starting(lines, "delivered: ").startswith("delivered: 500 of 500 marked delivered")
    expected = f"fake SMSC: {500 * parts} parts received from Diwan, {500 * parts} expected"
    assert line_starting(lines, "fake SMSC: ") == expected
