"""Sink: the live sound alarms (silence, clipping, low level, overflow, dropout)."""

from __future__ import annotations

from collections.abc import Callable

from appliance.dsp.alarms import AlarmChange, AlarmMonitor
from appliance.recorder.sinks import Block


class LiveAlarms:
    """Feeds the alarm monitor; each alarm that comes on or clears goes to `on_change`."""

    def __init__(self, monitor: AlarmMonitor, on_change: Callable[[AlarmChange], None]) -> None:
        self.monitor = monitor
        self.on_change = on_change

    def feed(self, block: Block) -> None:
        for change in self.monitor.feed(block.samples, block.levels, block.overflowed,
                                        speech_expected=block.recording):
            self.on_change(change)
