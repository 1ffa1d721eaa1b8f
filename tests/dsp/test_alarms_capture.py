"""Live alarms on audio read through the real capture path: PyAudio -> PortAudio -> ALSA
`file` device fed from a raw file (TESTING.md). The feed is espeak-ng speech that then goes to
digital zeros, as when a microphone's cable is pulled: dropout at once, silence after
`silence_s`, and nothing before the zeros."""

from __future__ import annotations

import queue

import numpy as np
import pytest

from appliance.capture.pyaudio_source import PyAudioSource
from appliance.capture.source import ItemKind
from appliance.config import ChecksConfig
from appliance.dsp.alarms import AlarmMonitor
from appliance.dsp.levels import block_levels
from tests.dsp.audio import RATE_HZ, quantize

BLOCK = RATE_HZ // 10
CHECKS = ChecksConfig()


@pytest.fixture
def speech_then_zeros(speech, tmp_path, monkeypatch):
    voice = quantize(speech.clean)
    zeros = np.zeros(int((CHECKS.silence_s + 5) * RATE_HZ), np.int16)
    tail = np.zeros(RATE_HZ * 5, np.int16)     # the feed must outlast what the test reads
    feed = np.concatenate([voice, zeros, tail])
    raw = tmp_path / "feed.raw"
    feed.tofile(raw)
    (tmp_path / ".asoundrc").write_text(f"""
pcm.dspfeed {{
    type file
    slave.pcm "null"
    file "/dev/null"
    infile "{raw}"
    format "raw"
}}
""", encoding="utf-8")
    monkeypatch.setenv("HOME", str(tmp_path))
    loud = np.abs(voice.astype(np.int32)) >= 32768 * 10 ** (CHECKS.silence_dbfs / 20)
    return voice.size, int(np.flatnonzero(loud)[-1]), voice.size + zeros.size


def test_unplugged_microphone_raises_dropout_then_silence(speech_then_zeros):
    speech_end, last_loud, read_until = speech_then_zeros
    monitor = AlarmMonitor(CHECKS, RATE_HZ, 1)
    source = PyAudioSource("dspfeed", RATE_HZ, 1, BLOCK)
    items: queue.Queue = queue.Queue(maxsize=64)
    changes, frames = [], 0
    source.start(items)
    try:
        while frames < read_until:
            item = items.get(timeout=30)
            if item.kind is not ItemKind.BLOCK:
                assert item.kind is ItemKind.DEVICE_PRESENT, item.detail
                continue
            block = np.frombuffer(item.pcm, np.int16).reshape(-1, 1)
            frames += block.shape[0]
            changes += [(frames, c.alarm.code, c.active)
                        for c in monitor.feed(block, block_levels(block), item.overflowed)]
    finally:
        source.stop()
    assert [(code, active) for _, code, active in changes] == [("dropout", True),
                                                               ("silence", True)]
    dropout_frame, silence_frame = changes[0][0], changes[1][0]
    assert speech_end < dropout_frame <= speech_end + BLOCK + CHECKS.dropout_ms / 1000 * RATE_HZ
    # silence: silence_s after the last sample above the threshold, to within one block
    quiet_s = (silence_frame - last_loud) / RATE_HZ
    assert CHECKS.silence_s <= quiet_s <= CHECKS.silence_s + 2 * BLOCK / RATE_HZ
    assert {a.code for a in monitor.active()} == {"dropout", "silence"}
