"""Speech activity, noise floor and active speech level from per-frame band powers.

The voice activity detector is energy based, in the speech band (300-3400 Hz) and in the
half-octave bands of the formants, relative to the recording's own noise floor in each.
Why not webrtcvad: the question asked of it here is "which frames
stand clearly above the room's steady noise", which is exactly what an energy detector answers,
with thresholds we can state, test and document; it runs vectorised over a whole file inside the
same FFT pass (webrtcvad needs a Python call per 10-30 ms frame and only 8/16/32/48 kHz), and it
adds no native dependency to the Pi image. Its weak spot, speech drowned in non-stationary noise,
is also where the verdict must fail anyway.

The active speech level follows ITU-T P.56 method B on 20 ms frames: the level of the frames
within 15.9 dB of the resulting active level, after the noise floor's power is subtracted from
each frame, so it measures the voice and not voice + noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from appliance.dsp.levels import FLOOR_DBFS, power_to_db

FRAME_S = 0.02
SPEECH_BAND_HZ = (300.0, 3400.0)

VAD_MARGIN_DB = 8.0
"""Speech-band power this far above the speech-band noise floor counts as speech."""
BAND_MARGIN_DB, VOICE_BANDS_NEEDED = 9.5, 2
"""Two narrow voice bands this far above their own noise floors, in two frames running,
count as speech too: in noise as loud as the voice a formant still stands out of its band.
(A voice has several formants and holds them; a band of a few bins jumps that far by chance
now and then, two at once in two frames running seldom: steady white, pink and brown noise
give none, a wobbling fan 0.35 s in 30 s, far below `min_speech_s`.)"""
FLOOR_PERCENTILE = 10
"""The speech-band noise floor: this percentile of frame powers (recordings have pauses)."""
MIN_FLOOR_DBFS = -100.0
HANGOVER_S = 0.15
"""Speech frames are widened by this on each side: word edges are neither noise nor silence."""
P56_MARGIN_DB = 15.9
MIN_NOISE_S = 0.5


@dataclass(frozen=True)
class SpeechActivity:
    mask: np.ndarray
    """bool per frame: speech (widened by the hangover)."""
    noise_mask: np.ndarray
    """bool per frame: usable for the noise floor (far enough from speech)."""
    noise_power: float
    """Mean full-band power of the floor frames."""
    noise_from_pauses: bool
    """False when there were too few pauses and the quietest frames stood in for them."""
    floor_mask: np.ndarray
    """bool per frame: the frames the noise is measured on (noise frames, or the quietest)."""


def _widen(mask: np.ndarray, frames: int) -> np.ndarray:
    if frames <= 0 or not mask.any():
        return mask
    kernel = np.ones(2 * frames + 1, dtype=np.int32)
    return np.convolve(mask.astype(np.int32), kernel, mode="same") > 0


def _above_floor(power: np.ndarray, margin_db: float, bands: int = 1) -> np.ndarray:
    """Frames whose power (frames, bands) stands `margin_db` above its band's floor in at
    least `bands` bands."""
    band_db = power_to_db(power)
    floor_db = np.maximum(np.percentile(band_db, FLOOR_PERCENTILE, axis=0), MIN_FLOOR_DBFS)
    return np.count_nonzero(band_db > floor_db + margin_db, axis=1) >= bands


def detect_speech(speech_band: np.ndarray, full_band: np.ndarray, frame_s: float,
                  voice_bands: np.ndarray | None = None) -> SpeechActivity:
    """Classify frames from their speech-band and full-band powers (1-D float arrays), and
    the powers of narrower bands of the voice (frames, bands) when given."""
    if speech_band.size == 0:
        empty = np.zeros(0, bool)
        return SpeechActivity(empty, empty, 0.0, False, empty)
    raw = _above_floor(speech_band[:, None], VAD_MARGIN_DB)
    if voice_bands is not None:
        formants = _above_floor(voice_bands, BAND_MARGIN_DB, VOICE_BANDS_NEEDED)
        lasting = formants[1:] & formants[:-1]
        raw[1:] |= lasting
        raw[:-1] |= lasting
    mask = _widen(raw, int(round(HANGOVER_S / frame_s)))
    noise_mask = ~_widen(raw, int(round(2 * HANGOVER_S / frame_s)))
    from_pauses = np.count_nonzero(noise_mask) * frame_s >= MIN_NOISE_S
    floor = noise_mask if from_pauses else full_band <= np.percentile(full_band, 5)
    return SpeechActivity(mask, noise_mask, float(full_band[floor].mean()), bool(from_pauses),
                          floor)


def active_level(power: np.ndarray) -> tuple[float, float]:
    """(active level in dBFS, activity 0..1) of per-frame speech powers, P.56 method B."""
    total = float(power.sum())
    if power.size == 0 or total <= 0:
        return FLOOR_DBFS, 0.0
    ordered = np.sort(power)[::-1]
    ordered_db = power_to_db(ordered)
    active = np.arange(1, ordered.size + 1)
    level_db = 10 * np.log10(total / active)
    # Scanning thresholds upwards (from the quietest frame), the first one whose resulting
    # active level is no more than the margin above it (sv56's search order).
    settled = np.flatnonzero(level_db - ordered_db <= P56_MARGIN_DB)
    count = int(settled[-1]) + 1 if settled.size else ordered.size
    return float(10 * np.log10(total / count)), count / power.size


def segments(mask: np.ndarray, frame_s: float) -> list[tuple[float, float]]:
    """(start_s, end_s) of each run of True in a per-frame mask."""
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return [(round(s * frame_s, 3), round(e * frame_s, 3)) for s, e in zip(starts, ends,
                                                                            strict=True)]
