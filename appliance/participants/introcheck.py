"""The intro check: does a participant's segment start with speech, and is it plausible?

The participant must state full name and variant number right after the examiner's marker.
Fed block by block (live in the recorder's pipeline thread, or from a WAV file for a segment
whose marker was corrected afterwards), a `SegmentCheck` measures, in 20 ms frames of the
speech band (300-3400 Hz):
- `speech_onset_s`: the first frame clearly above the room's noise floor;
- `intro_end_s`: the start of the first pause of `INTRO_PAUSE_S` after the onset, when it
  begins within `INTRO_MAX_S` of it: the end of the participant's introduction (name and
  variant), which the regulation keeps out of the answer's time (task 1 starts with silent
  reading, so a pause follows the introduction);
- the longest run without speech;
- the segment's length.
The noise floor is the 10th percentile of frame levels seen so far (a `NoiseFloor` shared by
the day's segments, so a segment that starts in silence is still judged against the room's
quiet, not against itself). Same detector rule as `appliance.dsp.speech`: frames
`VAD_MARGIN_DB` above the floor are speech.

Flags (codes, with Russian/English text): `no_speech_at_start`, `too_short`, `too_long`,
`long_silence`. Thresholds: the `[participants]` settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from appliance import i18n
from appliance.dsp.levels import FLOOR_DBFS, power_to_db
from appliance.dsp.speech import FLOOR_PERCENTILE, FRAME_S, SPEECH_BAND_HZ, VAD_MARGIN_DB
from appliance.participants.flags import CheckLimits

BIN_DB = 0.5
BINS = int(-FLOOR_DBFS / BIN_DB) + 1
MIN_FLOOR_FRAMES = 50
"""Below one second of history the floor is not trusted and onset waits for more."""
INTRO_PAUSE_S = 1.5
"""A pause this long after the onset ends the introduction (gaps between words are shorter)."""
INTRO_MAX_S = 30.0
"""An introduction longer than this is not one: its end is then left unknown."""


class NoiseFloor:
    """A histogram of speech-band frame levels; its 10th percentile is the room's floor."""

    def __init__(self) -> None:
        self.histogram = np.zeros(BINS, np.int64)

    def add(self, level_db: np.ndarray) -> None:
        bins = np.clip(((level_db - FLOOR_DBFS) / BIN_DB).astype(int), 0, BINS - 1)
        self.histogram += np.bincount(bins, minlength=BINS)

    @property
    def frames(self) -> int:
        return int(self.histogram.sum())

    def floor_db(self) -> float:
        cumulative = np.cumsum(self.histogram)
        index = int(np.argmax(cumulative >= FLOOR_PERCENTILE / 100 * max(cumulative[-1], 1)))
        return FLOOR_DBFS + index * BIN_DB


class SpeechBandFrames:
    """Streaming 20 ms frame levels (dBFS) of the speech band of the channel mean.

    The band power of each frame is summed from its spectrum (numpy's FFT, Parseval), so the
    recorder process needs no filter library for a check it runs all day.
    """

    def __init__(self, rate_hz: int) -> None:
        self.frame = int(round(FRAME_S * rate_hz))
        bins_hz = np.fft.rfftfreq(self.frame, 1 / rate_hz)
        self.band = (bins_hz >= SPEECH_BAND_HZ[0]) & (bins_hz <= SPEECH_BAND_HZ[1])
        self.carry = np.zeros(0)

    def feed(self, block: np.ndarray) -> np.ndarray:
        """int16 (frames, channels) -> level in dBFS of each completed 20 ms frame."""
        mono = block.astype(np.float64).mean(axis=1) / 32768.0
        samples = np.concatenate([self.carry, mono])
        whole = samples.size // self.frame * self.frame
        self.carry = samples[whole:]
        spectrum = np.fft.rfft(samples[:whole].reshape(-1, self.frame), axis=1)
        power = 2 * (np.abs(spectrum[:, self.band]) ** 2).sum(axis=1) / self.frame ** 2
        return power_to_db(2 * power)  # a full-scale sine reads 0 dBFS, as in dsp.levels


