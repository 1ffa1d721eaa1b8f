"""Sink: the sound test's captures, filled from the live stream in any session state."""

from __future__ import annotations

import collections

from appliance.recorder.sinks import Block
from appliance.recorder.soundtest import SoundTestCapture


class SoundTestTap:
    """Captures waiting for audio, filled one after the other (the day's record untouched)."""

    def __init__(self) -> None:
        self.waiting: collections.deque[SoundTestCapture] = collections.deque()

    def add(self, capture: SoundTestCapture) -> None:
        """Any thread: the capture takes the blocks processed from now on."""
        self.waiting.append(capture)

    def feed(self, block: Block) -> None:
        samples = block.samples
        while self.waiting and self.waiting[0].feed(samples):
            self.waiting.popleft()
