"""Noise and quality analysis of a recording (a file or a live window), per channel.

`analyze(samples, rate_hz)` makes one streaming pass per channel (frames.py) and turns the
per-frame figures into the measurements the verdict judges: levels, clipping, dropouts, DC,
noise floor (mains hum taken out), active speech level and SNR, mains hum, speech bandwidth, speech
activity and EBU R128 loudness. Pure numpy; works on memory maps.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from appliance.dsp.frames import (
    COL_BANDS,
    COL_DC,
    COL_FULL,
    COL_K,
    COL_SPEECH,
    COL_UPPER,
    HUM_WINDOW,
    ChannelFrames,
    scan_channel,
)
from appliance.dsp.hum import MIN_PAUSE_WINDOWS, Hum, low_band_noise, measure_hum
from appliance.dsp.levels import FULL_SCALE, power_to_db, to_dbfs
from appliance.dsp.loudness import integrated_loudness
from appliance.dsp.speech import SpeechActivity, active_level, detect_speech, segments

BANDWIDTH_DROP_DB = 20.0
"""Speech bandwidth: the top of the highest half-octave band within this of the strongest."""
VOICE_BANDS_HZ = (350.0, 4000.0)
"""The half-octave bands inside this span (the formants') also tell speech from noise."""
K_SHARE_S = 2.0
"""In a long recording, frames not transformed take the K-weighted share of the power of the
transformed ones over this long around them (over one frame, vowels' and fricatives' shares
would pair with the wrong levels: +0.5 LU)."""


@dataclass(frozen=True)
class ChannelAnalysis:
    duration_s: float
    peak_dbfs: float
    rms_dbfs: float
    dc_offset: float
    """Mean as a fraction of full scale."""
    floor_dc_offset: float
    """Mean of the noise frames (the pauses): a converter's offset is there too, the offset
    that clipped peaks of an asymmetric voice make is not."""
    clipped_samples: int
    clip_ratio: float
    dropouts: list[tuple[float, float]]
    """(start_s, duration_s) of each run of digital zeros of 5 ms or more."""
    noise_floor_dbfs: float
    """Broadband noise: the power of the pauses with the mains hum's lines taken out."""
    noise_from_pauses: bool
    speech_level_dbfs: float
    """Active speech level (P.56 style), noise power removed."""
    snr_db: float
    speech_s: float
    speech_share: float
    speech_segments: list[tuple[float, float]]
    mains_hz: float
    hum_dbfs: float
    hum_harmonics_dbfs: tuple[float, ...]
    bandwidth_hz: float
    loudness_lufs: float

    @property
    def hum_below_speech_db(self) -> float:
        return self.speech_level_dbfs - self.hum_dbfs

    def dropout_s(self, min_s: float = 0.0) -> float:
        return sum(d for _, d in self.dropouts if d >= min_s)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["hum_below_speech_db"] = self.hum_below_speech_db
        return _rounded(data)


@dataclass(frozen=True)
class Analysis:
    rate_hz: int
    channels: list[ChannelAnalysis]

    @property
    def duration_s(self) -> float:
        return self.channels[0].duration_s if self.channels else 0.0

    def to_dict(self) -> dict:
        return {"rate_hz": self.rate_hz, "duration_s": round(self.duration_s, 3),
                "channels": [c.to_dict() for c in self.channels]}


def _rounded(value):
    if isinstance(value, float):
        return round(value, 6 if abs(value) < 0.01 else 2)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_rounded(v) for v in value]
    return value


def analyze(samples: np.ndarray, rate_hz: int) -> Analysis:
    """Analyse int16 samples of shape (frames, channels) or (frames,)."""
    if samples.ndim == 1:
        samples = samples[:, None]
    return Analysis(rate_hz, [analyze_channel(scan_channel(samples[:, c], rate_hz))
                              for c in range(samples.shape[1])])


def analyze_channel(scan: ChannelFrames) -> ChannelAnalysis:
    layout, bands = scan.layout, scan.band_power
    frame_s, n = layout.hop_s, max(scan.samples, 1)
    voice = [COL_BANDS + i for i, (low, high) in enumerate(layout.band_edges_hz())
             if low >= VOICE_BANDS_HZ[0] and high <= VOICE_BANDS_HZ[1]]
    activity = detect_speech(bands[:, COL_SPEECH], bands[:, COL_FULL], frame_s,
                             bands[:, voice] if voice else None)
    speech_power = np.where(activity.mask, np.maximum(bands[:, COL_FULL] - activity.noise_power,
                                                      0.0), 0.0)
    speech_db, _ = active_level(speech_power)
    pauses = _pause_windows(activity, scan)
    hum = measure_hum(scan.hum_power, pauses, layout)
    noise_db = float(power_to_db(_broadband_noise(scan, activity, pauses, hum)))
    floor = activity.floor_mask
    speech_frames = int(np.count_nonzero(activity.mask))
    return ChannelAnalysis(
        duration_s=scan.samples / layout.rate_hz,
        peak_dbfs=float(to_dbfs(scan.peak / FULL_SCALE)),
        rms_dbfs=float(power_to_db(scan.sum_squares / n / FULL_SCALE ** 2)),
        dc_offset=scan.sum / n / FULL_SCALE,
        floor_dc_offset=float(bands[floor, COL_DC].mean(dtype=np.float64)) if floor.any()
        else scan.sum / n / FULL_SCALE,
        clipped_samples=scan.clipped, clip_ratio=scan.clipped / n,
        dropouts=[(r.start / layout.rate_hz, r.length / layout.rate_hz) for r in scan.zero_runs],
        noise_floor_dbfs=noise_db, noise_from_pauses=activity.noise_from_pauses,
        speech_level_dbfs=speech_db,
        snr_db=speech_db - noise_db if speech_frames else 0.0,
        speech_s=speech_frames * frame_s,
        speech_share=speech_frames / max(activity.mask.size, 1),
        speech_segments=segments(activity.mask, frame_s),
        mains_hz=hum.mains_hz, hum_dbfs=hum.level_dbfs, hum_harmonics_dbfs=hum.harmonics_dbfs,
        bandwidth_hz=_bandwidth_hz(bands, activity, layout.band_edges_hz()),
        loudness_lufs=integrated_loudness(_k_power_every_frame(scan),
                                          layout.frame / layout.rate_hz),
    )


