"""A private Kannel for the SMS tests: bearerbox, smsbox and the fake SMS centre, all on 127.0.0.1.

Kannel comes from Debian's kannel and kannel-extras packages (1.4.5). bearerbox listens for
smsbox and for the fake SMSC on 127.0.0.1 only (`our-host` keeps the fake SMSC's port off the
other interfaces), keeps delivery reports in memory (`dlr-storage = internal`), and smsbox
serves sendsms on 127.0.0.1. fakesmsc, from kannel-extras, connects as the SMS centre: it
accepts every message, writes each part it receives to its log as `Got message N: <…>`, and
makes bearerbox send an SMSC acceptance (type 8) and a delivery (type 1) report for it. It
never reports a failure.

Each test gets its own sender name in DIWAN_SMS_GATEWAY_URL, so it finds its own messages in the
fakesmsc log. Tests that stop or pause smsbox must start or resume it before they end.
"""

import logging
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote_to_bytes

import httpx

logger = logging.getLogger(__name__)

NAME = "kannel"
FAKESMSC = Path("/usr/lib/kannel/test/fakesmsc")
USERNAME = "diwan"
PASSWORD = "kannel+test/secret"
START_TIMEOUT_S = 30
STOP_TIMEOUT_S = 10
# The sendsms user may send messages of up to this many parts (Diwan sends at most 6).
MAX_PARTS = 10

_GOT = re.compile(r"Got message \d+: <(?P<body>.*)>$")


