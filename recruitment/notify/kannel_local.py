"""A private Kannel on 127.0.0.1: bearerbox, smsbox and the fake SMS centre, for the demo and the tests.

Kannel comes from Debian's kannel and kannel-extras packages (1.4.5). bearerbox listens for
smsbox and for the fake SMSC on 127.0.0.1 only (`our-host` keeps the fake SMSC's port off the
other interfaces), keeps delivery reports in memory (`dlr-storage = internal`), and smsbox
serves sendsms on 127.0.0.1. fakesmsc, from kannel-extras, connects as the SMS centre and
accepts every message. It writes each part it receives to fakesmsc.log as `Got message N: <…>`
(recruitment.notify.fakesmsc_log reads it). For each part, bearerbox sends an SMSC acceptance
(type 8) and a delivery (type 1) report. fakesmsc never reports a failure.

Everything lives in one directory: kannel.conf (which contains the sendsms password, so it is
readable by its owner only), the logs of each program and fakesmsc.log.
"""

import logging
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from archive_api.errors import N_, DiwanError
from archive_api.processes import die_with_parent

logger = logging.getLogger(__name__)

FAKESMSC = Path("/usr/lib/kannel/test/fakesmsc")
USERNAME = "diwan"
FAKE_LOG = "fakesmsc.log"
START_TIMEOUT_S = 30
STOP_TIMEOUT_S = 10
# The sendsms user may send messages of up to this many parts (Diwan sends at most 6).
MAX_PARTS = 10


class KannelNotInstalled(DiwanError):
    code = "kannel_not_installed"


class KannelStartFailed(DiwanError):
    code = "kannel_start_failed"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class KannelPorts:
    admin: int
    box: int
    smsc: int
    sendsms: int

    @classmethod
    def free(cls) -> "KannelPorts":
        """Pick four ports that are free on 127.0.0.1 now."""
        return cls(free_port(), free_port(), free_port(), free_port())


def require_installed() -> None:
    """Raise KannelNotInstalled when bearerbox, smsbox or fakesmsc is missing."""
    for program in ("bearerbox", "smsbox"):
        if shutil.which(program) is None:
            raise KannelNotInstalled(
                N_("%(program)s is not installed; install the Debian package kannel (apt-get install kannel)."),
                program=program,
            )
    if not FAKESMSC.exists():
        raise KannelNotInstalled(
            N_("%(path)s is missing; install the Debian package kannel-extras (apt-get install kannel-extras)."),
            path=str(FAKESMSC),
        )


def render_config(directory: Path, ports: KannelPorts, password: str) -> str:
    """Return kannel.conf for bearerbox and smsbox, with every port on 127.0.0.1."""
    return f"""group = core
admin-port = {ports.admin}
admin-interface = 127.0.0.1
admin-password = "{password}"
admin-deny-ip = "*.*.*.*"
admin-allow-ip = "127.0.0.1"
smsbox-port = {ports.box}
smsbox-interface = 127.0.0.1
box-deny-ip = "*.*.*.*"
box-allow-ip = "127.0.0.1"
dlr-storage = internal
log-file = "{directory / 'bearerbox.log'}"
log-level = 1

group = smsc
smsc = fake
smsc-id = fake
port = {ports.smsc}
our-host = 127.0.0.1
connect-allow-ip = 127.0.0.1

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = {ports.box}
sendsms-port = {ports.sendsms}
sendsms-interface = 127.0.0.1
log-file = "{directory / 'smsbox.log'}"
log-level = 1

group = sendsms-user
username = {USERNAME}
password = "{password}"
concatenation = true
max-messages = {MAX_PARTS}
"""


