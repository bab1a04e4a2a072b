"""The submissions benchmark's --quick run finishes, prints every report line and loses no application."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
# Guards against a hung run only; the quick run prepares 100 applicants and starts one server.
HANG_TIMEOUT_S = 300


@pytest.fixture(scope="module")
def report() -> list[str]:
    environment = {name: value for name, value in os.environ.items() if name != "DIWAN_DATABASE_URL"}
    result = subprocess.run(
        [sys.executable, "-m", "bench.application_submissions", "--quick"],
        cwd=REPOSITORY, capture_output=True, text=True, env=environment, timeout=HANG_TIMEOUT_S,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.splitlines()


def _starting(lines: list[str], prefix: str) -> list[str]:
    return [line for line in lines if line.startswith(prefix)]


@pytest.mark.slow
def test_report_lines(report):
    assert len(_starting(report, "machine: ")) == 1
    assert _starting(report, "-- sqlite: ") == ["-- sqlite: 100 applicants, 8 clients --"]
    assert len(_starting(report, "baseline: bare INSERT of 1 application, ")) == 1
    assert len(_starting(report, "served: POST /jobs/ID/apply over HTTP to diwan serve, 8 clients: 100 in ")) == 1
    assert len(_starting(report, "ratio served/baseline (submissions per second): ")) == 1


@pytest.mark.slow
def test_no_errors(report):
    served = _starting(report, "served: ")[0]

    assert ", errors 0, " in served


@pytest.mark.slow
def test_every_application_stored(report):
    assert _starting(report, "check: ") == [
        "check: 100 applications, 100 distinct numbers (numbered 1..N without gaps), 100 SMS"
    ]