class KannelNotInstalled(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class ReceivedPart:
    """One SMS as the fake SMSC received it; `data` is still percent-encoded as fakesmsc logs it."""

    sender: str
    receiver: str
    kind: str  # text, ucs-2 or udh
    udh: bytes
    data: str

    @property
    def reference(self) -> tuple[int, int, int] | None:
        """Return (reference, total, sequence) from a concatenation header, None for a single part."""
        if len(self.udh) >= 6 and self.udh[1] == 0x00:
            return self.udh[3], self.udh[4], self.udh[5]
        return None

    def payload(self) -> bytes:
        return unquote_to_bytes(self.data.replace("+", " "))


def parse_part(body: str) -> ReceivedPart:
    """Read one `<…>` entry of the fakesmsc log: sender, receiver, kind, then the data."""
    sender, receiver, kind, rest = body.split(" ", 3)
    if kind == "udh":
        udh, _data_word, data = rest.split(" ", 2)
        return ReceivedPart(sender, receiver, kind, unquote_to_bytes(udh), data)
    return ReceivedPart(sender, receiver, kind, b"", rest)


def decode_text(parts: list[ReceivedPart], ucs2: bool) -> str:
    """Join the parts of one message in sequence order and decode them as the phone would."""
    ordered = sorted(parts, key=lambda part: part.reference[2] if part.reference else 0)
    if ordered[0].kind == "text":
        return "".join(part.data for part in ordered)
    payload = b"".join(part.payload() for part in ordered)
    return payload.decode("utf-16-be" if ucs2 else "utf-8")


class KannelServer:
    """Running bearerbox, smsbox and fakesmsc; settings_for() gives each test its own sender."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.admin_port, self.box_port, self.smsc_port, self.sendsms_port = (free_port() for _ in range(4))
        self.config = directory / "kannel.conf"
        self.fake_log = directory / "fakesmsc.log"
        self.bearerbox: subprocess.Popen | None = None
        self.smsbox: subprocess.Popen | None = None
        self.fakesmsc: subprocess.Popen | None = None
        self._senders: dict[str, str] = {}
        self._serial = 0
        self._lock = threading.Lock()

    @property
    def sendsms_url(self) -> str:
        return f"http://127.0.0.1:{self.sendsms_port}/cgi-bin/sendsms"

    def gateway_url(self, sender: str) -> str:
        password = PASSWORD.replace("+", "%2B").replace("/", "%2F")
        return f"kannel+http://{USERNAME}:{password}@127.0.0.1:{self.sendsms_port}/cgi-bin/sendsms?from={sender}"

    def write_config(self) -> None:
        self.config.write_text(f"""group = core
admin-port = {self.admin_port}
admin-interface = 127.0.0.1
admin-password = "{PASSWORD}"
admin-deny-ip = "*.*.*.*"
admin-allow-ip = "127.0.0.1"
smsbox-port = {self.box_port}
smsbox-interface = 127.0.0.1
box-deny-ip = "*.*.*.*"
box-allow-ip = "127.0.0.1"
dlr-storage = internal
log-file = "{self.directory / 'bearerbox.log'}"
log-level = 1

group = smsc
smsc = fake
smsc-id = fake
port = {self.smsc_port}
our-host = 127.0.0.1
connect-allow-ip = 127.0.0.1

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = {self.box_port}
sendsms-port = {self.sendsms_port}
sendsms-interface = 127.0.0.1
log-file = "{self.directory / 'smsbox.log'}"
log-level = 1

group = sendsms-user
username = {USERNAME}
password = "{PASSWORD}"
concatenation = true
max-messages = {MAX_PARTS}
""")

    def launch(self) -> None:
        for program in ("bearerbox", "smsbox"):
            if shutil.which(program) is None:
                raise KannelNotInstalled(f"{program} is not installed; run scripts/install-test-servers.sh")
        if not FAKESMSC.exists():
            raise KannelNotInstalled(f"{FAKESMSC} is missing; install kannel-extras (scripts/install-test-servers.sh)")
        self.write_config()
        self.bearerbox = self._spawn(["bearerbox", str(self.config)], "bearerbox.out")
        self._wait_for_port(self.smsc_port, self.bearerbox)
        self.fakesmsc = self._spawn(
            [str(FAKESMSC), "-H", "127.0.0.1", "-r", str(self.smsc_port), "-m", "0", "0 0 text unused"],
            self.fake_log.name,
        )
        self.start_smsbox()

    def _spawn(self, command: list[str], output: str) -> subprocess.Popen:
        log = open(self.directory / output, "ab")  # noqa: SIM115 - the child keeps writing to it
        try:
            return subprocess.Popen(command, cwd=self.directory, stdout=log, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL)
        finally:
            log.close()

    def _wait_for_port(self, port: int, process: subprocess.Popen) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"{process.args[0]} exited with code {process.returncode}; see {self.directory}")
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError(f"{process.args[0]} did not listen on port {port} within {START_TIMEOUT_S} s")

    def start_smsbox(self) -> None:
        """Start smsbox and wait until its sendsms port accepts connections."""
        self.smsbox = self._spawn(["smsbox", str(self.config)], "smsbox.out")
        self._wait_for_port(self.sendsms_port, self.smsbox)

    def stop_smsbox(self) -> None:
        """Stop smsbox the way an operator does (SIGTERM); sendsms refuses connections until it starts."""
        self._stop(self.smsbox)

    def pause_smsbox(self) -> None:
        """Freeze smsbox: connections still open, but no request is answered until resume_smsbox()."""
        self.smsbox.send_signal(signal.SIGSTOP)

    def resume_smsbox(self) -> None:
        self.smsbox.send_signal(signal.SIGCONT)

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
        parts = []
        for line in self.fake_log.read_text(errors="replace").splitlines():
            match = _GOT.search(line)
            if match and match.group("body").startswith(sender + " "):
                parts.append(parse_part(match.group("body")))
        return parts

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

    def _stop(self, process: subprocess.Popen | None) -> None:
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGCONT)
        process.terminate()
        try:
            process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def stop(self) -> None:
        for process in (self.smsbox, self.fakesmsc, self.bearerbox):
            self._stop(process)


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
    logger.info("kannel started sendsms=%s", server.sendsms_port)
    return server