def _k_power_every_frame(scan: ChannelFrames) -> np.ndarray:
    """The K-weighted power of every frame. Where only one frame in `stride` is transformed,
    each frame's is its own mean square (its hop's mean taken out) times the K-weighted share
    of the power of the transformed frames around it: the loudness' 400 ms gating blocks then
    see every frame's level (from the two or three transformed frames in a block alone, its
    reading is so rough that the gates keep the loud errors and drop the quiet ones:
    +0.6 LU)."""
    layout, bands = scan.layout, scan.band_power
    if layout.stride == 1:
        return bands[:, COL_K]
    power = scan.frame_power[: bands.shape[0] * layout.stride]
    hop = np.repeat(np.arange(bands.shape[0]), layout.stride)[: power.size]
    width = 2 * int(K_SHARE_S / layout.hop_s / 2) + 1
    k, full = (np.convolve(bands[:, c].astype(np.float64), np.ones(width), "same")
               for c in (COL_K, COL_FULL))
    share = np.divide(k, full, out=np.zeros(bands.shape[0]), where=full > 0)
    own = np.maximum(power - np.square(bands[hop, COL_DC], dtype=np.float64), 0.0)
    return own * share[hop]


def _broadband_noise(scan: ChannelFrames, activity: SpeechActivity, pauses: np.ndarray,
                     hum: Hum) -> float:
    """The noise power without the hum: the floor frames' upper band (above the hum's bins)
    plus the low band of the pauses' fine spectrum with the mains lines cut out (with too few
    pauses for that, the frames' low band less the hum's measured power)."""
    floor = activity.floor_mask
    if not floor.any():
        return 0.0
    bands = scan.band_power[floor]
    upper = float(bands[:, COL_UPPER].mean(dtype=np.float64))
    if np.count_nonzero(pauses) >= MIN_PAUSE_WINDOWS:
        spectrum = scan.hum_power[pauses].mean(axis=0, dtype=np.float64)
        return upper + low_band_noise(spectrum, hum, scan.layout)
    low = float(bands[:, COL_FULL].mean(dtype=np.float64)) - upper
    return upper + max(low - hum.power, 0.0)


def _pause_windows(activity: SpeechActivity, scan: ChannelFrames) -> np.ndarray:
    """Hum windows within the analysed time that nothing outside the noise may overlap: in a
    long recording, where frames are analysed sparsely, the samples between a frame outside
    the noise and its analysed neighbours are taken as busy too."""
    layout, count = scan.layout, scan.hum_power.shape[0]
    span = layout.decimation * HUM_WINDOW
    covered = min(count, activity.noise_mask.size * layout.hop // span)
    pause = np.zeros(count, bool)
    pause[:covered] = True
    busy = np.flatnonzero(~activity.noise_mask) * layout.hop
    first = np.maximum(busy - (layout.hop - layout.frame), 0) // span
    last = (busy + layout.hop - 1) // span
    for offset in range(int((last - first).max(initial=0)) + 1):
        window = np.minimum(first + offset, last)
        pause[window[window < count]] = False
    return pause


def _bandwidth_hz(bands: np.ndarray, activity: SpeechActivity,
                  edges: list[tuple[float, float]]) -> float:
    """Top of the speech spectrum: voice minus noise, per half-octave band."""
    if not activity.mask.any():
        return 0.0
    speech = bands[activity.mask, COL_BANDS:].mean(axis=0, dtype=np.float64)
    noise = (bands[activity.noise_mask, COL_BANDS:].mean(axis=0, dtype=np.float64)
             if activity.noise_mask.any() else np.zeros_like(speech))
    voice = np.maximum(speech - noise, 0.0)
    if voice.max() <= 0:
        return 0.0
    within = np.flatnonzero(power_to_db(voice) >= power_to_db(voice.max()) - BANDWIDTH_DROP_DB)
    return float(edges[int(within[-1])][1])


