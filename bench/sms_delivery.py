"""SMS delivery throughput: 20,000 queued messages handed to a real Kannel, against bare sendsms calls.

Run from the repository root, with Debian's kannel and kannel-extras installed:

    python -m bench.sms_delivery            # 20,000 messages
    python -m bench.sms_delivery --quick    # 500 messages, for CI

The run starts its own Kannel (bearerbox, smsbox and the fake SMS centre, tests/servers/kannel.py)
and Diwan's web server (uvicorn, in its own process, for the delivery reports) on 127.0.0.1, with
SQLite in a temporary data dir. It queues one screening SMS for each of N applicants in one
transaction, as a screening decision does, then runs the SMS dispatcher with no rate limit until
smsbox has answered 202 for every message. The baseline sends the same number of messages
straight to the same smsbox with one HTTP client and nothing else: no database, no claims, no
delivery reports. Only the ratio compares between machines.
"""

import argparse
import logging
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx
from sqlalchemy import func, insert, select

from bench.report import busy_share, cpu_counters, print_footer, print_header, ratio
from bench.servers import ServerMissing, exit_server_missing, server_module, start_server

logger = logging.getLogger(__name__)

FULL_MESSAGES = 20_000
QUICK_MESSAGES = 500
RATE_CHECK_MESSAGES = 300
QUICK_RATE_CHECK_MESSAGES = 100
RATE_CHECK_PER_S = 100
DELIVERY_WAIT_S = 600
SERVER_START_S = 60
EMBEDDED_BACKENDS = ("DIWAN_DATABASE_URL", "DIWAN_BROKER_URL", "DIWAN_OBJECT_STORE", "DIWAN_SEARCH_URL")
DIWAN_SENDER = "DiwanBench"
BARE_SENDER = "BareBench"
SCREENING = {"job_title": "محاسب في وزارة المالية", "number": "2026-147-00000"}


@dataclass(frozen=True)
class Timing:
    seconds: float
    cpu_busy: str

    def rate(self, count: int) -> float:
        return count / self.seconds if self.seconds else float("nan")


def _timed(action) -> tuple[Timing, object]:
    counters = cpu_counters()
    started = time.perf_counter()
    result = action()
    return Timing(time.perf_counter() - started, busy_share(counters, cpu_counters())), result


def _wait_for_port(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the Diwan web server exited with code {process.returncode}")
        try:
            httpx.get(f"http://127.0.0.1:{port}/sms/dlr", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"the Diwan web server did not answer on port {port} within {SERVER_START_S} s")


def start_web(data_dir: Path, port: int, environment: dict[str, str]) -> subprocess.Popen:
    """Start `uvicorn archive_api.app:create_app` on 127.0.0.1, for Kannel's delivery reports."""
    command = [sys.executable, "-m", "uvicorn", "--factory", "archive_api.app:create_app", "--host", "127.0.0.1",
               "--port", str(port), "--log-level", "warning", "--no-access-log"]
    log = open(data_dir / "web.log", "ab")  # noqa: SIM115 - the child keeps writing to it
    try:
        process = subprocess.Popen(command, env=environment, stdout=log, stderr=subprocess.STDOUT)
    finally:
        log.close()
    _wait_for_port(port, process)
    return process


def add_applicants(archive, count: int) -> None:
    """Insert `count` applicants with distinct Jawwal numbers, without password hashing."""
    from recruitment.applicants.models import Applicant

    rows = [
        {"national_id": f"{100_000_000 + index:09d}", "full_name": "متقدم للقياس", "birth_date": date(1995, 1, 1),
         "mobile": f"+97059{1_000_000 + index:07d}", "password_hash": "-", "language": "ar"}
        for index in range(count)
    ]
    with archive.db.session() as session:
        session.execute(insert(Applicant), rows)


def queue_screening(archive, first: int, count: int) -> int:
    """Queue one screening SMS for each applicant with id in [first, first + count), in one transaction."""
    from recruitment.applicants.models import Applicant
    from recruitment.notify.service import queue_sms

    with archive.db.session() as session:
        applicants = session.scalars(
            select(Applicant).where(Applicant.id >= first, Applicant.id < first + count).order_by(Applicant.id)
        ).all()
        for applicant in applicants:
            queue_sms(session, applicant, "screening_passed", SCREENING, "screening")
        return len(applicants)


def dispatch_all(archive, gateway, report_url: str, rate_per_s: float) -> int:
    """Run dispatcher rounds until no message is left to claim; returns how many smsbox accepted."""
    from recruitment.notify.dispatcher import SmsDispatcher

    dispatcher = SmsDispatcher(archive.db, gateway, report_url, rate_per_s)
    sent = 0
    while True:
        batch = dispatcher.run_round().batch
        if batch is None or batch.problem is not None:
            raise RuntimeError(f"the dispatcher stopped: {batch.problem if batch else 'lease held elsewhere'}")
        if not batch.claimed:
            return sent
        sent += batch.sent


def count_status(archive, status: str) -> int:
    from recruitment.notify.models import SmsMessage

    with archive.db.session(write=False) as session:
        return session.scalar(select(func.count()).select_from(SmsMessage).where(SmsMessage.status == status))


def wait_delivered(archive, expected: int) -> int:
    deadline = time.monotonic() + DELIVERY_WAIT_S
    delivered = count_status(archive, "delivered")
    while delivered < expected and time.monotonic() < deadline:
        time.sleep(0.5)
        delivered = count_status(archive, "delivered")
    return delivered


def bare_calls(kannel, count: int, sender: str, text: str) -> int:
    """Send `count` messages straight to smsbox with one keep-alive HTTP client; returns the 202 answers."""
    accepted = 0
    with httpx.Client(timeout=10) as client:
        for index in range(count):
            response = kannel.sendsms(client, sender, f"+97059{1_000_000 + index:07d}", text)
            accepted += response.status_code == 202
    return accepted


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"send {QUICK_MESSAGES} messages instead of "
                                                             f"{FULL_MESSAGES}")
    parser.add_argument("--messages", type=int, help="number of messages to queue and send")
    arguments = parser.parse_args(argv)
    count = arguments.messages or (QUICK_MESSAGES if arguments.quick else FULL_MESSAGES)
    rate_check = QUICK_RATE_CHECK_MESSAGES if arguments.quick else RATE_CHECK_MESSAGES
    logging.basicConfig(level=logging.WARNING)

    with tempfile.TemporaryDirectory(prefix="diwan-bench-sms-") as folder:
        try:
            return run(Path(folder), count, rate_check)
        except ServerMissing as error:
            exit_server_missing(error)


