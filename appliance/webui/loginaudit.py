"""Failed and blocked logins in the audit journal, summed up: one line per address per window.

Anyone on the school network can send wrong passwords without logging in; a line for each
would let them flood the journal and push the real entries off the audit page. So each
address gets one line per window, written when the window ends, with how many attempts
failed and how many were refused by the lockout.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

WINDOW_S = 60.0


class FailedLogins:
    """`failed(address)` / `blocked(address)` count; `write(address=..., failed=...,
    blocked=..., setup_code=..., window_s=...)` is called once per address and window."""

    def __init__(self, write: Callable[..., object], window_s: float = WINDOW_S) -> None:
        self.write = write
        self.window_s = window_s
        self._open: dict[str, dict] = {}
        self._lock = threading.Lock()

    def failed(self, address: str, setup_code: bool = False) -> None:
        self._count(address, "setup_code" if setup_code else "failed")

    def blocked(self, address: str) -> None:
        self._count(address, "blocked")

    def _count(self, address: str, what: str) -> None:
        with self._lock:
            counts = self._open.get(address)
            if counts is None:
                counts = self._open[address] = {"failed": 0, "setup_code": 0, "blocked": 0,
                                                "since": time.time()}
                timer = threading.Timer(self.window_s, self.flush, (address,))
                timer.daemon = True
                timer.start()
            counts[what] += 1

    def flush(self, address: str) -> None:
        """Write the line of `address`'s window (the window's timer calls this)."""
        with self._lock:
            counts = self._open.pop(address, None)
        if counts:
            seconds = round(time.time() - counts.pop("since"))
            self.write(address=address, window_s=seconds,
                       **{key: value for key, value in counts.items() if value})
