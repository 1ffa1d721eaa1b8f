"""The microphone vanishes for real under PyAudio and comes back: the JACK server behind the
real-time ALSA feed is killed mid-part and started again. The recorder raises the alarm within
5 s, seals the part validly, and continues the day as the next part when the device returns."""

from __future__ import annotations

import signal
import time

import numpy as np

from appliance.journal import verify_chain
from tests.feeds import find_offset, make_rt_feed, wait_for
from tests.recorder_process import RecorderProcess, journal, part_samples, write_config


def alarm_codes(rec) -> set[str]:
    return {a["code"] for a in rec.status()["alarms"]}


def test_microphone_vanishes_and_returns_as_the_next_part(tmp_path, jack):
    feed = make_rt_feed(tmp_path / "home", jack, 60)
    config = write_config(tmp_path / "a.toml", tmp_path / "data", device="rtfeed")
    rec = RecorderProcess(config, env=feed.process_env()).start()
    try:
        rec.ctl("start")
        wait_for(lambda: rec.status()["elapsed_s"] >= 2, what="2 s recorded")
        jack.proc.send_signal(signal.SIGKILL)  # the device disappears under PortAudio
        lost_at = time.monotonic()
        wait_for(lambda: "no_device" in alarm_codes(rec), timeout_s=5, what="no_device alarm")
        alarm_after_s = time.monotonic() - lost_at
        wait_for(lambda: any(a["code"] == "not_recording" and a["cause"] == "no_device"
                             for a in rec.status()["alarms"]),
                 timeout_s=10, what="not_recording because of the microphone")
        status = rec.status()
        assert status["state"] == "recording" and status["part"] is None
        assert not status["device"]["present"]
        jack.stop()

        jack.start()  # the same server name: the device is back
        wait_for(lambda: rec.status()["part"] == 2 and rec.status()["part_frames"] >= 48000,
                 timeout_s=30, what="part 2 recording after the device returned")
        assert not {"no_device", "not_recording"} & alarm_codes(rec)
        rec.ctl("stop")
    finally:
        rec.terminate()
        jack.stop()

    (day_dir,) = rec.day_dirs
    entries = journal(day_dir)
    assert verify_chain(day_dir / "journal.jsonl") is None
    events = [e.event for e in entries]
    assert events.index("device_lost") < events.index("device_returned")
    closed = {e.data["part"]: e.data["reason"] for e in entries if e.event == "part_closed"}
    assert closed == {1: "device_lost", 2: "stop"}
    for opened in (e.data for e in entries if e.event == "part_opened"):
        samples = part_samples(day_dir / opened["file"])
        assert len(samples) >= 48000
        start = find_offset(feed.samples, samples)
        assert start is not None, f"{opened['file']} is not a stretch of the fed audio"
        assert np.array_equal(samples, feed.samples[start:start + len(samples)])
    resumed = next(e.data for e in entries if e.event == "marker" and e.data["part"] == 2)
    assert resumed["label"] == "Продолжение после отключения микрофона"
    assert alarm_after_s <= 5
    log = rec.log_path.read_text()  # PortAudio's silenced probe noise must not hide these
    assert "recorder ready" in log and "device_lost" in log and "device_present" in log
