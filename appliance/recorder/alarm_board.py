"""The recorder's alarms: which are on (status, LEDs, page) and their lines in the journal.

An alarm is on in memory first and journaled after, if the disk takes the line: the alarm a
refused line would report (a full or read-only disk) must still show.
"""

from __future__ import annotations

import collections
import time
from collections.abc import Callable

from appliance.dsp.alarms import AlarmChange
from appliance.journal import Event

Record = Callable[..., bool]
"""Journals an event if there is a day and the disk takes it; False when refused."""


class AlarmBoard:
    """The active alarms by code. `where` gives (part, frame) of the open part, or Nones."""

    def __init__(self, record: Record, where: Callable[[], tuple[int | None, int | None]],
                 clock=time.time) -> None:
        self.active: dict[str, dict] = {}
        self._record = record
        self._where = where
        self._clock = clock

    def __contains__(self, code: str) -> bool:
        return code in self.active

    def raise_alarm(self, code: str, message: str, hint: str = "") -> None:
        if code in self.active:
            return
        self.active[code] = {"code": code, "message": message, "hint": hint,
                             "since": self._clock()}
        part, frame = self._where()
        self._record(Event.ALARM, code=code, message=message, part=part, frame=frame)

    def clear(self, code: str) -> None:
        if self.active.pop(code, None):
            self._record(Event.ALARM_CLEARED, code=code, message="", part=None, frame=None)

    def sound_changed(self, change: AlarmChange, journaled: bool) -> None:
        """A live sound alarm came on or cleared; journaled only while recording (a pause's
        silence is no evidence)."""
        alarm = change.alarm
        if change.active:
            self.active[alarm.code] = {**alarm.to_dict(), "since": self._clock()}
        else:
            self.active.pop(alarm.code, None)
        if journaled:
            part, frame = self._where()
            self._record(Event.ALARM if change.active else Event.ALARM_CLEARED,
                         code=alarm.code, message=alarm.message, value=round(alarm.value, 3),
                         part=part, frame=frame)


class VerdictJournal:
    """Journals the write supervisor's `not_recording` alarm when it comes on, changes cause,
    or clears. A line the disk refuses (full) is owed and written, with its `since`, once audio
    flows again (the disk then takes writes)."""

    def __init__(self, record: Record, clock=time.time) -> None:
        self._record = record
        self._clock = clock
        self.shown: dict | None = None
        """The verdict as last journaled."""
        self._owed: collections.deque[tuple[Event, dict]] = collections.deque()

    def update(self, verdict: dict | None) -> None:
        shown = self.shown
        changed = (verdict and verdict["cause"]) != (shown and shown["cause"])
        if changed:
            self.shown = verdict
            if verdict:
                self._owed.append((Event.ALARM, {
                    "code": verdict["code"], "cause": verdict["cause"],
                    "message": verdict["message"], "since": verdict["since"], "part": None,
                    "frame": None}))
            else:
                self._owed.append((Event.ALARM_CLEARED, {
                    "code": shown["code"], "message": "", "since": round(self._clock(), 1),
                    "part": None, "frame": None}))
        if changed or verdict is None:
            while self._owed and self._record(self._owed[0][0], **self._owed[0][1]):
                self._owed.popleft()
