"""Ingest throughput of `diwan ingest --wait` against bare pdfplumber and bare Tesseract.

Run from the repository root:

    python -m bench.ingest_throughput            # 200 text PDFs and 30 scanned pages
    python -m bench.ingest_throughput --quick    # 6 text PDFs and 5 scanned pages, for CI

The pipeline runs as a user runs it: the `diwan` command in its own process, on the embedded
defaults (SQLite, file object store, Tantivy) in a temporary data dir. Its time covers start-up,
intake checks, storing the originals, the extraction processes, text layer or OCR, page images
and thumbnails, and indexing. The baselines read the same pages with nothing else: pdfplumber's
extract_text on the text PDFs, and `tesseract PAGE.png - -l ara+eng` on the scanned pages, once in
one process and once with as many processes as the pipeline's extraction jobs. Only ratios
measured in the same run are comparable between machines.
"""

import argparse
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pdfplumber

from archive_api.cli.common import EXIT_INVALID
from bench.ingest_files import InputSet, write_scans, write_text_pdfs
from bench.report import BenchmarkFailed, busy_share, cpu_counters, print_footer, print_header, ratio

logger = logging.getLogger(__name__)

DEPARTMENT = "BENCH"
OCR_LANGUAGES = "ara+eng"
SECONDS_PER_MINUTE = 60
# Pages in each TIFF and scanned PDF. PNG scans have one page.
PAGES_PER_SCAN_FILE = 2


@dataclass(frozen=True)
class Timing:
    seconds: float
    cpu_busy: str


class Stopwatch:
    """Wall time and machine CPU load from start() to stop()."""

    def start(self) -> None:
        self._counters = cpu_counters()
        self._started = time.perf_counter()

    def stop(self) -> Timing:
        seconds = time.perf_counter() - self._started
        return Timing(seconds, busy_share(self._counters, cpu_counters()))


@dataclass(frozen=True)
class PipelineRun:
    timing: Timing
    processing_seconds: float
    page_sources: dict[str, int]


@dataclass(frozen=True)
class Comparison:
    title: str
    files: int
    pages: int
    pipeline: PipelineRun
    baseline_name: str
    sequential: Timing
    parallel: Timing


def _environment() -> dict[str, str]:
    return dict(os.environ, OMP_THREAD_LIMIT="1", DIWAN_LOG_LEVEL="WARNING")


def _run_diwan(data_dir: Path, arguments: list[str]) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "archive_api", "--data-dir", str(data_dir), *arguments]
    return subprocess.run(command, capture_output=True, text=True, env=_environment())


def _check_all_indexed(result: subprocess.CompletedProcess, expected_files: int) -> None:
    rows = [line.split("\t") for line in result.stdout.splitlines() if line.strip()]
    indexed = sum(1 for row in rows if len(row) > 1 and row[1] == "indexed")
    if result.returncode == 0 and indexed == expected_files:
        return
    raise BenchmarkFailed(
        "diwan ingest indexed %(indexed)d of %(expected)d files (exit code %(code)d), so its time "
        "would not measure a full ingest. Fix the failure in its output, then run the benchmark "
        "again. The output ends with: %(tail)s",
        indexed=indexed,
        expected=expected_files,
        code=result.returncode,
        tail=(result.stdout + result.stderr)[-2000:],
    )


def _database_facts(data_dir: Path) -> tuple[float, dict[str, int]]:
    """Return the seconds from the last accepted file to the last indexed one, and page sources."""
    connection = sqlite3.connect(data_dir / "diwan.sqlite3")
    try:
        last_created, last_indexed = connection.execute(
            "SELECT max(created_at), max(indexed_at) FROM documents"
        ).fetchone()
        sources = dict(connection.execute("SELECT source, count(*) FROM pages GROUP BY source").fetchall())
    finally:
        connection.close()
    processing = datetime.fromisoformat(last_indexed) - datetime.fromisoformat(last_created)
    return processing.total_seconds(), sources


def run_pipeline(inputs: InputSet, folder: Path, data_dir: Path, jobs: int) -> PipelineRun:
    """Ingest every file in ``folder`` with `diwan ingest --wait` into a fresh data dir and time it."""
    setup = _run_diwan(data_dir, ["department", "add", DEPARTMENT, "--name-ar", "دائرة القياس", "--name-en", "Bench"])
    if setup.returncode != 0:
        raise BenchmarkFailed(
            "diwan department add failed in the temporary data dir. Check that `python -m archive_api "
            "--help` runs in this environment. Its output ends with: %(output)s",
            output=setup.stderr[-2000:],
        )

    stopwatch = Stopwatch()
    stopwatch.start()
    result = _run_diwan(data_dir, ["ingest", str(folder), "--department", DEPARTMENT, "--wait", "--jobs", str(jobs)])
    timing = stopwatch.stop()

    _check_all_indexed(result, len(inputs.files))
    processing_seconds, sources = _database_facts(data_dir)
    return PipelineRun(timing, processing_seconds, sources)


def extract_pdf_text(path: Path) -> int:
    """Extract the text of every page with pdfplumber and return the number of characters."""
    with pdfplumber.open(path) as pdf:
        return sum(len(page.extract_text() or "") for page in pdf.pages)


def run_bare_pdfplumber(files: list[Path], processes: int) -> Timing:
    stopwatch = Stopwatch()
    if processes == 1:
        stopwatch.start()
        for path in files:
            extract_pdf_text(path)
        return stopwatch.stop()

    with ProcessPoolExecutor(max_workers=processes) as pool:
        # The workers fork and import before the clock starts.
        list(pool.map(extract_pdf_text, files[:processes]))
        stopwatch.start()
        list(pool.map(extract_pdf_text, files))
        return stopwatch.stop()


