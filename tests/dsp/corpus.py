"""A real-speech test corpus: two real recorded voices taking turns, with faults mixed in at
known levels.

Sources (Debian packages, installed by scripts/install-deps.sh; see tests/dsp/data/README.md):
- a Russian woman's voice, `asterisk-core-sounds-ru-g722` (IvrvoiceRU, CC-BY-3.0): the
  participant;
- the voice of `alsa-utils`' channel-test words (/usr/share/sounds/alsa, GPL-2): the examiner.
Each recording is cut into its voiced stretches (its own pauses and noise left out), so every
pause of the dialogue holds only the noise a case mixes in, and each component's true level
is known exactly. Components are float64 in int16 units, like tests/dsp/audio.py; noises are
made with numpy from a fixed seed, so a case is the same on every run.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from tests.dsp.audio import RATE_HZ, quantize, rms_dbfs, with_level

RU_VOICE_DIR = Path("/usr/share/asterisk/sounds/ru_RU_f_IvrvoiceRU")
RU_PROMPTS = ("demo-congrats", "vm-options", "demo-abouttotry", "dir-intro", "vm-msginstruct")
ALSA_VOICE_DIR = Path("/usr/share/sounds/alsa")
ALSA_WORDS = ("Front_Left", "Front_Right", "Front_Center", "Rear_Left", "Rear_Right",
              "Rear_Center", "Side_Left", "Side_Right")
FRAME = RATE_HZ // 50
VOICED_DB = 35.0
"""A 20 ms frame within this of the recording's loudest frame is voiced."""
WORD_GAP_S, TURN_GAP_S = 0.35, 1.2
TURN_S = 6.0
ROOM_DBFS = -62.0
"""Room tone under every case (pink noise): a quiet classroom at the recommended gain."""
PARTICIPANT_PEAK_DBFS, EXAMINER_PEAK_DBFS = -4.0, -6.0


def decode(path: Path, *input_format: str) -> np.ndarray:
    """Any file ffmpeg reads -> mono float64 at RATE_HZ in int16 units."""
    raw = subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", *input_format, "-i",
                          str(path), "-f", "f32le", "-ac", "1", "-ar", str(RATE_HZ), "-"],
                         capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.float32).astype(np.float64) * 32768


def voiced_stretches(x: np.ndarray, merge_s: float = 0.25) -> list[np.ndarray]:
    """The voiced parts of a recording (pauses shorter than `merge_s` kept inside)."""
    frames = x[: x.size // FRAME * FRAME].reshape(-1, FRAME)
    power_db = 10 * np.log10(np.mean(frames ** 2, axis=1) + 1e-9)
    voiced = np.flatnonzero(power_db > power_db.max() - VOICED_DB)
    if voiced.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(voiced) * FRAME / RATE_HZ > merge_s)
    firsts = np.concatenate([[voiced[0]], voiced[breaks + 1]])
    lasts = np.concatenate([voiced[breaks], [voiced[-1]]])
    return [_faded(x[a * FRAME:(b + 1) * FRAME]) for a, b in zip(firsts, lasts, strict=True)]


