"""Meter ballistics for display: a falling peak bar and a peak-hold mark, per channel.

Raw block peaks jump around too fast to read; a meter shows the peak rising at once and falling
back at a fixed rate (20 dB/s, close to the IEC 60268-18 PPM return), plus the highest recent
peak held for 1.5 s. The recorder updates it per block and publishes `to_dict()` in `status`.
"""

from __future__ import annotations

from dataclasses import dataclass

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
        self._bar = [FLOOR_DBFS] * channels
        self._hold = [FLOOR_DBFS] * channels
        self._held_for = [0.0] * channels
        self.reading = MeterReading((FLOOR_DBFS,) * channels, (FLOOR_DBFS,) * channels,
                                    (FLOOR_DBFS,) * channels)

    def update(self, levels: BlockLevels, block_s: float) -> MeterReading:
        """Per channel in plain Python: a few values per block, cheaper than numpy calls."""
        fall = self.fall_db_per_s * block_s
        for ch, peak in enumerate(levels.peak_dbfs):
            self._bar[ch] = max(peak, self._bar[ch] - fall, FLOOR_DBFS)
            self._held_for[ch] += block_s
            if peak >= self._hold[ch] or self._held_for[ch] >= self.hold_s:
                self._hold[ch] = max(peak, self._bar[ch])
                self._held_for[ch] = 0.0
        self.reading = MeterReading(tuple(self._bar), tuple(self._hold), tuple(levels.rms_dbfs))
        return self.reading
