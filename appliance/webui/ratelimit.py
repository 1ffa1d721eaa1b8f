"""Failed login attempts per client address, in memory: a sliding window of failures.

In-process is enough: the page runs as one process, and a restart (which costs an attacker
seconds) is rarer than the window. Successful logins do not count.
"""

from __future__ import annotations

import collections
import threading
import time


class FailureLimiter:
    """At most `attempts` failures per `window_s` from one address; then refused until the
    oldest failure leaves the window."""

    def __init__(self, attempts: int, window_s: float, clock=time.monotonic) -> None:
        self.attempts = attempts
        self.window_s = window_s
        self.clock = clock
        self._failures: dict[str, collections.deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after_s(self, address: str) -> float:
        """0 when `address` may try now, else the seconds until it may."""
        with self._lock:
            failures = self._recent(address)
            if len(failures) < self.attempts:
                return 0.0
            return max(0.0, failures[0] + self.window_s - self.clock())

    def failed(self, address: str) -> None:
        with self._lock:
            self._recent(address)
            self._failures.setdefault(address, collections.deque()).append(self.clock())

    def _recent(self, address: str) -> collections.deque[float]:
        """The address's failures inside the window; addresses with none are forgotten."""
        failures = self._failures.get(address, collections.deque())
        cutoff = self.clock() - self.window_s
        while failures and failures[0] <= cutoff:
            failures.popleft()
        if not failures:
            self._failures.pop(address, None)
        return failures
