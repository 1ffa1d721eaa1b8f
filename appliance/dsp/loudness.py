"""EBU R128 / ITU-R BS.1770 integrated loudness from per-frame K-weighted powers.

The K-weighting is applied in the frequency domain of the analysis frames (see frames.py), so
loudness costs nothing beyond the shared FFT pass. Gating blocks are 400 ms with 100 ms steps,
rounded to whole frames; absolute gate -70 LUFS, relative gate -10 LU.
"""

from __future__ import annotations

import numpy as np

from appliance.dsp.levels import FLOOR_DBFS

BLOCK_S = 0.4
STEP_S = 0.1
ABSOLUTE_GATE_LUFS = -70.0
RELATIVE_GATE_LU = -10.0


def _lufs(power: np.ndarray | float) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return -0.691 + 10 * np.log10(power)


def integrated_loudness(k_power: np.ndarray, frame_s: float) -> float:
    """Integrated loudness in LUFS of per-frame K-weighted mean squares (FLOOR if all gated)."""
    block = max(1, int(round(BLOCK_S / frame_s)))
    step = max(1, int(round(STEP_S / frame_s)))
    if k_power.size < block:
        return FLOOR_DBFS
    sums = np.cumsum(np.concatenate([[0.0], k_power.astype(np.float64)]))
    starts = np.arange(0, k_power.size - block + 1, step)
    blocks = (sums[starts + block] - sums[starts]) / block
    kept = blocks[_lufs(blocks) > ABSOLUTE_GATE_LUFS]
    if kept.size == 0:
        return FLOOR_DBFS
    relative = _lufs(kept.mean()) + RELATIVE_GATE_LU
    kept = kept[_lufs(kept) > relative]
    return float(_lufs(kept.mean()))
