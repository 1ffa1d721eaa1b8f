"""Test audio with known truth: espeak-ng Russian speech and sox-made noise, hum and effects.

Components are generated as float (in int16 units) so each one's true level is known exactly;
`quantize` turns a mix into the int16 samples the appliance sees.
"""

from __future__ import annotations

import subprocess
import wave
from pathlib import Path

import numpy as np

RATE_HZ = 48000
PHRASES = ("Иванов Иван Иванович, вариант три.", "Раз, два, три, четыре, пять.",
           "Проверка записи в аудитории номер пять.", "Участник говорит громко и отчётливо.")
GAP_S = 1.0
PEAK_DBFS = -6.0
ROOM_NOISE_DBFS = -70.0
RAW_FLOAT = ["-t", "raw", "-e", "floating-point", "-b", "32", "-c", "1", "-r", str(RATE_HZ)]


def sox_float(inputs: list[str], effects: tuple[str, ...] = ()) -> np.ndarray:
    """Run sox to raw float at RATE_HZ mono; the samples in int16 units (float64)."""
    out = subprocess.run(["sox", *inputs, *RAW_FLOAT, "-", *effects], capture_output=True,
                         check=True).stdout
    return np.frombuffer(out, np.float32).astype(np.float64) * 32768


def espeak_speech(workdir: Path) -> np.ndarray:
    """The phrases spoken by espeak-ng (ru), each followed by a pause, peak at PEAK_DBFS."""
    pieces = [np.zeros(RATE_HZ // 2)]
    for i, phrase in enumerate(PHRASES):
        wav = workdir / f"phrase{i}.wav"
        subprocess.run(["espeak-ng", "-v", "ru", "-w", str(wav), phrase], check=True)
        pieces += [sox_float([str(wav)], ("rate", str(RATE_HZ))), np.zeros(int(GAP_S * RATE_HZ))]
    speech = np.concatenate(pieces)
    return speech * (32768 * 10 ** (PEAK_DBFS / 20) / np.abs(speech).max())


def synth(seconds_or_frames: int, *generator: str) -> np.ndarray:
    """sox `synth` output of exactly this many frames, e.g. synth(n, "sine", "50")."""
    frames = seconds_or_frames
    x = sox_float(["-n"], ("synth", f"{frames}s", *generator))
    assert x.size == frames
    return x


def with_level(x: np.ndarray, rms_dbfs: float) -> np.ndarray:
    """`x` scaled to this RMS (dBFS)."""
    return x * (32768 * 10 ** (rms_dbfs / 20) / np.sqrt(np.mean(x ** 2)))


def rms_dbfs(x: np.ndarray) -> float:
    return float(10 * np.log10(np.mean((np.asarray(x, np.float64) / 32768) ** 2)))


def quantize(x: np.ndarray) -> np.ndarray:
    return np.clip(np.round(x), -32768, 32767).astype(np.int16)


def write_wav(path: Path, samples: np.ndarray, rate_hz: int = RATE_HZ) -> Path:
    samples = samples.reshape(samples.shape[0], -1)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(samples.shape[1])
        w.setsampwidth(2)
        w.setframerate(rate_hz)
        w.writeframes(samples.astype("<i2").tobytes())
    return path


def sox_effect(source: Path, target: Path, *effects: str) -> Path:
    subprocess.run(["sox", str(source), str(target), *effects], check=True, capture_output=True)
    return target
