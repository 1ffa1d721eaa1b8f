"""The guided test recording: a few seconds from each seat, judged by `appliance.dsp`.

The pipeline copies the next N frames into a SoundTestCapture (whatever the session state: the
day's record is never touched); the control thread then saves them as a WAV for playback and
has them judged in a short-lived child process, so the pipeline never waits on analysis and
the all-day recorder never keeps the analysis' modules and work buffers for the rest of the day.
"""

from __future__ import annotations

import datetime as dt
import logging
import multiprocessing
import threading
from pathlib import Path

import numpy as np

from appliance import i18n
from appliance.capture.wavfile import WavFormat
from appliance.capture.writer import WavPartWriter
from appliance.config import ChecksConfig
from appliance.contract.soundtest_files import recording_path, save_result
from appliance.contract.vocabulary import SEATS
from appliance.errors import StateError

log = logging.getLogger(__name__)

i18n.register({
    "test.bad_seat": ("Место «{seat}» неизвестно: participant или examiner",
                      "Unknown seat '{seat}': participant or examiner"),
})


class SoundTestCapture:
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


class SoundTestSession:
    """The two steps of one test: keeps each seat's file, gives the combined verdict."""

    def __init__(self, tests_dir: Path, fmt: WavFormat, checks: ChecksConfig) -> None:
        self.dir = tests_dir
        self.format = fmt
        self.checks = checks
        self.files: dict[str, str] = {}

    def judge(self, capture: SoundTestCapture) -> dict:
        """Save and judge one seat's recording. The first seat starts a new test: an earlier
        test's other seat is never judged together with it."""
        if capture.seat == SEATS[0]:
            self.files.clear()
        self.dir.mkdir(parents=True, exist_ok=True)
        path = recording_path(self.dir, capture.seat, dt.datetime.now())
        with WavPartWriter(path, self.format) as writer:
            writer.write(capture.buffer.tobytes())
        self.files[capture.seat] = str(path)
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            result = pool.apply(judge_files, (capture.seat, dict(self.files), self.checks))
        try:
            save_result(path.with_suffix(".json"), result)
        except OSError as err:  # the verdict is still answered; only a reload loses it
            log.warning("the test verdict could not be saved beside %s: %s", path.name, err)
        return result


def judge_files(seat: str, files: dict[str, str], checks: ChecksConfig) -> dict:
    """In the child: the verdict of `seat`'s file, and the two-step verdict once both seats
    have one."""
    from appliance.dsp.analysis import analyze
    from appliance.dsp.verdict import read_samples, verdict, verdict_two_step
    analyses = {name: analyze(*read_samples(path)) for name, path in files.items()}
    result = {"seat": seat, "file": files[seat], "files": files,
              "verdict": verdict(analyses[seat], checks).to_dict(), "overall": None}
    if all(name in analyses for name in SEATS):
        result["overall"] = verdict_two_step(analyses["participant"], analyses["examiner"],
                                             checks).to_dict()
    return result