@dataclass
class SegmentCheck:
    """One participant's segment, from its marker on. Not thread-safe."""

    limits: CheckLimits
    rate_hz: int
    floor: NoiseFloor = field(default_factory=NoiseFloor)
    frames: int = 0
    onset_s: float | None = None
    silence_run_s: float = 0.0
    silence_start_s: float = 0.0
    longest_silence_s: float = 0.0
    longest_silence_at_s: float = 0.0
    intro_end_s: float | None = None
    _pending: list[np.ndarray] = field(default_factory=list)
    _levels: SpeechBandFrames | None = None

    def __post_init__(self) -> None:
        self._levels = SpeechBandFrames(self.rate_hz)

    @property
    def elapsed_s(self) -> float:
        return self.frames / self.rate_hz

    def feed(self, block: np.ndarray) -> None:
        """One int16 block (frames, channels) of the segment's audio."""
        self.frames += block.shape[0]
        level_db = self._levels.feed(block)
        self.floor.add(level_db)
        self._pending.append(level_db)
        if self.floor.frames < MIN_FLOOR_FRAMES:
            return
        levels = np.concatenate(self._pending)
        self._pending.clear()
        self._judge(levels)

    def _judge(self, level_db: np.ndarray) -> None:
        """Onset and silence runs of contiguous frames; runs before the onset don't count
        (that is the intro check's business)."""
        frame_s = FRAME_S
        start_s = self.elapsed_s - self._levels.carry.size / self.rate_hz - level_db.size * frame_s
        speech = np.flatnonzero(level_db > self.floor.floor_db() + VAD_MARGIN_DB)
        if speech.size == 0:
            if self.onset_s is not None:
                self._silence(start_s, level_db.size * frame_s)
            return
        if self.onset_s is None:
            self.onset_s = round(max(start_s, 0.0) + int(speech[0]) * frame_s, 3)
        elif speech[0] > 0:
            self._silence(start_s, int(speech[0]) * frame_s)
        self.silence_run_s = 0.0
        gaps = np.diff(speech) - 1
        self._intro_gap(start_s, speech, gaps)
        if gaps.size and gaps.max() > 0:
            widest = int(np.argmax(gaps))
            self._silence(start_s + (int(speech[widest]) + 1) * frame_s, gaps[widest] * frame_s)
            self.silence_run_s = 0.0
        tail = level_db.size - 1 - int(speech[-1])
        if tail:
            self._silence(start_s + (int(speech[-1]) + 1) * frame_s, tail * frame_s)

    def _intro_gap(self, start_s: float, speech: np.ndarray, gaps: np.ndarray) -> None:
        """The first long enough gap between speech frames of a block may end the intro (the
        silence runs keep only a block's widest gap, which may come later)."""
        if self.intro_end_s is not None:
            return
        long_enough = np.flatnonzero(gaps * FRAME_S >= INTRO_PAUSE_S)
        if long_enough.size:
            self._intro_pause(start_s + (int(speech[long_enough[0]]) + 1) * FRAME_S,
                              INTRO_PAUSE_S)

    def _intro_pause(self, start_s: float, length_s: float) -> None:
        if (self.intro_end_s is None and self.onset_s is not None
                and length_s >= INTRO_PAUSE_S and start_s - self.onset_s <= INTRO_MAX_S):
            self.intro_end_s = round(start_s, 3)

    def _silence(self, start_s: float, length_s: float) -> None:
        """A stretch without speech, continuing the current run when there is one."""
        if self.silence_run_s == 0.0:
            self.silence_start_s = start_s
        self.silence_run_s += float(length_s)
        self._intro_pause(self.silence_start_s, self.silence_run_s)
        if self.silence_run_s > self.longest_silence_s:
            self.longest_silence_s = self.silence_run_s
            self.longest_silence_at_s = self.silence_start_s

    def flags(self, final: bool) -> list[dict]:
        """Flags known now; `final` when the segment has ended (its length is then known)."""
        limits, out = self.limits, []
        elapsed = self.elapsed_s
        intro_over = elapsed >= limits.intro_speech_s or final
        no_onset = self.onset_s is None or self.onset_s > limits.intro_speech_s
        if intro_over and no_onset:
            out.append(_flag("no_speech_at_start", limit_s=limits.intro_speech_s))
        if final and elapsed < limits.short_s:
            out.append(_flag("too_short", duration_min=elapsed / 60))
        if elapsed > limits.long_s:
            out.append(_flag("too_long", duration_min=elapsed / 60))
        if self.longest_silence_s >= limits.long_silence_s:
            out.append(_flag("long_silence", silence_s=self.longest_silence_s,
                             at=_mmss(self.longest_silence_at_s)))
        return out

    def to_dict(self, final: bool) -> dict:
        return {"duration_s": round(self.elapsed_s, 3), "speech_onset_s": self.onset_s,
                "intro_end_s": self.intro_end_s,
                "longest_silence_s": round(self.longest_silence_s, 2),
                "flags": self.flags(final)}


def _flag(code: str, **params: object) -> dict:
    return {"code": code, "params": params, "message": i18n.text(f"flag.{code}", **params)}


def _mmss(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 60:02d}:{whole % 60:02d}"
