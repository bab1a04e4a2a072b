"""A private Kannel for the SMS tests: bearerbox, smsbox and the fake SMS centre, all on 127.0.0.1.

The processes and their configuration are recruitment.notify.kannel_local's, which the demo
script uses too. Each test gets its own sender name in DIWAN_SMS_GATEWAY_URL, so it finds its
own messages in the fakesmsc log. Tests that stop or pause smsbox must start or resume it
before they end.
"""

import logging
import threading
import time
from pathlib import Path
from urllib.parse import quote

import httpx

from recruitment.notify.fakesmsc_log import ReceivedPart, decode_text, parse_part, read_parts
from recruitment.notify.kannel_local import USERNAME, KannelNotInstalled, LocalKannel, free_port

logger = logging.getLogger(__name__)

NAME = "kannel"
PASSWORD = "kannel+test/secret"

# Names that the SMS tests and bench/sms_delivery.py import from here.
__all__ = ["USERNAME", "KannelNotInstalled", "KannelServer", "ReceivedPart", "decode_text", "free_port", "parse_part",
           "start"]


class KannelServer(LocalKannel):
    """Running bearerbox, smsbox and fakesmsc; settings_for() gives each test its own sender."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory, PASSWORD)
        self._senders: dict[str, str] = {}
        self._serial = 0
        self._lock = threading.Lock()

    def settings_for(self, test_id: str) -> dict[str, str]:
        with self._lock:
            self._serial += 1
            sender = f"Diwan{self._serial:06d}"
            self._senders[test_id] = sender
        return {"DIWAN_SMS_GATEWAY_URL": self.gateway_url(sender)}

    def release(self, test_id: str) -> None:
        with self._lock:
            self._senders.pop(test_id, None)

    def received(self, sender: str) -> list[ReceivedPart]:
        """Return every part the fake SMSC received from `sender`, in the order it logged them."""
        return read_parts(self.fake_log, sender)

    def wait_received(self, sender: str, count: int, timeout_s: float = 20) -> list[ReceivedPart]:
        """Wait until the fake SMSC logged at least `count` parts from `sender`, and return them all."""
        deadline = time.monotonic() + timeout_s
        parts = self.received(sender)
        while len(parts) < count and time.monotonic() < deadline:
            time.sleep(0.1)
            parts = self.received(sender)
        return parts

    def sendsms(self, client: httpx.Client, sender: str, to: str, text: str) -> httpx.Response:
        """Send one message straight to smsbox, without Diwan (the benchmark's baseline)."""
        params = {"username": USERNAME, "password": PASSWORD, "from": sender, "to": to, "text": text,
                  "charset": "UTF-8", "coding": "2"}
        query = "&".join(f"{name}={quote(value, safe='')}" for name, value in params.items())
        return client.get(f"{self.sendsms_url}?{query}")


def start(workdir: Path) -> KannelServer:
    """Start bearerbox, the fake SMSC and smsbox under workdir/kannel, on 127.0.0.1."""
    directory = workdir / NAME
    directory.mkdir(parents=True, exist_ok=True)
    server = KannelServer(directory)
    try:
        server.launch()
    except BaseException:
        server.stop()
        raise
    return server
