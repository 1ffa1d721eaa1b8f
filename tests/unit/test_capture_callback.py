"""What one PortAudio callback becomes: blocks of `audio.block_ms`, numbered in order, with
PortAudio's overflow flag on the first (the checks are defined on those blocks)."""

from __future__ import annotations

import numpy as np

from appliance.capture.pyaudio_source import CALLBACK_BLOCKS, PyAudioSource


def test_a_callback_is_cut_into_numbered_blocks_with_the_overflow_on_the_first():
    source = PyAudioSource("rtfeed", 48000, 1, 4800)
    source.frames_captured = 96000
    pcm = np.arange(CALLBACK_BLOCKS * 4800, dtype=np.int16).tobytes()
    items = list(source._blocks(pcm, overflowed=True))
    assert [item.start_frame for item in items] == [96000 + 4800 * n
                                                    for n in range(CALLBACK_BLOCKS)]
    assert [item.overflowed for item in items] == [True] + [False] * (CALLBACK_BLOCKS - 1)
    assert {len(item.pcm) for item in items} == {4800 * 2}
    assert b"".join(item.pcm for item in items) == pcm
    assert source.frames_captured == 96000 + CALLBACK_BLOCKS * 4800
