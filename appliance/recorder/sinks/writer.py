"""Sink: the recorded blocks into the open part's file (the evidence path).

`writer` is the open part's writer, or None when no part is open. It is any object with
`WavPartWriter`'s interface (`frames`, `room_frames`, `write`, `flush`, `close`), so another
writer (a safety copy beside the part) can take its place without the pipeline changing.
"""

from __future__ import annotations

from collections.abc import Callable

from appliance.recorder.sinks import Block


class PartOutput:
    """Writes each recorded block whole; a part with no room left is rolled over (by the
    recorder, through `rollover`) mid-block. A write the disk refuses goes to `failed`,
    which closes the part; the rest of that block is not written."""

    def __init__(self, frame_bytes: int, rollover: Callable[[], None],
                 failed: Callable[[OSError], None], wrote: Callable[[int], None]) -> None:
        self.frame_bytes = frame_bytes
        self.rollover = rollover
        self.failed = failed
        self.wrote = wrote
        self.writer = None

    def feed(self, block: Block) -> None:
        if block.recording and self.writer:
            self.write(block.pcm)

    def write(self, pcm: bytes) -> None:
        view = memoryview(pcm)
        while view:
            room = self.writer.room_frames()
            if room <= 0:
                self.rollover()
                continue
            chunk = min(room * self.frame_bytes, len(view))
            try:
                self.writer.write(view[:chunk])
            except OSError as err:
                self.failed(err)
                return
            self.wrote(chunk)
            view = view[chunk:]

    def flush(self) -> bool:
        """The batch's audio into the file, in one system call; False when refused (then
        `failed` has been told) or no part is open."""
        if self.writer is None:
            return False
        try:
            self.writer.flush()
        except OSError as err:
            self.failed(err)
            return False
        return True
