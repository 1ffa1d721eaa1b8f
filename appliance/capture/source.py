"""What every audio source delivers to the recorder: blocks and device events, in order.

A source pushes `CaptureItem`s into a bounded queue with a blocking put. The blocking is the
point: when the consumer is slower than the device (the fast ALSA file feed in tests), capture
waits instead of dropping audio; on real hardware a stalled consumer shows up as PortAudio's own
input-overflow flag, which is counted, never hidden.
"""

from __future__ import annotations

import enum
import queue
import threading
from dataclasses import dataclass
from typing import Protocol

from appliance.capture.wavfile import WavFormat

PUT_POLL_S = 0.1


class ItemKind(enum.Enum):
    BLOCK = "block"
    DEVICE_LOST = "device_lost"
    DEVICE_PRESENT = "device_present"


@dataclass(frozen=True)
class CaptureItem:
    kind: ItemKind
    pcm: bytes = b""
    start_frame: int = 0
    """Frames captured before this block since the source started (monotonic across reopens)."""
    overflowed: bool = False
    detail: str = ""


class AudioSource(Protocol):
    """A microphone: `start(out)` begins delivering items into `out`; `stop()` ends it."""

    name: str
    format: WavFormat
    frames_captured: int

    def start(self, out: queue.Queue[CaptureItem]) -> None: ...

    def stop(self) -> None: ...


def put_until_stopped(out: queue.Queue, item: CaptureItem, stopping: threading.Event) -> bool:
    """Blocking put that still notices a stop request; False when stopped before it fit."""
    while not stopping.is_set():
        try:
            out.put(item, timeout=PUT_POLL_S)
            return True
        except queue.Full:
            continue
    return False