class LocalKannel:
    """bearerbox, the fake SMSC and smsbox, started in `directory` by launch() and ended by stop()."""

    def __init__(self, directory: Path, password: str, ports: KannelPorts | None = None,
                 tie_to_parent: bool = False) -> None:
        if '"' in password or "\n" in password:
            raise ValueError("the Kannel password must not contain a double quote or a line break")
        self.directory = directory
        self.password = password
        self.ports = ports or KannelPorts.free()
        self.config = directory / "kannel.conf"
        self.fake_log = directory / FAKE_LOG
        # Linux ends the children when the thread that started them exits, so only a caller that
        # starts them from its main thread sets this (a test server started in a pool thread must not).
        self.tie_to_parent = tie_to_parent
        self.bearerbox: subprocess.Popen | None = None
        self.smsbox: subprocess.Popen | None = None
        self.fakesmsc: subprocess.Popen | None = None

    @property
    def sendsms_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.sendsms}/cgi-bin/sendsms"

    def gateway_url(self, sender: str) -> str:
        """Return DIWAN_SMS_GATEWAY_URL for this Kannel, with the password percent-encoded."""
        password = quote(self.password, safe="")
        return f"kannel+http://{USERNAME}:{password}@127.0.0.1:{self.ports.sendsms}/cgi-bin/sendsms?from={sender}"

    def write_config(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.config.touch(mode=0o600, exist_ok=True)
        self.config.chmod(0o600)
        self.config.write_text(render_config(self.directory, self.ports, self.password))

    def launch(self) -> None:
        """Start bearerbox, then fakesmsc once bearerbox listens for it, then smsbox.

        Raises KannelNotInstalled or KannelStartFailed. The caller calls stop() after a failure.
        """
        require_installed()
        self.write_config()
        self.bearerbox = self._spawn(["bearerbox", str(self.config)], "bearerbox.out")
        self._wait_for_port(self.ports.smsc, self.bearerbox)
        # -m 0: send no messages of its own; the last argument is the template it would send.
        self.fakesmsc = self._spawn(
            [str(FAKESMSC), "-H", "127.0.0.1", "-r", str(self.ports.smsc), "-m", "0", "0 0 text unused"],
            FAKE_LOG,
        )
        self.start_smsbox()
        logger.info("kannel started directory=%s sendsms=%s", self.directory, self.ports.sendsms)

    def _spawn(self, command: list[str], output: str) -> subprocess.Popen:
        log = open(self.directory / output, "ab")  # noqa: SIM115 - the child keeps writing to it
        try:
            return subprocess.Popen(command, cwd=self.directory, stdout=log, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL,
                                    preexec_fn=die_with_parent if self.tie_to_parent else None)
        finally:
            log.close()

    def _wait_for_port(self, port: int, process: subprocess.Popen) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise KannelStartFailed(
                    N_("%(program)s exited with code %(code)s; read its log in %(directory)s."),
                    program=process.args[0], code=process.returncode, directory=str(self.directory),
                )
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    return
            time.sleep(0.05)
        raise KannelStartFailed(
            N_("%(program)s did not listen on port %(port)s within %(seconds)s s; read its log in %(directory)s."),
            program=process.args[0], port=port, seconds=START_TIMEOUT_S, directory=str(self.directory),
        )

    def start_smsbox(self) -> None:
        """Start smsbox and wait until its sendsms port accepts connections."""
        self.smsbox = self._spawn(["smsbox", str(self.config)], "smsbox.out")
        self._wait_for_port(self.ports.sendsms, self.smsbox)

    def stop_smsbox(self) -> None:
        """Stop smsbox the way an operator does (SIGTERM); sendsms refuses connections until it starts."""
        self._stop(self.smsbox)

    def pause_smsbox(self) -> None:
        """Freeze smsbox: connections still open, but no request is answered until resume_smsbox()."""
        self.smsbox.send_signal(signal.SIGSTOP)

    def resume_smsbox(self) -> None:
        self.smsbox.send_signal(signal.SIGCONT)

    def _stop(self, process: subprocess.Popen | None) -> None:
        if process is None or process.poll() is not None:
            return
        # A paused smsbox ignores SIGTERM until it runs again.
        process.send_signal(signal.SIGCONT)
        process.terminate()
        try:
            process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            logger.warning("%s did not stop within %s s; killing pid=%s", process.args[0], STOP_TIMEOUT_S,
                           process.pid)
            process.kill()
            process.wait()

    def stop(self) -> None:
        """Stop smsbox, fakesmsc and bearerbox, whichever of them were started."""
        for process in (self.smsbox, self.fakesmsc, self.bearerbox):
            self._stop(process)
        logger.info("kannel stopped directory=%s", self.directory)
