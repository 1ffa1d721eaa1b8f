"""Sink: the live levels and the display meter's ballistics (status, page, LEDs)."""

from __future__ import annotations

import time

import numpy as np

from appliance.dsp.levels import block_levels
from appliance.dsp.meter import MeterBallistics
from appliance.recorder.sinks import Block


class LevelMeter:
    """The last block's levels, when they were taken, and the falling meter reading."""

    def __init__(self, rate_hz: int, channels: int, clock=time.time) -> None:
        self.rate_hz = rate_hz
        self.levels = block_levels(np.zeros((0, channels), np.int16))
        self.levels_time = 0.0
        self.ballistics = MeterBallistics(channels)
        self._clock = clock

    def feed(self, block: Block) -> None:
        self.levels = block.levels
        self.levels_time = self._clock()
        self.ballistics.update(block.levels, block.frames / self.rate_hz)
