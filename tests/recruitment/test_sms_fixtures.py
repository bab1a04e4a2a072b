"""Fixtures for the SMS delivery tests (no tests of its own): applicants, Kannel and a listening Diwan.

Kannel calls Diwan back over HTTP with delivery reports, so the Kannel tests run the real app
under uvicorn on 127.0.0.1, in a thread of the test process, on the test's own data dir.
"""

import itertools
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
import uvicorn
from sqlalchemy import select

from archive_api.context import get_archive, reset_archive
from archive_api.settings import get_settings, reset_settings
from recruitment.applicants.models import Applicant
from recruitment.notify.dispatcher import SmsDispatcher, report_url_template
from recruitment.notify.gateway import default_gateway
from recruitment.notify.models import SmsMessage
from recruitment.notify.service import queue_sms
from tests.recruitment.test_applicant_fixtures import with_check_digit
from tests.servers.kannel import KannelServer, free_port

SERVER_START_S = 20
_serial = itertools.count(30_000_001)

RECEIVED = {"job_title": "محاسب في وزارة المالية", "number": "2026-147-00023"}


def add_applicant(archive, mobile: str = "+970599123456", language: str = "ar") -> int:
    """Insert an applicant row directly (no password hashing); returns its id."""
    with archive.db.session() as session:
        applicant = Applicant(national_id=with_check_digit(str(next(_serial))), full_name="ليلى الخطيب",
                              birth_date=date(1998, 4, 23), mobile=mobile, password_hash="-", language=language)
        session.add(applicant)
        session.flush()
        return applicant.id


def queue(archive, applicant_id: int, template: str = "application_received", params: dict | None = None,
          stage: str = "application", count: int = 1) -> list[int]:
    """Queue `count` messages for one applicant in one transaction; returns their ids."""
    if params is None:
        params = RECEIVED if template == "application_received" else {}
    with archive.db.session() as session:
        applicant = session.get(Applicant, applicant_id)
        return [queue_sms(session, applicant, template, params, stage).id for _ in range(count)]


def message(archive, message_id: int) -> SmsMessage:
    with archive.db.session(write=False) as session:
        return session.get(SmsMessage, message_id)


def messages(archive, message_ids: list[int]) -> list[SmsMessage]:
    with archive.db.session(write=False) as session:
        return list(session.scalars(select(SmsMessage).where(SmsMessage.id.in_(message_ids)).order_by(SmsMessage.id)))


def wait_for(check, timeout_s: float = 20, interval_s: float = 0.1):
    """Poll `check` until it returns a true value or the time runs out; returns its last value."""
    deadline = time.monotonic() + timeout_s
    value = check()
    while not value and time.monotonic() < deadline:
        time.sleep(interval_s)
        value = check()
    return value


class DiwanServer:
    """The Diwan app under uvicorn on 127.0.0.1, in a thread of the test process."""

    def __init__(self, port: int) -> None:
        from archive_api.app import create_app

        self.port = port
        self.server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning",
                                                    lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, name="diwan-test-server", daemon=True)

    def start(self) -> None:
        self.thread.start()
        if not wait_for(lambda: self.server.started, SERVER_START_S, 0.02):
            raise RuntimeError(f"uvicorn did not start on port {self.port}")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@dataclass
class KannelSetup:
    server: KannelServer
    sender: str
    diwan: DiwanServer

    def dispatcher(self, rate_per_s: float = 0, gateway=None) -> SmsDispatcher:
        settings = get_settings()
        return SmsDispatcher(get_archive().db, gateway or default_gateway(settings), report_url_template(settings),
                             rate_per_s)


@pytest.fixture(scope="session")
def kannel(live_servers) -> KannelServer:
    return live_servers.get("kannel")


@pytest.fixture
def kannel_setup(kannel, data_dir, monkeypatch, request) -> Iterator[KannelSetup]:
    """This test's sender on the shared Kannel, and Diwan listening for its delivery reports."""
    port = free_port()
    settings = kannel.settings_for(request.node.nodeid)
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DIWAN_SMS_REPORT_URL", f"http://127.0.0.1:{port}")
    reset_settings()
    reset_archive()
    get_archive()

    diwan = DiwanServer(port)
    diwan.start()
    sender = settings["DIWAN_SMS_GATEWAY_URL"].rsplit("from=", 1)[1]
    try:
        yield KannelSetup(kannel, sender, diwan)
    finally:
        diwan.stop()
        kannel.release(request.node.nodeid)
