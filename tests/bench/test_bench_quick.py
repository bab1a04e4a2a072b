"""The benchmarks' --quick runs finish and print every line of their reports (times are not checked)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
# Guards against a hung run only. Each quick run took under 30 seconds on a 2-core machine.
HANG_TIMEOUT_S = 300


def run_quick(module: str) -> list[str]:
    """Run ``python -m module --quick`` from the repository root and return its report lines."""
    environment = dict(os.environ, OMP_THREAD_LIMIT="1")
    result = subprocess.run(
        [sys.executable, "-m", module, "--quick"],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        env=environment,
        timeout=HANG_TIMEOUT_S,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.splitlines()


def count_starting(lines: list[str], prefix: str) -> int:
    return sum(1 for line in lines if line.startswith(prefix))


@pytest.fixture(scope="module")
def ingest_report() -> list[str]:
    return run_quick("bench.ingest_throughput")


@pytest.fixture(scope="module")
def search_report() -> list[str]:
    return run_quick("bench.search_latency")


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
