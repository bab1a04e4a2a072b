"""Run `diwan serve` with its SMS going through a private Kannel on 127.0.0.1 (scripts/demo-kannel.sh).

    python -m recruitment.notify.kannel_demo --port 8000

Kannel (recruitment.notify.kannel_local) gets its configuration, logs and fakesmsc.log in
DIWAN_DATA_DIR/kannel and a new random sendsms password on each start. Diwan sends through it
(DIWAN_SMS_GATEWAY_URL) and gives Kannel its own port for delivery reports
(DIWAN_SMS_REPORT_URL). Ctrl+C or SIGTERM stops Diwan, then Kannel.
"""

import argparse
import logging
import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

from archive_api.errors import DiwanError
from recruitment.notify.kannel_local import LocalKannel

logger = logging.getLogger(__name__)

SENDER = "Diwan"
KANNEL_FOLDER = "kannel"
SERVER_STOP_TIMEOUT_S = 30


def _stop_on_sigterm(signum, frame) -> None:
    raise SystemExit(128 + signum)


def server_environment(kannel: LocalKannel, port: int) -> dict[str, str]:
    """Return this process's environment plus the SMS settings that point Diwan at `kannel`."""
    return {
        **os.environ,
        "DIWAN_SMS_GATEWAY_URL": kannel.gateway_url(SENDER),
        "DIWAN_SMS_REPORT_URL": f"http://127.0.0.1:{port}",
    }


def _stop_server(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    server.send_signal(signal.SIGINT)
    try:
        server.wait(SERVER_STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        logger.warning("diwan serve did not stop within %s s; killing pid=%s", SERVER_STOP_TIMEOUT_S, server.pid)
        server.kill()
        server.wait()


def _greet(kannel: LocalKannel) -> None:
    log = kannel.fake_log
    print(f"Kannel is running on 127.0.0.1: sendsms port {kannel.ports.sendsms}, files in {kannel.directory}",
          file=sys.stderr)
    print(f"SMS received by the fake SMS centre: python -m recruitment.notify.fakesmsc_log {log}", file=sys.stderr)


def run(data_dir: Path, port: int) -> int:
    """Start Kannel, then serve Diwan on 127.0.0.1:port until it exits or is interrupted; return its exit code."""
    kannel = LocalKannel(data_dir / KANNEL_FOLDER, secrets.token_urlsafe(12), tie_to_parent=True)
    server = None
    try:
        kannel.launch()
        _greet(kannel)
        command = [sys.executable, "-m", "archive_api", "serve", "--host", "127.0.0.1", "--port", str(port)]
        server = subprocess.Popen(command, env=server_environment(kannel, port))
        return server.wait()
    except KeyboardInterrupt:
        return 130
    finally:
        if server is not None:
            _stop_server(server)
        kannel.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m recruitment.notify.kannel_demo",
        description="Serve Diwan on 127.0.0.1 with SMS sent through a private Kannel and its fake SMS centre.",
    )
    parser.add_argument("--port", type=int, default=8000, help="TCP port of Diwan on 127.0.0.1 (default 8000)")
    arguments = parser.parse_args(argv)
    data_dir = Path(os.environ.get("DIWAN_DATA_DIR", "data")).resolve()

    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        return run(data_dir, arguments.port)
    except DiwanError as error:
        print(f"error: {error.render()}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
