"""Sink: how far the pipeline has processed the capture stream, and the overflows seen."""

from __future__ import annotations

from appliance.recorder.sinks import Block


class CaptureProgress:
    """`frames` is the capture frame up to which every block was processed: a command given
    at a capture frame takes effect once it is reached."""

    def __init__(self) -> None:
        self.frames = 0
        self.overflows = 0

    def feed(self, block: Block) -> None:
        self.frames = block.start_frame + block.frames
        self.overflows += block.overflowed