def run(folder: Path, count: int, rate_check: int) -> int:
    data_dir = folder / "data"
    data_dir.mkdir()
    kannel = start_server("kannel", folder)
    web = None
    try:
        port = server_module("kannel").free_port()
        # SQLite and the other embedded backends in the temporary data dir, whatever the shell sets.
        for name in EMBEDDED_BACKENDS:
            os.environ.pop(name, None)
        os.environ.update({
            "DIWAN_DATA_DIR": str(data_dir), "DIWAN_LOG_LEVEL": "WARNING", "DIWAN_SMS_RATE_PER_S": "0",
            "DIWAN_SMS_GATEWAY_URL": kannel.gateway_url(DIWAN_SENDER),
            "DIWAN_SMS_REPORT_URL": f"http://127.0.0.1:{port}",
        })
        environment = dict(os.environ)
        web = start_web(data_dir, port, environment)
        report(kannel, count, rate_check)
    finally:
        if web is not None:
            web.terminate()
            web.wait(10)
        kannel.stop()
    return 0


def report(kannel, count: int, rate_check: int) -> None:
    from archive_api.context import get_archive
    from archive_api.settings import get_settings
    from recruitment.notify.dispatcher import report_url_template
    from recruitment.notify.gateway import default_gateway
    from recruitment.notify.parts import sms_size
    from recruitment.notify.templates import render_template

    archive = get_archive()
    settings = get_settings()
    text = render_template("screening_passed", SCREENING, "ar")
    parts = sms_size(text).parts
    print_header("SMS delivery to Kannel", [
        f"messages: {count} screening SMS in Arabic, {len(text)} characters, {parts} parts each (UCS-2)",
        "database: SQLite in a temporary data dir; Kannel 1.4.5 with the fake SMSC; all on 127.0.0.1",
    ])

    bare_timing, bare_accepted = _timed(lambda: bare_calls(kannel, count, BARE_SENDER, text))
    print(f"bare: {count} sendsms GET requests, one keep-alive client: {bare_timing.seconds:.2f} s, "
          f"{bare_timing.rate(count):.0f} messages/s, {bare_accepted} answered 202, {bare_timing.cpu_busy}")

    add_applicants(archive, count + rate_check)
    queue_timing, queued = _timed(lambda: queue_screening(archive, 1, count))
    print(f"queue: {queued} messages with queue_sms in one transaction: {queue_timing.seconds:.2f} s, "
          f"{queue_timing.rate(queued):.0f} messages/s, {queue_timing.cpu_busy}")

    gateway = default_gateway(settings)
    report_url = report_url_template(settings)
    started = time.perf_counter()
    send_timing, sent = _timed(lambda: dispatch_all(archive, gateway, report_url, 0))
    print(f"diwan: dispatcher, no rate limit, until smsbox answered 202 for every message: "
          f"{send_timing.seconds:.2f} s, "
          f"{send_timing.rate(count):.0f} messages/s, {sent} accepted, {send_timing.cpu_busy}")
    handed_over = Timing(queue_timing.seconds + send_timing.seconds, send_timing.cpu_busy)
    print(f"diwan: queued to all handed to smsbox: {handed_over.seconds:.2f} s, "
          f"{handed_over.rate(count):.0f} messages/s")
    print(f"ratio diwan/bare (messages per second, queue and dispatcher): "
          f"{ratio(handed_over.rate(count), bare_timing.rate(count))}")
    print(f"ratio diwan/bare (messages per second, dispatcher alone): "
          f"{ratio(send_timing.rate(count), bare_timing.rate(count))}")

    delivered = wait_delivered(archive, count)
    print(f"delivered: {delivered} of {count} marked delivered by Kannel's reports "
          f"{time.perf_counter() - started:.2f} s after the dispatcher started")
    received = len(kannel.received(DIWAN_SENDER))
    print(f"fake SMSC: {received} parts received from Diwan, {count * parts} expected")

    queue_screening(archive, count + 1, rate_check)
    limit_timing, limited = _timed(lambda: dispatch_all(archive, gateway, report_url, RATE_CHECK_PER_S))
    print(f"rate limit {RATE_CHECK_PER_S}/s: {limited} messages in {limit_timing.seconds:.2f} s, "
          f"{limit_timing.rate(limited):.1f} messages/s")
    gateway.close()
    print_footer()


if __name__ == "__main__":
    sys.exit(main())
