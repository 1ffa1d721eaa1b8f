"""Per-block levels: peak and RMS in dBFS, clipped samples and DC offset per channel (numpy).

Blocks are int16 arrays of shape (frames, channels). Full scale is 32768, so a full-scale
square wave reads 0 dBFS RMS and a full-scale sine about -3 dBFS RMS. Silence reads FLOOR_DBFS.
The recorder calls `levels_of_blocks` on its pipeline thread for the blocks it has in hand
(one at real time, several when catching up), so the common case (no sample near full scale)
costs a few vector passes over them.
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
    return levels_of_blocks(block[np.newaxis])[0]


def levels_of_blocks(blocks: np.ndarray) -> list[BlockLevels]:
    """Levels of each of n equal int16 blocks, shape (n, frames, channels), in one set of
    vector passes: a pipeline catching up after a stall pays the numpy call overhead once."""
    count, frames, channels = blocks.shape
    if frames == 0:
        silent = (FLOOR_DBFS,) * channels
        return [BlockLevels(silent, silent, (0,) * channels, (0.0,) * channels)] * count
    wide = blocks.astype(np.int64)  # exact sums; no float rounding, no overflow
    peak_int = np.maximum(blocks.max(axis=1).astype(np.int32),
                          -blocks.min(axis=1).astype(np.int32))
    rms = np.sqrt(np.einsum("nij,nij->nj", wide, wide) / frames) / FULL_SCALE
    # one clamped log10 for peaks and RMS together (cheaper than two guarded calls per block)
    linear = np.maximum(np.concatenate([peak_int / FULL_SCALE, rms], axis=1), MIN_LINEAR)
    db = (20.0 * np.log10(linear)).tolist()
    dc = (wide.sum(axis=1) / frames / FULL_SCALE).tolist()
    near_limit = (peak_int.max(axis=1) >= CLIP_LEVEL).tolist()
    no_clips = (0,) * channels
    return [BlockLevels(tuple(db[n][:channels]), tuple(db[n][channels:]),
                        tuple(int(c) for c in clipped_in_runs(blocks[n])) if near_limit[n]
                        else no_clips, tuple(dc[n]))
            for n in range(count)]
