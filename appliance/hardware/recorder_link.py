"""The in-process recorder as the examiner's controls see it: a press acts at its own sample.

A gesture is complete only when the button is let go (or held to the stop threshold), a
fraction of a second after it went down; with a capture running ahead of the pipeline (the
fast ALSA feed, or a busy box) that fraction can be many seconds of audio. So every raw edge
is stamped with the number of frames captured at that moment, and the command a gesture asks
for takes effect at the frame captured when the button went down, exactly as a control
command takes effect at the frame captured when it arrived.

A refusal is journaled by the recorder in the day's journal; a press refused before there is
a day (no settings, clock unset, no microphone) goes to the audit journal instead, so every
press that could not act leaves a line somewhere.
"""

from __future__ import annotations

import bisect
import collections
import threading
from collections.abc import Callable
from pathlib import Path

from appliance.contract.audit import AuditEvent, log_event
from appliance.errors import ApplianceError
from appliance.recorder.core import Recorder

STAMPS_KEPT = 512
"""Edges remembered: a panel heartbeat notes 10 a second, so this covers any press held to
the longest configurable stop threshold (60 s) with room to spare."""



class RecorderLink:
    """`Controller` for ExaminerControls and PanelSession over a Recorder in this process.

    Thread-safe: edges are noted on backend threads, commands come from the controls' threads.
    """

    def __init__(self, recorder: Recorder, data_dir: Path,
                 drive_status: Callable[[], dict] | None = None) -> None:
        self.recorder = recorder
        self.data_dir = data_dir
        self.drive_status = drive_status
        """The USB drive's state (export.drive.DriveManager.status): the LEDs show exports."""
        self._lock = threading.Lock()
        self._stamps: collections.deque[tuple[float, int]] = collections.deque(
            maxlen=STAMPS_KEPT)

    def note_edge(self, time_s: float) -> None:
        """Remember which frame was being captured at `time_s` (monotonic seconds)."""
        frame = self.recorder.source.frames_captured
        with self._lock:
            if self._stamps and self._stamps[-1][0] > time_s:
                return  # out of order (two backends racing): keep the list sorted
            self._stamps.append((time_s, frame))

    def frame_at(self, time_s: float) -> int:
        """Frames captured at `time_s`: the latest edge noted at or before it, else now."""
        now_frame = self.recorder.source.frames_captured
        with self._lock:
            times = [t for t, _ in self._stamps]
            index = bisect.bisect_right(times, time_s + 1e-9) - 1
            frame = self._stamps[index][1] if index >= 0 else now_frame
        return min(frame, now_frame)

    def handle(self, cmd: str, **args: object) -> dict:
        pressed_at_s = args.pop("pressed_at_s", None)
        frame = (self.recorder.source.frames_captured if pressed_at_s is None
                 else self.frame_at(float(pressed_at_s)))
        try:
            return self.recorder.handle(cmd, at_frame=frame, **args)
        except ApplianceError as err:
            if self.recorder.day is None:
                log_event(self.data_dir, AuditEvent.PRESS_REFUSED, command=cmd,
                          source=args.get("source", "button"), code=err.code,
                          message=err.message())
            raise

    def status(self) -> dict:
        status = self.recorder.status()
        if self.drive_status is not None:
            status["drive"] = self.drive_status()
        return status
