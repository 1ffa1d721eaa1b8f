"""systemd notifications (READY=1, WATCHDOG=1) without a dependency: one datagram each."""

from __future__ import annotations

import os
import socket
import time


class Notifier:
    """Sends to $NOTIFY_SOCKET when systemd gave one; does nothing otherwise."""

    def __init__(self, min_interval_s: float = 1.0) -> None:
        address = os.environ.get("NOTIFY_SOCKET", "")
        if address.startswith("@"):
            address = "\0" + address[1:]
        self._address = address
        self._min_interval_s = min_interval_s
        self._last_watchdog = 0.0

    def notify(self, message: str) -> None:
        if not self._address:
            return
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.sendto(message.encode(), self._address)

    def ready(self) -> None:
        self.notify("READY=1")

    def watchdog(self) -> None:
        """Called from the pipeline loop; rate-limited so it costs nothing per block."""
        now = time.monotonic()
        if now - self._last_watchdog >= self._min_interval_s:
            self._last_watchdog = now
            self.notify("WATCHDOG=1")
