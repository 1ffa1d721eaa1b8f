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


def speech_like(rate_hz: int, start_frame: int, frames: int, channels: int = 1,
                seed: int = 7) -> np.ndarray:
    """int16 array (frames, channels) of the simulated voice from `start_frame` on."""
    t = (start_frame + np.arange(frames, dtype=np.float64)) / rate_hz
    phrase = (t % 6.0) < 4.5  # 4.5 s of speech, 1.5 s pause
    envelope = np.clip(np.sin(2 * np.pi * 4.0 * t), 0, None) ** 2 * phrase
    pitch_hz = 150 + 30 * np.sin(2 * np.pi * 0.3 * t)
    phase = 2 * np.pi * np.cumsum(pitch_hz) / rate_hz + 2 * np.pi * 150 * start_frame / rate_hz
    voice = sum(np.sin(k * phase) / k for k in range(1, 8))
    rng = np.random.default_rng(seed + start_frame)
    noise = rng.normal(0, 0.001, frames)
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
