"""The recorder's block sinks: every consumer of the captured audio behind one protocol.

The pipeline computes each block's levels once and hands the same `Block` to each sink in a
fixed order (`Recorder.sinks`): the part's file, the participant's intro check, the capture
position, the display meter, the part summary, the live alarms, the sound test. A sink keeps
its own state, reports what the recorder must act on through the callbacks it was given, and
can be tested alone with hand-made blocks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from appliance.dsp.levels import BlockLevels


@dataclass(slots=True)
class Block:
    """One captured block as every sink sees it; sinks only read it (not frozen: a frozen
    dataclass costs several times as much to make, ten times a second all day)."""

    pcm: bytes
    """The bytes as captured: what goes into the part's file, unchanged."""
    samples: np.ndarray
    """The same audio as int16 of shape (frames, channels)."""
    levels: BlockLevels
    start_frame: int
    """Frames captured before this block (the source's count)."""
    overflowed: bool
    recording: bool
    """The session is recording: the block belongs to the day's record and speech is expected."""

    @property
    def frames(self) -> int:
        return self.samples.shape[0]


class BlockSink(Protocol):
    def feed(self, block: Block) -> None:
        """Take one block (pipeline thread), in capture order."""
