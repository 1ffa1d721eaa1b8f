"""The per-part sound summary written beside each part as `{stem}.summary.json`.

Built block by block on the pipeline thread in constant memory (a histogram of block RMS per
channel), so an 8-hour part costs the same as a minute. Speech share here is approximate: the
share of blocks at least SPEECH_MARGIN_DB above the part's noise floor (the 10th percentile of
block RMS); the file analysis (`appliance check`) has the frame-accurate figure.
"""

from __future__ import annotations

import numpy as np

from appliance.dsp.alarms import AlarmChange
from appliance.dsp.levels import FLOOR_DBFS, BlockLevels, power_to_db

BIN_DB = 0.5
BINS = int(-FLOOR_DBFS / BIN_DB) + 1
NOISE_PERCENTILE = 0.10
LOUD_PERCENTILE = 0.95
SPEECH_MARGIN_DB = 10.0


class PartSummary:
    """Accumulates one part's levels and alarm timeline. Not thread-safe."""

    def __init__(self, rate_hz: int, channels: int) -> None:
        self.rate_hz = rate_hz
        self.frames = 0
        # plain lists: fed a few values per block, where numpy's per-call cost dominates
        self._peak = [FLOOR_DBFS] * channels
        self._sum_squares = [0.0] * channels
        self._sum = [0.0] * channels
        self._clipped = [0] * channels
        self._histogram = [[0] * BINS for _ in range(channels)]
        self._alarms: list[dict] = []

    def feed(self, block: np.ndarray, levels: BlockLevels) -> None:
        """One int16 block of shape (frames, channels) with its `block_levels`."""
        frames = block.shape[0]
        if frames == 0:
            return
        self.frames += frames
        for ch, (peak, rms, dc, clipped) in enumerate(zip(
                levels.peak_dbfs, levels.rms_dbfs, levels.dc_offset, levels.clipped_samples,
                strict=True)):
            self._peak[ch] = max(self._peak[ch], peak)
            self._sum_squares[ch] += 10 ** (rms / 10) * frames
            self._sum[ch] += dc * frames
            self._clipped[ch] += clipped
            self._histogram[ch][min(max(int((rms - FLOOR_DBFS) / BIN_DB), 0), BINS - 1)] += 1

    def alarm(self, change: AlarmChange, frame: int) -> None:
        """Note an alarm change at `frame` (position in this part)."""
        alarm = change.alarm
        self._alarms.append({"code": alarm.code, "active": change.active, "frame": frame,
                             "time_s": round(frame / self.rate_hz, 3),
                             "value": round(alarm.value, 3), "message": alarm.message})

    def _percentile_dbfs(self, share: float) -> np.ndarray:
        cumulative = np.cumsum(np.array(self._histogram), axis=1)
        total = np.maximum(cumulative[:, -1:], 1)
        index = np.argmax(cumulative >= share * total, axis=1)
        return FLOOR_DBFS + index * BIN_DB

    def _speech_share(self, floor_dbfs: np.ndarray) -> list[float]:
        edges = FLOOR_DBFS + np.arange(BINS) * BIN_DB
        above = edges[None, :] >= (floor_dbfs + SPEECH_MARGIN_DB)[:, None]
        histogram = np.array(self._histogram)
        total = np.maximum(histogram.sum(axis=1), 1)
        return ((histogram * above).sum(axis=1) / total).round(3).tolist()

    def to_dict(self) -> dict:
        n = max(self.frames, 1)
        floor = self._percentile_dbfs(NOISE_PERCENTILE)
        counts: dict[str, int] = {}
        for entry in self._alarms:
            if entry["active"]:
                counts[entry["code"]] = counts.get(entry["code"], 0) + 1
        return {
            "frames": self.frames, "rate_hz": self.rate_hz,
            "duration_s": round(self.frames / self.rate_hz, 3),
            "levels": {
                "peak_dbfs": [round(peak, 2) for peak in self._peak],
                "rms_dbfs": power_to_db(np.array(self._sum_squares) / n).round(2).tolist(),
                "loud_dbfs": self._percentile_dbfs(LOUD_PERCENTILE).tolist(),
                "noise_floor_dbfs": floor.tolist(),
                "clipped_samples": list(self._clipped),
                "dc_offset": [round(total / n, 5) for total in self._sum],
            },
            "speech_share": self._speech_share(floor),
            "alarm_counts": counts,
            "alarms": list(self._alarms),
        }


