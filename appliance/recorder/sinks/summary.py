"""Sink: the open part's level summary (its `.summary.json` beside the WAV)."""

from __future__ import annotations

from appliance.dsp.alarms import AlarmChange
from appliance.dsp.summary import PartSummary
from appliance.recorder.sinks import Block


class PartSummarySink:
    """Collects the recorded blocks and alarm changes of the open part; `begin` with each new
    part, `end` hands the finished summary over (None when no part was open)."""

    def __init__(self, rate_hz: int, channels: int) -> None:
        self.rate_hz, self.channels = rate_hz, channels
        self.summary: PartSummary | None = None

    def begin(self) -> None:
        self.summary = PartSummary(self.rate_hz, self.channels)

    def end(self) -> PartSummary | None:
        summary, self.summary = self.summary, None
        return summary

    def feed(self, block: Block) -> None:
        if self.summary and block.recording:
            self.summary.feed(block.samples, block.levels)

    def alarm(self, change: AlarmChange, frame: int | None) -> None:
        """An alarm came on or cleared at `frame` of the open part (None: no part open)."""
        if self.summary and frame is not None:
            self.summary.alarm(change, frame)
