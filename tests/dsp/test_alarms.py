"""Live alarms block by block, with exact timing in seconds of audio fed."""

from __future__ import annotations

import numpy as np
import pytest

from appliance.config import ChecksConfig
from appliance.dsp.alarms import AlarmMonitor
from appliance.dsp.levels import block_levels
from appliance.dsp.meter import MeterBallistics
from appliance.dsp.summary import PartSummary

RATE_HZ = 48000
BLOCK = 4800
CHECKS = ChecksConfig()


def noise_block(rms: float, seed: int, channels: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.round(rng.standard_normal((BLOCK, channels)) * rms).astype(np.int16)


def run(monitor: AlarmMonitor, blocks, overflowed=()) -> list[tuple[float, str, bool]]:
    """Feed blocks; the (time fed, code, active) of every change."""
    changes = []
    for i, block in enumerate(blocks):
        for change in monitor.feed(block, block_levels(block), i in overflowed):
            changes.append((round(monitor.fed_s, 3), change.alarm.code, change.active))
    return changes


def test_silence_fires_after_silence_s_and_clears_on_sound():
    monitor = AlarmMonitor(CHECKS, RATE_HZ, 1)
    quiet = [noise_block(5, i) for i in range(150)]          # about -76 dBFS peaks
    loud = [noise_block(3000, 1000 + i) for i in range(5)]
    changes = run(monitor, [noise_block(3000, 999)] + quiet + loud)
    assert changes == [(0.1 + CHECKS.silence_s, "silence", True), (15.2, "silence", False)]


def test_clipping_fires_at_once_and_clears_after_quiet_time():
    monitor = AlarmMonitor(CHECKS, RATE_HZ, 1)
    clipped = np.clip(noise_block(30000, 1).astype(np.int32) * 4, -32768, 32767).astype(np.int16)
    normal = [noise_block(3000, i) for i in range(60)]
    changes = run(monitor, [noise_block(3000, 99), clipped] + normal)
    assert changes == [(0.2, "clipping", True), (0.2 + CHECKS.clipping_clear_s, "clipping", False)]
    assert monitor.active() == []


def test_overflow_and_its_count():
    monitor = AlarmMonitor(CHECKS, RATE_HZ, 1)
    changes = run(monitor, [noise_block(3000, i) for i in range(20)], overflowed={3, 5})
    assert changes == [(0.4, "overflow", True)]
    (alarm,) = monitor.active()
    assert (alarm.code, alarm.value, alarm.since) == ("overflow", 2, pytest.approx(0.4))
    assert alarm.message.startswith("Потеря звука") and alarm.hint


def test_low_level_needs_a_whole_quiet_window():
    monitor = AlarmMonitor(CHECKS, RATE_HZ, 1)
    window = int(CHECKS.low_level_window_s * 10)
    faint = [noise_block(200, i) for i in range(window + 10)]   # about -44 dBFS RMS
    changes = run(monitor, faint + [noise_block(3000, 5000)])
    assert changes == [(CHECKS.low_level_window_s, "low_level", True),
                       (round((window + 11) / 10, 3), "low_level", False)]


def test_dropout_inside_a_block_and_across_blocks():
    monitor = AlarmMonitor(CHECKS, RATE_HZ, 2)
    first = noise_block(3000, 1, channels=2)
    first[-600:, 1] = 0                                      # 12.5 ms, then 12.5 ms more
    second = noise_block(3000, 2, channels=2)
    second[:600, 1] = 0
    changes = run(monitor, [first, second] + [noise_block(3000, i, 2) for i in range(60)])
    assert changes == [(0.2, "dropout", True), (0.2 + CHECKS.dropout_clear_s, "dropout", False)]


def test_per_block_cost_is_far_below_one_percent_of_a_core():
    """100 ms blocks at 48 kHz mono: levels + alarms + meter + summary under 1 ms per block."""
    import time
    monitor, meter = AlarmMonitor(CHECKS, RATE_HZ, 1), MeterBallistics(1)
    summary = PartSummary(RATE_HZ, 1)
    blocks = [noise_block(3000, i) for i in range(50)]
    start = time.process_time()
    for _ in range(4):
        for block in blocks:
            levels = block_levels(block)
            monitor.feed(block, levels, False)
            meter.update(levels, 0.1)
            summary.feed(block, levels)
    per_block_s = (time.process_time() - start) / 200
    assert per_block_s < 0.001, per_block_s


def test_a_quiet_room_is_no_low_level_alarm_while_no_day_is_recorded():
    monitor = AlarmMonitor(CHECKS, 48000, 1)
    quiet = noise_block(10.0, seed=3)  # a quiet room: above silence, below speech
    window = int(CHECKS.low_level_window_s * 10)
    idle = [change for _ in range(window + 20)
            for change in monitor.feed(quiet, block_levels(quiet), False, speech_expected=False)]
    assert idle == []
    recording = [change.alarm.code for _ in range(window + 20)
                 for change in monitor.feed(quiet, block_levels(quiet), False)]
    assert recording == ["low_level"]
