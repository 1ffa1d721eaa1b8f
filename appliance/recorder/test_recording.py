"""The guided test recording: a few seconds from each seat, judged by `appliance.dsp`.

The pipeline copies the next N frames into a TestCapture (whatever the session state: the
day's record is never touched); the control thread then saves them as a WAV for playback and
analyses them, so the pipeline never waits on analysis.
"""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import numpy as np

from appliance import i18n
from appliance.capture.wavfile import WavFormat
from appliance.capture.writer import WavPartWriter
from appliance.config import ChecksConfig
from appliance.dsp.analysis import analyze
from appliance.dsp.verdict import SEATS, verdict, verdict_two_step
from appliance.errors import StateError

i18n.register({
    "test.bad_seat": ("Место «{seat}» неизвестно: participant или examiner",
                      "Unknown seat '{seat}': participant or examiner"),
})


class TestCapture:
    """Frames wanted from the live stream for one seat; `done` is set when complete."""

    def __init__(self, seat: str, frames: int, channels: int) -> None:
        if seat not in SEATS:
            raise StateError("test.bad_seat", seat=seat)
        self.seat = seat
        self.buffer = np.zeros((frames, channels), np.int16)
        self.filled = 0
        self.done = threading.Event()

    def feed(self, block: np.ndarray) -> bool:
        """Take what fits from `block` (pipeline thread); True once complete."""
        take = min(len(block), len(self.buffer) - self.filled)
        self.buffer[self.filled:self.filled + take] = block[:take]
        self.filled += take
        if self.filled == len(self.buffer):
            self.done.set()
        return self.done.is_set()


class TestSession:
    """The two steps of one test: keeps each seat's analysis, gives the combined verdict."""

    def __init__(self, tests_dir: Path, fmt: WavFormat, checks: ChecksConfig) -> None:
        self.dir = tests_dir
        self.format = fmt
        self.checks = checks
        self.analyses: dict = {}

    def judge(self, capture: TestCapture) -> dict:
        self.dir.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now().strftime("%Y-%m-%d_%H%M%S")
        path = self.dir / f"test_{stamp}_{capture.seat}.wav"
        with WavPartWriter(path, self.format) as writer:
            writer.write(capture.buffer.tobytes())
        analysis = analyze(capture.buffer, self.format.rate_hz)
        self.analyses[capture.seat] = analysis
        result = {"seat": capture.seat, "file": str(path),
                  "verdict": verdict(analysis, self.checks).to_dict(), "overall": None}
        if all(seat in self.analyses for seat in SEATS):
            result["overall"] = verdict_two_step(self.analyses["participant"],
                                                 self.analyses["examiner"], self.checks).to_dict()
        return result
