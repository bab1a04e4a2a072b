"""A request that waits for SQLite's write lock must not stop the server from responding to others.

The test runs a real uvicorn server, so that every request shares one event loop as in
production, and holds the write lock from a connection of its own.
"""

import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import uvicorn
from sqlalchemy import select

from archive_api.accounts.models import User
from archive_api.accounts.service import start_session
from archive_api.api.deps import SESSION_COOKIE
from archive_api.app import create_app
from tests.servers import free_port

# Bounds for a hung server, never expectations about speed.
STARTUP_TIMEOUT_S = 30
ANSWER_TIMEOUT_S = 15
# Lets the first request reach its database lookup before the second one is sent.
IN_FLIGHT_S = 1.0



@pytest.fixture
def server(archive):
    if not archive.settings.resolved_database_url.startswith("sqlite"):
        pytest.skip("the write lock that this test holds is SQLite's")
    port = free_port()
    running = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while not running.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(STARTUP_TIMEOUT_S)


def _cookie(archive, username: str) -> str:
    with archive.db.session() as session:
        user = session.scalar(select(User).where(User.username == username))
        cookie, _row = start_session(session, user)
    return cookie


def test_lock_wait_keeps_server_answering(archive, hr, server):
    cookie = _cookie(archive, "hr.reader")
    database = archive.settings.resolved_database_url.removeprefix("sqlite:///")
    locker = sqlite3.connect(database, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            waiting = pool.submit(httpx.get, f"{server}/api/v1/search?q=قرار", cookies={SESSION_COOKIE: cookie},
                                  timeout=ANSWER_TIMEOUT_S * 2)
            time.sleep(IN_FLIGHT_S)

            other = httpx.get(f"{server}/static/css/diwan.css", timeout=ANSWER_TIMEOUT_S)

            assert other.status_code == 200
            assert not waiting.done()
            locker.execute("COMMIT")
            assert waiting.result().status_code == 200
    finally:
        if locker.in_transaction:
            locker.execute("ROLLBACK")
        locker.close()
