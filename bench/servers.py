"""Start the real servers of tests/servers/ for a benchmark, and tell a missing server from a failure.

A benchmark that needs a server exits with EXIT_SERVER_MISSING and a one-line reason when that
server is not installed, so tests/bench/test_bench_quick.py can skip it instead of failing.
"""

import importlib
import logging
import sys
from pathlib import Path

logger = logging.getLogger(__name__)

EXIT_SERVER_MISSING = 4
# The exception that each tests/servers module raises when its program is not installed.
NOT_INSTALLED = {
    "kannel": "KannelNotInstalled",
    "opensearch": "SearchServerNotInstalled",
    "postgres": "PostgresNotInstalled",
    "redis": "RedisNotInstalled",
    "s3": "ServerNotInstalled",
}


class ServerMissing(RuntimeError):
    """A server that a benchmark needs is not installed on this machine."""


def server_module(name: str):
    """Import tests/servers/<name>.py, raising ServerMissing when this checkout has no such module."""
    try:
        return importlib.import_module(f"tests.servers.{name}")
    except ModuleNotFoundError as error:
        raise ServerMissing(f"tests/servers/{name}.py is missing from this checkout ({error})") from error


def start_server(name: str, workdir: Path, **options):
    """Start the server of tests/servers/<name>.py under workdir; raise ServerMissing when it is not installed."""
    module = server_module(name)
    not_installed = getattr(module, NOT_INSTALLED[name])
    try:
        return module.start(workdir, **options)
    except not_installed as error:
        raise ServerMissing(f"{name}: {error}") from error


def exit_server_missing(error: ServerMissing) -> None:
    """Print why the benchmark cannot run and exit with EXIT_SERVER_MISSING."""
    print(f"server missing: {error}", file=sys.stderr)
    sys.exit(EXIT_SERVER_MISSING)
