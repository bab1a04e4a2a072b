"""A real Diwan server started with the `diwan` CLI, and Debian's headless Chromium driven by Playwright."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.servers import free_port

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
PASSWORD = "correct horse battery"
STARTUP_TIMEOUT_S = 60
STOP_TIMEOUT_S = 30



def _diwan(data_dir: Path, *arguments: str, password: str | None = None) -> None:
    subprocess.run(
        [sys.executable, "-m", "archive_api", "--data-dir", str(data_dir), *arguments],
        input=f"{password}\n" if password else None, text=True, check=True, capture_output=True,
    )


def _wait_until_up(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"diwan serve exited with code {process.returncode} before answering")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"diwan serve did not answer {url} within {STARTUP_TIMEOUT_S} s")


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    """Start `diwan serve` (with its worker) on a free port of 127.0.0.1 and return its base URL."""
    data_dir = tmp_path_factory.mktemp("diwan-browser") / "data"
    _diwan(data_dir, "department", "add", "HR", "--name-ar", "شؤون الموظفين", "--name-en", "Human resources")
    _diwan(data_dir, "department", "add", "FIN", "--name-ar", "الشؤون المالية", "--name-en", "Finance")
    _diwan(data_dir, "user", "add", "hr.clerk", "--department", "HR", "--role", "clerk", "--password-stdin",
           password=PASSWORD)
    _diwan(data_dir, "user", "add", "fin.clerk", "--department", "FIN", "--role", "clerk", "--password-stdin",
           password=PASSWORD)

    port = free_port()
    environment = {**os.environ, "OMP_THREAD_LIMIT": "1", "DIWAN_LOG_LEVEL": "WARNING"}
    log = (data_dir.parent / "serve.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "archive_api", "--data-dir", str(data_dir), "serve",
         "--host", "127.0.0.1", "--port", str(port), "--concurrency", "1"],
        env=environment, stdout=log, stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(f"{base_url}/login", process)
        yield base_url
    finally:
        # serve stops its worker's process group itself when it gets SIGTERM.
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="module")
def browser():
    """Launch Debian's Chromium with a temporary profile; Playwright's own browser builds are never used."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def sign_in(server, browser):
    """Return a function that opens a new browser context (own cookies) signed in as a user."""
    contexts = []

    def open_as(username: str):
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ar", base_url=server)
        contexts.append(context)
        page = context.new_page()
        page.goto("/login")
        page.fill("#f-username", username)
        page.fill("#f-password", PASSWORD)
        page.click("form[action='/login'] button[type=submit]")
        page.wait_for_url("**/search")
        return page

    yield open_as
    for context in contexts:
        context.close()


@pytest.fixture(scope="module")
def artifacts() -> Path:
    folder = Path(__file__).resolve().parents[2] / "test-artifacts"
    folder.mkdir(exist_ok=True)
    return folder
