"""A panel on a real pseudo-terminal, for tests and the panel simulator's tests.

The test holds the master side; the appliance opens the slave through a symlink, as it opens
a real panel through `/dev/serial/by-id/...`. Unplugging closes both ends (the slave device
disappears); plugging in again makes a new pty and points the link at it.
"""

from __future__ import annotations

import os
import select
import time
from pathlib import Path

from appliance.hardware import panel_protocol as pp


class PtyPanel:
    def __init__(self, link: Path) -> None:
        self.link = link
        self.master = self.slave = -1
        self.seq = 0
        self._buffer = b""
        self.plug()

    def plug(self) -> None:
        self.master, self.slave = os.openpty()
        tmp = self.link.with_name(self.link.name + ".new")
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(os.ttyname(self.slave))
        tmp.replace(self.link)
        self._buffer = b""

    def unplug(self) -> None:
        os.close(self.master)
        os.close(self.slave)
        self.master = self.slave = -1

    def close(self) -> None:
        if self.master >= 0:
            self.unplug()

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    def key(self, pressed: bool) -> None:
        self.seq += 1
        self.send(pp.key_line(pressed, self.seq))

    def read_messages(self, duration_s: float) -> list[tuple[float, pp.Message]]:
        """Every valid line the appliance sends during `duration_s`, with arrival times."""
        out = []
        end = time.monotonic() + duration_s
        while (left := end - time.monotonic()) > 0:
            ready, _, _ = select.select([self.master], [], [], left)
            if not ready:
                continue
            try:
                self._buffer += os.read(self.master, 4096)
            except OSError:             # nobody has the slave open yet
                time.sleep(0.01)
                continue
            *lines, self._buffer = self._buffer.split(b"\n")
            now = time.monotonic()
            out += [(now, pp.parse(line)) for line in lines]
        return out

    def wait_for(self, predicate, timeout_s: float = 5.0) -> pp.Message:
        """Read until a message satisfies `predicate`; fails after `timeout_s`."""
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            for _, message in self.read_messages(0.05):
                if predicate(message):
                    return message
        raise AssertionError("the appliance did not send the expected line")
