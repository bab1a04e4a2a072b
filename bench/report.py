"""Report lines that every benchmark prints besides its figures (machine, source state), and statistics."""

import logging
import math
import os
import platform
import resource
import subprocess
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from archive_api.errors import DiwanError

logger = logging.getLogger(__name__)


class BenchmarkFailed(DiwanError):
    """A benchmark that cannot run or whose results are wrong; the message says which and why."""

    code = "benchmark_failed"

REPOSITORY = Path(__file__).resolve().parent.parent
KIB_PER_MIB = 1024


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _memory_gib() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def source_state() -> str:
    """Return the commit and the changed paths under it, so a figure can be tied to the code."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(REPOSITORY), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        status = subprocess.run(
            ["git", "-C", str(REPOSITORY), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"

    changed = sorted({line[3:].split("/", 1)[0] + "/" for line in status.splitlines() if "/" in line[3:]})
    if not changed:
        return commit
    return f"{commit} with uncommitted changes in {', '.join(changed)}"


def print_header(title: str, extra: Sequence[str] = ()) -> None:
    """Print the benchmark's name, the date and the machine, as the first lines of its report."""
    print(f"== {title} ==")
    print(f"date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}")
    python = platform.python_version()
    print(f"machine: {_cpu_model()}, {os.cpu_count()} cores, {_memory_gib()} memory, Python {python}")
    print(f"source: {source_state()}")
    print(f"load average at start: {_load_average()}")
    for line in extra:
        print(line)


def print_footer() -> None:
    """Print the load average at the end, which shows whether other work shared the cores."""
    print(f"load average at end: {_load_average()}")


def _load_average() -> str:
    one_minute, five_minutes, _fifteen_minutes = os.getloadavg()
    return f"{one_minute:.2f} (1 min), {five_minutes:.2f} (5 min)"


def cpu_counters() -> tuple[int, int]:
    """Return the machine's busy and total CPU time from /proc/stat, in clock ticks ((0, 0) elsewhere)."""
    try:
        fields = [int(value) for value in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    except (OSError, ValueError, IndexError):
        return 0, 0
    user, nice, system, idle, iowait, irq, softirq, steal = fields
    busy = user + nice + system + irq + softirq + steal
    return busy, busy + idle + iowait


def busy_share(before: tuple[int, int], after: tuple[int, int]) -> str:
    """Return the share of all cores that were busy between two cpu_counters() readings.

    It counts every process on the machine, so a one-process run on 2 idle cores shows about
    50%. More than that means other work shared the cores during the measurement.
    """
    total = after[1] - before[1]
    if total <= 0:
        return "CPU busy unknown"
    return f"CPU busy {100 * (after[0] - before[0]) / total:.0f}% of {os.cpu_count()} cores"


def peak_rss_mib() -> float:
    """Return this process's peak resident set size in MiB (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / KIB_PER_MIB


def current_rss_mib() -> float:
    """Return this process's resident set size now, in MiB, from /proc (0.0 elsewhere)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / KIB_PER_MIB
    except OSError:
        pass
    return 0.0


def percentile(values: Sequence[float], fraction: float) -> float:
    """Return the value below which ``fraction`` of the values lie, interpolating between ranks."""
    if not values:
        return math.nan
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    lower = math.floor(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def ratio(numerator: float, denominator: float) -> str:
    if denominator <= 0 or math.isnan(numerator) or math.isnan(denominator):
        return "n/a"
    return f"{numerator / denominator:.2f}"
