"""Mains hum: the 50 Hz (or 60 Hz) line and its harmonics, measured in the pauses; and the
noise under it, with the lines taken out.

Hum is steady, so it is measured where nothing else is: the ~0.34 s windows of the decimated
signal that hold no speech (all of them when the recording has too few pauses, and then only
the fundamental, which no voice reaches). A line's power
is the power in its Hann main lobe minus the local noise density over the same bins; the
strongest of the two mains frequencies wins. Powers are full-scale mean squares, so the result
in dB is the hum's RMS in dBFS.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from appliance.dsp.frames import HUM_WINDOW, FrameLayout
from appliance.dsp.levels import FLOOR_DBFS, power_to_db

MAINS_HZ = (50.0, 60.0)
HARMONICS = 5
LOBE_BINS = 2
FLOOR_NEAR_BINS, FLOOR_FAR_BINS = 5, 12
MIN_PAUSE_WINDOWS = 3
DETECT_DB = 6.0
"""A line counts as present when its lobe stands this far above the local noise in it."""
CUT_BINS = 4
"""Bins on each side of a mains line that hold its power (the Hann main lobe is two wide;
beyond four the leakage of even a line 60 dB above the noise is far below it)."""
MEDIAN_BINS = 25
"""Width of the running median that stands in for the noise under a line (wider than twice
a cut, so a line never sets it)."""


@dataclass(frozen=True)
class Hum:
    mains_hz: float
    level_dbfs: float
    """RMS of all detected harmonics together (FLOOR_DBFS when none)."""
    harmonics_dbfs: tuple[float, ...]
    """Per harmonic 1..5, FLOOR_DBFS where not detected."""
    from_pauses: bool

    @property
    def power(self) -> float:
        return 0.0 if self.level_dbfs <= FLOOR_DBFS else 10 ** (self.level_dbfs / 10)


def _boxcar_gain_power(freq_hz: float, layout: FrameLayout) -> float:
    """Power gain of the D-sample averaging used to decimate, at this frequency."""
    d = layout.decimation
    x = np.pi * freq_hz / layout.rate_hz
    return float((np.sin(d * x) / (d * np.sin(x))) ** 2) if d > 1 else 1.0


def _line_power(spectrum: np.ndarray, freq_hz: float, layout: FrameLayout) -> float:
    centre = int(round(freq_hz * HUM_WINDOW / layout.hum_rate_hz))
    if centre + FLOOR_FAR_BINS >= spectrum.size:
        return 0.0
    lobe = spectrum[centre - LOBE_BINS: centre + LOBE_BINS + 1]
    near = np.concatenate([spectrum[centre - FLOOR_FAR_BINS: centre - FLOOR_NEAR_BINS + 1],
                           spectrum[centre + FLOOR_NEAR_BINS: centre + FLOOR_FAR_BINS + 1]])
    noise = float(np.median(near)) * lobe.size
    line = float(lobe.sum())
    if line < noise * 10 ** (DETECT_DB / 10):
        return 0.0
    return (line - noise) / _boxcar_gain_power(freq_hz, layout)


def measure_hum(hum_power: np.ndarray, pause_windows: np.ndarray, layout: FrameLayout) -> Hum:
    """Hum from (windows, bins) spectra; `pause_windows` marks the windows without speech."""
    from_pauses = int(np.count_nonzero(pause_windows)) >= MIN_PAUSE_WINDOWS
    chosen = hum_power[pause_windows] if from_pauses else hum_power
    if chosen.shape[0] == 0:
        return Hum(MAINS_HZ[0], FLOOR_DBFS, (FLOOR_DBFS,) * HARMONICS, from_pauses)
    spectrum = chosen.mean(axis=0, dtype=np.float64)
    best = max(MAINS_HZ, key=lambda mains: sum(_lines(spectrum, mains, layout, from_pauses)))
    lines = _lines(spectrum, best, layout, from_pauses)
    total = sum(lines)
    return Hum(best, float(power_to_db(total)) if total > 0 else FLOOR_DBFS,
               tuple(float(power_to_db(p)) if p > 0 else FLOOR_DBFS for p in lines), from_pauses)


def _lines(spectrum: np.ndarray, mains_hz: float, layout: FrameLayout,
           from_pauses: bool) -> list[float]:
    """Line powers of harmonics 1..HARMONICS. Measured over speech (too few pauses), any
    harmonic from 100 Hz up may be a voice's; no voice reaches down to 50/60 Hz, so there only
    the fundamental counts (a hum made only of harmonics goes unmeasured then)."""
    if not from_pauses:
        return [_line_power(spectrum, mains_hz, layout)] + [0.0] * (HARMONICS - 1)
    return [_line_power(spectrum, k * mains_hz, layout) for k in range(1, HARMONICS + 1)]


def low_band_noise(spectrum: np.ndarray, hum: Hum, layout: FrameLayout) -> float:
    """Noise power from ~1.5 Hz up to `layout.upper_hz`, from a mean spectrum of the decimated
    signal's windows: every harmonic of the detected mains under that is cut out and the
    running median of the bins around it stands in for the noise beneath; the decimation's
    loss is undone bin by bin. Zero when the spectrum is empty."""
    bin_hz = layout.hum_rate_hz / HUM_WINDOW
    top = min(int(layout.upper_hz / bin_hz - 0.5), spectrum.size - 1)
    if top < 1:
        return 0.0
    noise = spectrum[: top + 1].astype(np.float64)
    if hum.power > 0:
        padded = np.pad(noise, MEDIAN_BINS // 2, mode="edge")
        median = np.median(np.lib.stride_tricks.sliding_window_view(padded, MEDIAN_BINS), axis=1)
        for k in range(1, int(top * bin_hz / hum.mains_hz) + 1):
            centre = int(round(k * hum.mains_hz / bin_hz))
            cut = slice(max(centre - CUT_BINS, 1), centre + CUT_BINS + 1)
            noise[cut] = median[cut]
    gain = np.array([_boxcar_gain_power(k * bin_hz, layout) for k in range(1, top + 1)])
    return float(np.sum(noise[1:] / gain))
