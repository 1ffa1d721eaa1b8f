"""One poller of the recorder's status shared by every watching browser.

A thread asks the recorder for `status` every INTERVAL_S while at least one event stream is
open and numbers each snapshot; streams wait for the next number. However many browsers
watch, the recorder answers one small request per tick, and the thread stops when nobody
watches. Numbers only ever grow (a restarted poller goes on from the last snapshot's), and a
new watcher waits for a snapshot polled after it came: a stream never starts with, or sticks
to, a status from before it opened.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from appliance.contract.control import ControlClient
from appliance.contract.status import Status
from appliance.contract.vocabulary import Command
from appliance.errors import ApplianceError

INTERVAL_S = 0.05
IDLE_STOP_S = 5.0
POLL_TIMEOUT_S = 2.0


class Snapshot:
    """One poll: the recorder's status (plus `hours_left`) or the error it gave."""

    __slots__ = ("seq", "server_time", "status", "error")

    def __init__(self, seq: int, status: dict | None, error: ApplianceError | None) -> None:
        self.seq = seq
        self.server_time = time.time()
        self.status = status
        self.error = error


class StatusHub:
    def __init__(self, socket_path: Callable[[], Path], interval_s: float = INTERVAL_S) -> None:
        self.socket_path = socket_path
        self.interval_s = interval_s
        self._cond = threading.Condition()
        self._latest: Snapshot | None = None
        self._watchers = 0
        self._idle_since = time.monotonic()
        self._thread: threading.Thread | None = None

    @property
    def watchers(self) -> int:
        return self._watchers

    def watch(self) -> int:
        """Start watching; returns the number to wait after (the snapshot there now, whose
        status may be old, is not shown to a new watcher)."""
        with self._cond:
            self._watchers += 1
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="status-hub",
                                                daemon=True)
                self._thread.start()
            return self._latest.seq if self._latest else 0

    def unwatch(self) -> None:
        with self._cond:
            self._watchers -= 1
            if self._watchers == 0:
                self._idle_since = time.monotonic()

    def next_after(self, seq: int, timeout_s: float) -> Snapshot | None:
        """The first snapshot newer than `seq`, or None after `timeout_s`."""
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while self._latest is None or self._latest.seq <= seq:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._cond.wait(remaining)
            return self._latest

    def _run(self) -> None:
        with self._cond:
            seq = self._latest.seq if self._latest else 0
        next_tick = time.monotonic()
        while True:
            with self._cond:
                if self._watchers == 0 and time.monotonic() - self._idle_since > IDLE_STOP_S:
                    self._thread = None
                    return
            seq += 1
            snapshot = self._poll(seq)
            with self._cond:
                self._latest = snapshot
                self._cond.notify_all()
            next_tick = max(next_tick + self.interval_s, time.monotonic())
            time.sleep(max(0.0, next_tick - time.monotonic()))

    def _poll(self, seq: int) -> Snapshot:
        try:
            status = ControlClient(self.socket_path(), POLL_TIMEOUT_S).call(Command.STATUS)
        except ApplianceError as err:
            return Snapshot(seq, None, err)
        except Exception as err:  # top of the poller thread: show it, keep polling
            return Snapshot(seq, None, ApplianceError("web.internal", detail=repr(err)))
        status["hours_left"] = Status.from_json(status).recording_hours_left()
        return Snapshot(seq, status, None)