def _faded(x: np.ndarray, fade: int = RATE_HZ // 200) -> np.ndarray:
    """5 ms fades at both ends: a cut makes no click."""
    ramp = np.linspace(0.0, 1.0, fade)
    out = x.copy()
    out[:fade] *= ramp
    out[-fade:] *= ramp[::-1]
    return out


def _peak_to(pieces: list[np.ndarray], peak_dbfs: float) -> list[np.ndarray]:
    peak = max(np.abs(p).max() for p in pieces)
    return [p * (32768 * 10 ** (peak_dbfs / 20) / peak) for p in pieces]


@cache
def participant_voice() -> tuple[np.ndarray, ...]:
    pieces = [s for name in RU_PROMPTS
              for s in voiced_stretches(decode(RU_VOICE_DIR / f"{name}.g722", "-f", "g722"))]
    return tuple(_peak_to(pieces, PARTICIPANT_PEAK_DBFS))


@cache
def examiner_voice() -> tuple[np.ndarray, ...]:
    pieces = [s for name in ALSA_WORDS
              for s in voiced_stretches(decode(ALSA_VOICE_DIR / f"{name}.wav"))]
    return tuple(_peak_to(pieces, EXAMINER_PEAK_DBFS))


@dataclass(frozen=True)
class Dialogue:
    """The two voices taking turns, each on its own track (float, int16 units)."""

    participant: np.ndarray
    examiner: np.ndarray

    @property
    def speech(self) -> np.ndarray:
        return self.participant + self.examiner


@cache
def dialogue(seconds: float = 60.0) -> Dialogue:
    """Turns of about TURN_S of the participant, then three words of the examiner, until
    `seconds` are filled (the last turn cut at the end)."""
    total = int(seconds * RATE_HZ)
    tracks = np.zeros((2, total))
    sources = (participant_voice(), examiner_voice())
    taken = [0, 0]
    at, speaker = int(0.5 * RATE_HZ), 0
    while at < total:
        turn_end = at + int((TURN_S if speaker == 0 else 0) * RATE_HZ)
        words = 0
        while at < total and (at < turn_end or (speaker == 1 and words < 3)):
            piece = sources[speaker][taken[speaker] % len(sources[speaker])]
            taken[speaker] += 1
            n = min(piece.size, total - at)
            tracks[speaker, at:at + n] = piece[:n]
            at += n + int(WORD_GAP_S * RATE_HZ)
            words += 1
        at += int(TURN_GAP_S * RATE_HZ)
        speaker = 1 - speaker
    return Dialogue(*tracks)


def shaped_noise(frames: int, colour: str, seed: int) -> np.ndarray:
    """Gaussian noise of unit RMS: white, pink (1/f) or brown (1/f^2) power, flat below
    20 Hz (as behind any microphone's high-pass), or fan-like: a brown rumble and a pink hiss
    with the blades' tone (83 Hz and its octave) and a slow wobble of the air flow."""
    rng = np.random.default_rng(seed)
    if colour == "fan":
        rumble, hiss = shaped_noise(frames, "brown", seed + 1), shaped_noise(frames, "pink",
                                                                            seed + 2)
        t = np.arange(frames) / RATE_HZ
        blades = np.sin(2 * np.pi * 83 * t) + 0.5 * np.sin(2 * np.pi * 166 * t + 1.0)
        wobble = 1 + 0.2 * np.sin(2 * np.pi * 2.7 * t)
        x = (rumble + 0.7 * hiss + 0.25 * blades) * wobble
        return x / np.sqrt(np.mean(x ** 2))
    slope = {"white": 0.0, "pink": 1.0, "brown": 2.0}[colour]
    spectrum = np.fft.rfft(rng.standard_normal(frames))
    freq = np.maximum(np.fft.rfftfreq(frames, 1 / RATE_HZ), 20.0)
    spectrum *= freq ** (-slope / 2)
    spectrum[0] = 0
    x = np.fft.irfft(spectrum, frames)
    return x / np.sqrt(np.mean(x ** 2))


def mains_hum(frames: int, mains_hz: float, rms: float) -> np.ndarray:
    """The mains line with its 3rd and 5th harmonics (-6 and -12 dB), RMS `rms` dBFS."""
    t = np.arange(frames) / RATE_HZ
    x = (np.sin(2 * np.pi * mains_hz * t) + 10 ** (-6 / 20) * np.sin(2 * np.pi * 3 * mains_hz * t)
         + 10 ** (-12 / 20) * np.sin(2 * np.pi * 5 * mains_hz * t + 0.5))
    return with_level(x, rms)


def asymmetric(x: np.ndarray, amount: float = 0.5) -> np.ndarray:
    """A voice whose waveform swings further one way than the other (as many voices do), with
    no offset of its own: a square term, then everything under 20 Hz taken out."""
    y = x + amount * x ** 2 / np.abs(x).max()
    spectrum = np.fft.rfft(y)
    spectrum[np.fft.rfftfreq(y.size, 1 / RATE_HZ) < 20] = 0
    return np.fft.irfft(spectrum, y.size)


@dataclass(frozen=True)
class Mix:
    """One channel of a case: the speech and every noise component, apart."""

    speech: np.ndarray
    noise: np.ndarray
    """Everything but the speech: room tone, added noise, hum."""
    hum: np.ndarray | None = None

    @property
    def samples(self) -> np.ndarray:
        return quantize(self.speech + self.noise)

    @property
    def noise_dbfs(self) -> float:
        """The true broadband noise level: the noise without the hum."""
        hum = self.hum if self.hum is not None else 0.0
        return rms_dbfs(self.noise - hum)


def room_tone(frames: int, seed: int = 11) -> np.ndarray:
    """Pink noise at ROOM_DBFS."""
    return with_level(shaped_noise(frames, "pink", seed), ROOM_DBFS)


def with_noise(speech: np.ndarray, colour: str, noise_dbfs: float, seed: int = 5) -> Mix:
    """The speech over room tone plus `colour` noise of RMS `noise_dbfs`."""
    noise = room_tone(speech.size) + with_level(shaped_noise(speech.size, colour, seed),
                                                noise_dbfs)
    return Mix(speech, noise)


def with_hum(speech: np.ndarray, mains_hz: float, hum_dbfs: float) -> Mix:
    hum = mains_hum(speech.size, mains_hz, hum_dbfs)
    return Mix(speech, room_tone(speech.size) + hum, hum)
