"""Per-block levels: peak and RMS in dBFS, clipped samples and DC offset per channel (numpy).

Blocks are int16 arrays of shape (frames, channels). Full scale is 32768, so a full-scale
square wave reads 0 dBFS RMS and a full-scale sine about -3 dBFS RMS. Silence reads FLOOR_DBFS.
The recorder calls `block_levels` once per captured block on its pipeline thread, so the common
case (no sample near full scale) costs a few vector passes over the block.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FULL_SCALE = 32768.0
FLOOR_DBFS = -120.0
CLIP_LEVEL = 32767
MIN_LINEAR = 10 ** (FLOOR_DBFS / 20)
"""A sample at or beyond this magnitude (either sign) sits at the converter's limit."""


def to_dbfs(linear: np.ndarray) -> np.ndarray:
    """Linear amplitude (0..1 of full scale) to dBFS, clamped at FLOOR_DBFS."""
    with np.errstate(divide="ignore"):
        return np.maximum(20.0 * np.log10(linear), FLOOR_DBFS)


def power_to_db(power: np.ndarray | float) -> np.ndarray:
    """Mean square (of full-scale-normalised samples) to dB, clamped at FLOOR_DBFS."""
    with np.errstate(divide="ignore"):
        return np.maximum(10.0 * np.log10(power), FLOOR_DBFS)


@dataclass(frozen=True)
class BlockLevels:
    """One block's figures, one value per channel."""

    peak_dbfs: tuple[float, ...]
    rms_dbfs: tuple[float, ...]
    clipped_samples: tuple[int, ...] = ()
    """Samples at full scale that belong to a run of at least two (a lone full-scale sample
    can be a legitimate peak; two in a row mean the waveform was cut off)."""
    dc_offset: tuple[float, ...] = ()
    """Mean of the block as a fraction of full scale (-1..1)."""

    def to_dict(self) -> dict:
        return {"peak_dbfs": [round(v, 2) for v in self.peak_dbfs],
                "rms_dbfs": [round(v, 2) for v in self.rms_dbfs],
                "clipped_samples": list(self.clipped_samples),
                "dc_offset": [round(v, 5) for v in self.dc_offset]}


def clipped_in_runs(samples: np.ndarray) -> np.ndarray:
    """Per channel: full-scale samples with a full-scale neighbour. `samples`: int (frames, ch)."""
    at_limit = (samples >= CLIP_LEVEL) | (samples <= -CLIP_LEVEL)
    pair = at_limit[1:] & at_limit[:-1]
    in_run = np.zeros_like(at_limit)
    in_run[1:] |= pair
    in_run[:-1] |= pair
    return np.count_nonzero(in_run, axis=0)


def block_levels(block: np.ndarray) -> BlockLevels:
    """Levels of each channel of one int16 block of shape (frames, channels)."""
    channels = block.shape[1]
    if block.shape[0] == 0:
        silent = (FLOOR_DBFS,) * channels
        return BlockLevels(silent, silent, (0,) * channels, (0.0,) * channels)
    frames = block.shape[0]
    wide = block.astype(np.int64)  # exact sums; no float rounding, no overflow
    peak_int = np.maximum(block.max(axis=0).astype(np.int32), -block.min(axis=0).astype(np.int32))
    rms = np.sqrt(np.einsum("ij,ij->j", wide, wide) / frames) / FULL_SCALE
    if peak_int.max() >= CLIP_LEVEL:
        clipped = tuple(int(n) for n in clipped_in_runs(block))
    else:
        clipped = (0,) * channels
    # one clamped log10 for peaks and RMS together (cheaper than two guarded calls per block)
    db = 20.0 * np.log10(np.maximum(np.concatenate([peak_int / FULL_SCALE, rms]), MIN_LINEAR))
    return BlockLevels(tuple(db[:channels].tolist()), tuple(db[channels:].tolist()), clipped,
                       tuple((wide.sum(axis=0) / frames / FULL_SCALE).tolist()))
