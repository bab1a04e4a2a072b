"""Helpers for the child processes Diwan starts: they follow their parent's life, not the terminal's."""

import ctypes
import logging
import signal

logger = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1


def ignore_interrupts() -> None:
    """Leave Ctrl+C to the parent: it stops its children in order, and tracebacks stay out."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def die_with_parent(sig: int = signal.SIGTERM) -> None:
    """Ask Linux to send `sig` to this process when its parent exits, however the parent ends."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
    except OSError:
        logger.warning("libc not found; a child process may outlive its parent")
        return
    if libc.prctl(_PR_SET_PDEATHSIG, sig, 0, 0, 0) != 0:
        logger.warning("prctl(PR_SET_PDEATHSIG) failed errno=%s", ctypes.get_errno())
