"""A private Redis server for the scale-out tests, with one logical database per test.

Redis runs from Debian's redis-server package as a child process on 127.0.0.1, without
persistence, with its working directory and log under the run's temporary directory. Tests run
one at a time, so the logical databases are handed out in turn and emptied before each use.
"""

import logging
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

from tests.servers import free_port

logger = logging.getLogger(__name__)

NAME = "redis"
# Database 0 stays unused, so a client that forgets the number in its URL finds nothing.
DATABASES = 64
START_TIMEOUT_S = 30
STOP_TIMEOUT_S = 10


class RedisNotInstalled(RuntimeError):
    pass



class RedisServer:
    """A running server; settings_for() gives each test an empty logical database."""

    def __init__(self, directory: Path, port: int) -> None:
        self.directory = directory
        self.port = port
        self.process: subprocess.Popen | None = None
        self._next = 0
        self._numbers: dict[str, int] = {}
        self._lock = threading.Lock()

    def url(self, number: int) -> str:
        return f"redis://127.0.0.1:{self.port}/{number}"

    def client(self, number: int = 0):
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, db=number, socket_timeout=10)

    def launch(self) -> None:
        executable = shutil.which("redis-server")
        if executable is None:
            raise RedisNotInstalled("redis-server is not installed; run scripts/install-test-servers.sh")
        command = [
            executable,
            "--bind", "127.0.0.1",
            "--port", str(self.port),
            "--protected-mode", "yes",
            "--save", "",
            "--appendonly", "no",
            "--databases", str(DATABASES),
            "--dir", str(self.directory),
            "--logfile", str(self.directory / "redis.log"),
        ]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        self._wait_until_ready()

    def _wait_until_ready(self) -> None:
        import redis

        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"redis-server exited with code {self.process.returncode}; see {self.directory / 'redis.log'}"
                )
            try:
                if self.client().ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not answer on port {self.port} within {START_TIMEOUT_S} s")

    def settings_for(self, test_id: str) -> dict[str, str]:
        with self._lock:
            self._next = self._next % (DATABASES - 1) + 1
            number = self._next
            self._numbers[test_id] = number
        self.client(number).flushdb()
        return {"DIWAN_BROKER_URL": self.url(number)}

    def release(self, test_id: str) -> None:
        with self._lock:
            number = self._numbers.pop(test_id, None)
        if number is not None:
            self.client(number).flushdb()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start(workdir: Path) -> RedisServer:
    """Start redis-server under workdir/redis and wait until it replies to PING."""
    directory = workdir / NAME
    directory.mkdir(parents=True, exist_ok=True)
    server = RedisServer(directory, free_port())
    server.launch()
    logger.info("redis started port=%s", server.port)
    return server
