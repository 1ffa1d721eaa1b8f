"""A simulated microphone for `--simulate` and exact tests: speech-like sound, no hardware.

The signal is a voiced "syllable" train: harmonics of a wandering pitch under a 4 Hz syllable
envelope, phrases separated by pauses, over a quiet noise floor. It is deterministic (seeded),
so a test can regenerate exactly what was "captured". `realtime=True` paces blocks by the
clock like a real device; `realtime=False` delivers as fast as the consumer takes them (like
the fast ALSA file feed). `unplug()` / `plug()` imitate a USB microphone coming and going.
"""

from __future__ import annotations

import queue
import threading
import time

import numpy as np

from appliance.capture.source import CaptureItem, ItemKind, put_until_stopped
from appliance.capture.wavfile import WavFormat

VOICE_HARMONICS = 24
"""Harmonics 1..24 of a 120-180 Hz pitch reach about 4 kHz, like a voice heard through a good
microphone (7 harmonics stopped at 1.3 kHz and the test recording judged the demo «глухой»)."""


def _harmonics(phase: np.ndarray, count: int) -> np.ndarray:
    """sum(sin(k*phase)/k for k in 1..count) by the Chebyshev recurrence: one sin, one cos."""
    two_cos, previous, current = 2 * np.cos(phase), np.zeros_like(phase), np.sin(phase)
    total = current.copy()
    for k in range(2, count + 1):
        previous, current = current, two_cos * current - previous
        total += current / k
    return total


def speech_like(rate_hz: int, start_frame: int, frames: int, channels: int = 1,
                seed: int = 7) -> np.ndarray:
    """int16 array (frames, channels) of the simulated voice from `start_frame` on.

    Every sample is a function of its frame index alone, so any split into blocks gives the
    same stream and a test can regenerate any stretch of it.
    """
    index = start_frame + np.arange(frames, dtype=np.int64)
    t = index / rate_hz
    phrase = (t % 6.0) < 4.5  # 4.5 s of speech, 1.5 s pause
    envelope = np.clip(np.sin(2 * np.pi * 4.0 * t), 0, None) ** 2 * phrase
    # pitch 150 Hz ± 30 Hz at 0.3 Hz, integrated in closed form
    phase = 2 * np.pi * (150 * t - 30 / (2 * np.pi * 0.3) * np.cos(2 * np.pi * 0.3 * t))
    voice = _harmonics(phase, VOICE_HARMONICS)
    hashed = (index * 2654435761 + seed * 40503) % 4294967296
    noise = (hashed / 4294967296.0 - 0.5) * 0.004
    mono = 0.25 * envelope * voice + noise
    samples = np.clip(mono * 32767, -32768, 32767).astype(np.int16)
    return np.repeat(samples[:, None], channels, axis=1)


class SimulatedSource:
    """A microphone that needs no hardware; see the module docstring."""

    def __init__(self, rate_hz: int = 48000, channels: int = 1, block_frames: int = 4800,
                 realtime: bool = True, seed: int = 7) -> None:
        self.name = "simulated"
        self.format = WavFormat(rate_hz, channels)
        self.block_frames = block_frames
        self.frames_captured = 0
        self.overflows = 0
        self.realtime = realtime
        self.seed = seed
        self._plugged = threading.Event()
        self._plugged.set()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, out: queue.Queue[CaptureItem]) -> None:
        self._thread = threading.Thread(target=self._run, args=(out,), name="capture-simulated",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._plugged.set()
        if self._thread:
            self._thread.join(timeout=10)

    def unplug(self) -> None:
        self._plugged.clear()

    def plug(self) -> None:
        self._plugged.set()

    def _run(self, out: queue.Queue[CaptureItem]) -> None:
        put_until_stopped(out, CaptureItem(ItemKind.DEVICE_PRESENT, detail=self.name),
                          self._stopping)
        block_s = self.block_frames / self.format.rate_hz
        next_due = time.monotonic()
        while not self._stopping.is_set():
            if not self._plugged.is_set():
                put_until_stopped(out, CaptureItem(ItemKind.DEVICE_LOST, detail="unplugged",
                                                   start_frame=self.frames_captured),
                                  self._stopping)
                self._plugged.wait()
                put_until_stopped(out, CaptureItem(ItemKind.DEVICE_PRESENT, detail=self.name,
                                                   start_frame=self.frames_captured),
                                  self._stopping)
                next_due = time.monotonic()
            if self.realtime:
                next_due += block_s
                if self._stopping.wait(max(0.0, next_due - time.monotonic())):
                    break
            block = speech_like(self.format.rate_hz, self.frames_captured, self.block_frames,
                                self.format.channels, self.seed)
            item = CaptureItem(ItemKind.BLOCK, block.tobytes(), self.frames_captured)
            self.frames_captured += self.block_frames
            put_until_stopped(out, item, self._stopping)