def run_bare_tesseract(pages: list[Path], processes: int) -> Timing:
    environment = dict(os.environ, OMP_THREAD_LIMIT="1")

    def read(page: Path) -> None:
        command = ["tesseract", str(page), "-", "-l", OCR_LANGUAGES]
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment, check=True)

    stopwatch = Stopwatch()
    stopwatch.start()
    with ThreadPoolExecutor(max_workers=processes) as pool:
        list(pool.map(read, pages))
    return stopwatch.stop()


def _pages_per_minute(pages: int, seconds: float) -> float:
    return pages / seconds * SECONDS_PER_MINUTE if seconds > 0 else float("nan")


def print_comparison(comparison: Comparison, jobs: int) -> None:
    pages = comparison.pages
    pipeline = comparison.pipeline
    pipeline_rate = _pages_per_minute(pages, pipeline.timing.seconds)
    sequential_rate = _pages_per_minute(pages, comparison.sequential.seconds)
    parallel_rate = _pages_per_minute(pages, comparison.parallel.seconds)
    sources = ", ".join(f"{source} {count}" for source, count in sorted(pipeline.page_sources.items()))

    print(f"-- {comparison.title}: {comparison.files} files, {pages} pages --")
    print(
        f"pipeline: diwan ingest --wait --jobs {jobs}: {pipeline.timing.seconds:.1f} s, {pipeline_rate:.1f} pages/min, "
        f"{pipeline.timing.cpu_busy} (last file accepted to last file indexed: {pipeline.processing_seconds:.1f} s; "
        f"pages by source: {sources})"
    )
    print(
        f"bare: {comparison.baseline_name}, 1 process: {comparison.sequential.seconds:.1f} s, "
        f"{sequential_rate:.1f} pages/min, {comparison.sequential.cpu_busy}"
    )
    print(
        f"bare: {comparison.baseline_name}, {jobs} processes: {comparison.parallel.seconds:.1f} s, "
        f"{parallel_rate:.1f} pages/min, {comparison.parallel.cpu_busy}"
    )
    print(f"ratio pipeline/bare, {jobs} processes each: {ratio(pipeline_rate, parallel_rate)}")
    print(f"ratio pipeline/bare-1-process: {ratio(pipeline_rate, sequential_rate)}")


def measure_text_pdfs(workdir: Path, count: int, jobs: int) -> Comparison:
    folder = workdir / "text" / "in"
    inputs = write_text_pdfs(folder, count)
    sequential = run_bare_pdfplumber(inputs.files, 1)
    parallel = run_bare_pdfplumber(inputs.files, jobs)
    pipeline = run_pipeline(inputs, folder, workdir / "text" / "data", jobs)
    return Comparison(
        "text PDFs", len(inputs.files), inputs.pages, pipeline, "pdfplumber extract_text", sequential, parallel
    )


def measure_scans(workdir: Path, files_per_format: int, jobs: int) -> Comparison:
    folder = workdir / "scans" / "in"
    inputs = write_scans(folder, files_per_format, files_per_format, files_per_format, PAGES_PER_SCAN_FILE)
    sequential = run_bare_tesseract(inputs.page_images, 1)
    parallel = run_bare_tesseract(inputs.page_images, jobs)
    pipeline = run_pipeline(inputs, folder, workdir / "scans" / "data", jobs)
    baseline = f"tesseract PAGE.png - -l {OCR_LANGUAGES}"
    return Comparison(
        "scans (PNG, TIFF, scanned PDF; A4, 300 dpi)",
        len(inputs.files),
        inputs.pages,
        pipeline,
        baseline,
        sequential,
        parallel,
    )


def _tesseract_version() -> str:
    if shutil.which("tesseract") is None:
        raise BenchmarkFailed(
            "tesseract was not found on PATH; install the Debian packages tesseract-ocr and tesseract-ocr-ara."
        )
    output = subprocess.run(["tesseract", "--version"], capture_output=True, text=True).stdout
    return output.splitlines()[0] if output else "tesseract (unknown version)"


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="Small smoke run: 6 text PDFs and 5 scanned pages.")
    parser.add_argument("--text-files", type=int, help="Number of text PDFs of 1 to 3 pages (default 200).")
    parser.add_argument(
        "--scans",
        type=int,
        help="Scan files of each format: PNG of 1 page, TIFF and PDF of 2 pages (default 6, so 30 pages).",
    )
    parser.add_argument("--jobs", type=int, default=2, help="Extraction jobs of the pipeline and baseline processes.")
    arguments = parser.parse_args(argv)
    if arguments.text_files is None:
        arguments.text_files = 6 if arguments.quick else 200
    if arguments.scans is None:
        arguments.scans = 1 if arguments.quick else 6
    return arguments


def main(argv: list[str] | None = None) -> None:
    try:
        run(parse_arguments(argv))
    except BenchmarkFailed as error:
        print(f"error: {error.render()}", file=sys.stderr)
        sys.exit(EXIT_INVALID)


def run(arguments: argparse.Namespace) -> None:
    sys.stdout.reconfigure(line_buffering=True)
    os.environ["OMP_THREAD_LIMIT"] = "1"
    print_header(
        "ingest throughput",
        [f"tesseract: {_tesseract_version()}, OMP_THREAD_LIMIT=1, languages {OCR_LANGUAGES}"],
    )

    with tempfile.TemporaryDirectory(prefix="diwan-bench-ingest-") as folder:
        workdir = Path(folder)
        text = measure_text_pdfs(workdir, arguments.text_files, arguments.jobs)
        print_comparison(text, arguments.jobs)
        scans = measure_scans(workdir, arguments.scans, arguments.jobs)
        print_comparison(scans, arguments.jobs)
    print_footer()


if __name__ == "__main__":
    main()
