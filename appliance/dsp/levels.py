"""Per-block levels: peak and RMS in dBFS per channel (pure numpy).

Blocks are int16 arrays of shape (frames, channels). Full scale is 32768, so a full-scale
square wave reads 0 dBFS RMS and a full-scale sine about -3 dBFS RMS. Silence reads FLOOR_DBFS.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FULL_SCALE = 32768.0
FLOOR_DBFS = -120.0


def to_dbfs(linear: np.ndarray) -> np.ndarray:
    """Linear amplitude (0..1 of full scale) to dBFS, clamped at FLOOR_DBFS."""
    with np.errstate(divide="ignore"):
        return np.maximum(20.0 * np.log10(linear), FLOOR_DBFS)


@dataclass(frozen=True)
class BlockLevels:
    peak_dbfs: tuple[float, ...]
    rms_dbfs: tuple[float, ...]

    def to_dict(self) -> dict:
        return {"peak_dbfs": [round(v, 2) for v in self.peak_dbfs],
                "rms_dbfs": [round(v, 2) for v in self.rms_dbfs]}


def block_levels(block: np.ndarray) -> BlockLevels:
    """Peak and RMS of each channel of one int16 block of shape (frames, channels)."""
    if block.shape[0] == 0:
        silent = (FLOOR_DBFS,) * block.shape[1]
        return BlockLevels(silent, silent)
    samples = block.astype(np.float32)
    peak = np.abs(samples).max(axis=0) / FULL_SCALE
    rms = np.sqrt(np.mean(np.square(samples), axis=0)) / FULL_SCALE
    return BlockLevels(tuple(to_dbfs(peak).tolist()), tuple(to_dbfs(rms).tolist()))
