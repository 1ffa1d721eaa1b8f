"""Sink: the current participant's intro check, fed the audio that goes into the part."""

from __future__ import annotations

from collections.abc import Callable

from appliance.participants.live import ParticipantTracker
from appliance.recorder.sinks import Block


class ParticipantSink:
    """Feeds the tracker the blocks being written; a check result goes to `on_check`."""

    def __init__(self, tracker: ParticipantTracker, writing: Callable[[], bool],
                 on_check: Callable[[dict | None], None]) -> None:
        self.tracker = tracker
        self.writing = writing
        self.on_check = on_check

    def feed(self, block: Block) -> None:
        if block.recording and self.writing():
            self.on_check(self.tracker.feed(block.samples))
