"""A day on disk with the part cycle, the markers and the disk reactions wired as the recorder
wires them, without the pipeline thread: a test feeds blocks and calls them directly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from appliance.capture.simulated import speech_like
from appliance.capture.wavfile import WavFormat
from appliance.clock import ClockGuard
from appliance.config import Config
from appliance.dsp.levels import levels_of_blocks
from appliance.journal import Event, read_entries
from appliance.participants.flags import CheckLimits
from appliance.participants.live import ParticipantTracker
from appliance.recorder.alarm_board import AlarmBoard
from appliance.recorder.day import Day
from appliance.recorder.disk_reactions import DiskReactions
from appliance.recorder.markers import Markers
from appliance.recorder.parts import PartCycle
from appliance.recorder.sinks import Block
from appliance.recorder.sinks.progress import CaptureProgress
from appliance.recorder.sinks.summary import PartSummarySink
from appliance.recorder.sinks.writer import PartOutput
from appliance.recorder.storage import DiskGuard
from appliance.recorder.supervisor import WriteSupervisor
from tests.recorder_process import SITE

RATE = 48000
FORMAT = WavFormat(RATE, 1)
BLOCK = RATE // 10
DATE = dt.date(2026, 5, 20)


class Bench:
    """The collaborators of one day in `folder`, each a real one; the journal is the day's."""

    def __init__(self, folder: Path, reserve_bytes: int = 0,
                 max_part_bytes: int = 10**9) -> None:
        config = Config()
        self.day = Day.open(folder / "data", DATE)
        self.day.record(Event.DAY_OPENED, date=DATE.isoformat(), **SITE,
                        naming=config.recording.naming, pause_mode=config.recording.pause_mode,
                        rate_hz=RATE, channels=1, clock_source="ntp", keep_until="2027-03-01",
                        version="test")
        self.refused: list[OSError] = []
        """What the output and the part cycle reported to the disk reactions."""
        self.alarms = AlarmBoard(self.record, lambda: (None, None))
        self.supervisor = WriteSupervisor()
        self.progress = CaptureProgress()
        self.summary = PartSummarySink(RATE, 1)
        self.tracker = ParticipantTracker(CheckLimits.from_config(config.participants), RATE)
        self.output = PartOutput(FORMAT.frame_bytes, rollover=lambda: self.parts.rollover(),
                                 failed=self.failed, wrote=lambda n: None)
        self.markers = Markers(lambda: self.day, self.output, self.progress, self.tracker,
                               self.journal_check, RATE)
        self.parts = PartCycle(lambda: self.day, FORMAT, ClockGuard(folder), self.output,
                               self.summary, self.progress, self.markers, self.alarms,
                               max_part_bytes=lambda: max_part_bytes, failed=self.failed)
        self.guard = DiskGuard(self.day.dir, RATE * FORMAT.frame_bytes * 3600, reserve_bytes,
                               warn_hours=0.0)
        self.reactions = DiskReactions(self.guard, self.parts, self.alarms, self.supervisor,
                                       self.record, self.progress)

    def record(self, event: Event, **data: object) -> bool:
        try:
            self.day.record(event, **data)
        except OSError:
            return False
        return True

    def journal_check(self, payload: dict | None) -> None:
        if payload is not None:
            self.day.record(Event.PARTICIPANT_CHECK, **payload)

    def failed(self, err: OSError) -> None:
        self.refused.append(err)
        self.reactions.failed(err)

    def feed(self, seconds: float) -> None:
        """Capture `seconds` of the simulated voice, block by block, as the pipeline hands
        them to the part's file, the capture position and the summary."""
        for _ in range(int(seconds * 10)):
            samples = speech_like(RATE, self.progress.frames, BLOCK)
            (levels,) = levels_of_blocks(samples[np.newaxis])
            block = Block(samples.tobytes(), samples, levels, self.progress.frames, False, True)
            for sink in (self.output, self.progress, self.summary):
                sink.feed(block)
        self.output.flush()

    def lines(self, event: Event) -> list[dict]:
        return [e.data for e in read_entries(self.day.journal.path) if e.event == event]


def fill_up(path: Path) -> None:
    """Write `path` until its file system refuses another byte (ENOSPC)."""
    chunk = b"\0" * 65536
    with open(path, "wb", buffering=0) as out:
        while chunk:
            try:
                out.write(chunk)
            except OSError:
                chunk = chunk[:len(chunk) // 2]
