"""EBU R128 / ITU-R BS.1770 integrated loudness from per-frame K-weighted powers.

The K-weighting is applied in the frequency domain of the analysis frames (see frames.py), so
loudness costs nothing beyond the shared FFT pass. Gating blocks are 400 ms with 100 ms steps;
absolute gate -70 LUFS, relative gate -10 LU.
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
    """Integrated loudness in LUFS of per-frame K-weighted mean squares (FLOOR if all gated).
    Each frame's power stands for the `frame_s` it covers; the gating blocks are exactly
    400 ms of that, stepped by exactly 100 ms, the energy at their ends interpolated within a
    frame."""
    duration = k_power.size * frame_s
    if duration < BLOCK_S - 1e-9:
        return FLOOR_DBFS
    times = np.arange(k_power.size + 1) * frame_s
    energy = np.concatenate([[0.0], np.cumsum(k_power, dtype=np.float64)]) * frame_s
    starts = np.arange(0.0, duration - BLOCK_S + 1e-9, STEP_S)
    blocks = (np.interp(starts + BLOCK_S, times, energy) - np.interp(starts, times, energy)) \
        / BLOCK_S
    kept = blocks[_lufs(blocks) > ABSOLUTE_GATE_LUFS]
    if kept.size == 0:
        return FLOOR_DBFS
    relative = _lufs(kept.mean()) + RELATIVE_GATE_LU
    kept = kept[_lufs(kept) > relative]
    return float(_lufs(kept.mean()))
