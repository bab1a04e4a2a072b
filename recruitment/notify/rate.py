"""Pacing the hand-over of SMS to the gateway to a number of messages per second."""

import logging
import threading
import time
from collections.abc import Callable

logger = logging.getLogger(__name__)


class RateLimiter:
    """Spaces calls at least 1/rate seconds apart; a rate of 0 means no limit.

    Time that passes unused is not saved up, so a dispatcher that was idle does not send a burst
    above the rate afterwards.
    """

    def __init__(self, per_second: float, clock: Callable[[], float] = time.monotonic,
                 stop: threading.Event | None = None) -> None:
        self.interval = 1 / per_second if per_second > 0 else 0.0
        self._clock = clock
        self._stop = stop or threading.Event()
        self._next = 0.0

    def wait(self) -> bool:
        """Wait for the next slot; returns False when the stop event was set while waiting."""
        if not self.interval:
            return not self._stop.is_set()
        now = self._clock()
        if self._next > now and self._stop.wait(self._next - now):
            return False
        self._next = max(self._next, now) + self.interval
        return True
