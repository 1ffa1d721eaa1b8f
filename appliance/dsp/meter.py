"""Meter ballistics for display: a falling peak bar and a peak-hold mark, per channel.

Raw block peaks jump around too fast to read; a meter shows the peak rising at once and falling
back at a fixed rate (20 dB/s, close to the IEC 60268-18 PPM return), plus the highest recent
peak held for 1.5 s. The recorder updates it per block and publishes `to_dict()` in `status`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from appliance.dsp.levels import FLOOR_DBFS, BlockLevels

FALL_DB_PER_S = 20.0
HOLD_S = 1.5


@dataclass(frozen=True)
class MeterReading:
    peak_dbfs: tuple[float, ...]
    """The falling bar."""
    hold_dbfs: tuple[float, ...]
    """The held peak mark."""
    rms_dbfs: tuple[float, ...]

    def to_dict(self) -> dict:
        return {key: [round(v, 1) for v in getattr(self, key)]
                for key in ("peak_dbfs", "hold_dbfs", "rms_dbfs")}


class MeterBallistics:
    def __init__(self, channels: int, fall_db_per_s: float = FALL_DB_PER_S,
                 hold_s: float = HOLD_S) -> None:
        self.fall_db_per_s = fall_db_per_s
        self.hold_s = hold_s
        self._bar = np.full(channels, FLOOR_DBFS)
        self._hold = np.full(channels, FLOOR_DBFS)
        self._held_for = np.zeros(channels)
        self.reading = MeterReading((FLOOR_DBFS,) * channels, (FLOOR_DBFS,) * channels,
                                    (FLOOR_DBFS,) * channels)

    def update(self, levels: BlockLevels, block_s: float) -> MeterReading:
        peak = np.asarray(levels.peak_dbfs)
        self._bar = np.maximum(peak, np.maximum(self._bar - self.fall_db_per_s * block_s,
                                                FLOOR_DBFS))
        self._held_for += block_s
        renew = (peak >= self._hold) | (self._held_for >= self.hold_s)
        self._hold = np.where(renew, np.maximum(peak, self._bar), self._hold)
        self._held_for = np.where(renew, 0.0, self._held_for)
        self.reading = MeterReading(tuple(self._bar.tolist()), tuple(self._hold.tolist()),
                                    tuple(levels.rms_dbfs))
        return self.reading
