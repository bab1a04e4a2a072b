"""Slowing down password guessing: a short lock-out after repeated failed sign-ins.

Failures are counted per username and client address in this process's memory, so a restart
clears them and each server process counts on its own.
"""

import logging
import threading
import time
from dataclasses import dataclass

from archive_api.errors import N_, DiwanError

logger = logging.getLogger(__name__)

MAX_FAILURES = 5
LOCKOUT_S = 15 * 60
# Bounds the memory an attacker can make the table use by trying many usernames.
MAX_TRACKED = 10_000


class TooManyFailures(DiwanError):
    http_status = 429
    code = "too_many_failures"


@dataclass
class _Failures:
    count: int
    first_at: float


class LoginThrottle:
    """Count failed sign-ins and refuse new attempts for a while after MAX_FAILURES of them."""

    def __init__(self, max_failures: int = MAX_FAILURES, lockout_s: float = LOCKOUT_S) -> None:
        self.max_failures = max_failures
        self.lockout_s = lockout_s
        self._failures: dict[tuple[str, str], _Failures] = {}
        self._lock = threading.Lock()

    def check(self, username: str, client: str) -> None:
        """Raise TooManyFailures while this username is locked out for this client."""
        key = (username.strip().lower(), client)
        with self._lock:
            entry = self._failures.get(key)
            if entry is None:
                return
            remaining = entry.first_at + self.lockout_s - time.monotonic()
            if remaining <= 0:
                del self._failures[key]
                return
            locked = entry.count >= self.max_failures

        if locked:
            logger.warning("sign-in throttled failures=%s", entry.count)
            raise TooManyFailures(
                N_("Too many failed sign-ins for %(username)s; wait %(minutes)d minutes and try again, "
                   "or ask an administrator to check the account."),
                username=username.strip(), minutes=max(1, round(remaining / 60)),
            )

    def failed(self, username: str, client: str) -> None:
        key = (username.strip().lower(), client)
        now = time.monotonic()
        with self._lock:
            if len(self._failures) >= MAX_TRACKED:
                self._forget_expired(now)
            entry = self._failures.get(key)
            if entry is None or entry.first_at + self.lockout_s <= now:
                self._failures[key] = _Failures(1, now)
            else:
                entry.count += 1

    def succeeded(self, username: str, client: str) -> None:
        with self._lock:
            self._failures.pop((username.strip().lower(), client), None)

    def _forget_expired(self, now: float) -> None:
        expired = [key for key, entry in self._failures.items() if entry.first_at + self.lockout_s <= now]
        for key in expired:
            del self._failures[key]
        if len(self._failures) >= MAX_TRACKED:
            # Still full of live entries: drop the oldest rather than grow without bound.
            oldest = min(self._failures, key=lambda key: self._failures[key].first_at)
            del self._failures[oldest]


login_throttle = LoginThrottle()
