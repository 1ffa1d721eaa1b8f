"""Live levels as published in the recorder's `status`: per-block peak/RMS and the display
meter (falling bar, held peak), refreshed at the block rate (10 per second by default)."""

from __future__ import annotations

import time

from appliance.capture.simulated import SimulatedSource
from appliance.clock import ClockGuard
from appliance.config import Config
from appliance.recorder.core import Recorder
from tests.feeds import wait_for


def test_status_publishes_levels_and_meter_for_every_block(tmp_path):
    config = Config()
    config.recording.data_dir = str(tmp_path / "data")
    recorder = Recorder(config, SimulatedSource(realtime=True), ClockGuard(config.data_dir))
    recorder.start()
    try:
        wait_for(lambda: recorder.status()["levels_time"] > 0, what="first block")
        stamps, readings = set(), []
        deadline = time.monotonic() + 30
        while len(stamps) < 20 and time.monotonic() < deadline:
            status = recorder.status()
            stamps.add(status["levels_time"])
            readings.append(status)
            time.sleep(0.01)  # polling the status as the web page does, not waiting for luck
    finally:
        recorder.close()
    assert len(stamps) >= 20, "a fresh reading for every block (the rate: benchmarks)"
    for status in readings:
        meter, levels = status["meter"], status["levels"]
        assert set(meter) == {"peak_dbfs", "hold_dbfs", "rms_dbfs"}
        assert meter["hold_dbfs"][0] >= meter["peak_dbfs"][0] - 0.1
        assert meter["peak_dbfs"][0] >= levels["peak_dbfs"][0] - 0.1
    assert max(s["meter"]["hold_dbfs"][0] for s in readings) > -20  # the voice's peaks
