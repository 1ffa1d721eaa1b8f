"""The recorder over the simulated source (exact and fast): restart, rollover, device loss,
refusals. The real capture path is covered in tests/integration."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from appliance.capture.simulated import SimulatedSource, speech_like
from appliance.capture.wavfile import read_info
from appliance.clock import ClockGuard
from appliance.config import Config
from appliance.errors import ClockError, StateError
from appliance.journal import verify_chain
from appliance.recorder.core import Recorder
from tests.feeds import wait_for
from tests.recorder_process import SITE, journal, part_samples


def make_config(tmp_path, **recording) -> Config:
    config = Config()
    for key, value in SITE.items():
        setattr(config.site, key, value)
    config.recording.data_dir = str(tmp_path / "data")
    for key, value in recording.items():
        setattr(config.recording, key, value)
    return config


def started(config, source=None, clock=None) -> Recorder:
    source = source or SimulatedSource(realtime=False)
    recorder = Recorder(config, source, clock or ClockGuard(config.data_dir))
    recorder.start()
    wait_for(lambda: recorder.device_present, what="simulated device")
    return recorder


def expected(start_frame: int, frames: int) -> np.ndarray:
    return speech_like(48000, start_frame, frames)


def wait_recorded(recorder, seconds):
    wait_for(lambda: recorder.status()["elapsed_s"] >= seconds, what=f"{seconds} s recorded")


def test_restart_mid_day_continues_as_the_next_part(tmp_path):
    config = make_config(tmp_path)
    first = started(config)
    first.handle("start")
    wait_recorded(first, 3)
    first.handle("mark")
    first.close()  # the process goes away without a stop (a service restart)
    second = started(config)
    wait_for(lambda: second.status()["part"] == 2, what="part 2 after restart")
    assert second.status()["state"] == "recording"
    marker = second.handle("mark")["marker"]
    assert marker["participant"] == 2, "participants keep counting across the restart"
    second.handle("stop")
    second.close()
    (day_dir,) = (tmp_path / "data" / "recordings").iterdir()
    entries = journal(day_dir)
    assert verify_chain(day_dir / "journal.jsonl") is None
    closed = [e.data for e in entries if e.event == "part_closed"]
    assert [(c["part"], c["reason"]) for c in closed] == [(1, "shutdown"), (2, "stop")]
    resumed = [e.data for e in entries if e.event == "marker" and e.data["part"] == 2][0]
    assert resumed["label"] == "Продолжение после перезапуска"
    for entry in (e.data for e in entries if e.event == "part_opened"):
        samples = part_samples(day_dir / entry["file"])
        assert np.array_equal(samples, expected(entry["capture_frame"], len(samples)))


def test_a_long_part_rolls_over_cleanly(tmp_path):
    config = make_config(tmp_path, max_part_mb=1)
    recorder = started(config)
    recorder.handle("start")
    wait_for(lambda: (recorder.status()["part"] or 0) >= 3, what="two rollovers")
    recorder.handle("stop")
    recorder.close()
    (day_dir,) = (tmp_path / "data" / "recordings").iterdir()
    entries = journal(day_dir)
    opened = [e.data for e in entries if e.event == "part_opened"]
    joined = np.concatenate([part_samples(day_dir / p["file"]) for p in opened])
    assert np.array_equal(joined, expected(opened[0]["capture_frame"], len(joined))), \
        "the parts join without a lost or repeated sample"
    for part in opened:
        assert (day_dir / part["file"]).stat().st_size < 1_000_000
    reasons = [e.data["reason"] for e in entries if e.event == "part_closed"]
    assert reasons[:-1] == ["rollover"] * (len(reasons) - 1) and reasons[-1] == "stop"


def test_microphone_unplugged_and_back_continues_as_a_new_part(tmp_path):
    source = SimulatedSource(realtime=False)
    recorder = started(make_config(tmp_path), source)
    recorder.handle("start")
    wait_recorded(recorder, 2)
    source.unplug()
    wait_for(lambda: any(a["code"] == "no_device" for a in recorder.status()["alarms"]),
             what="alarm")
    assert recorder.status()["state"] == "recording" and recorder.status()["part"] is None
    with pytest.raises(StateError, match="Микрофон не подключён"):
        recorder.handle("mark")
    source.plug()
    wait_for(lambda: recorder.status()["part"] == 2, what="part 2 on return")
    assert recorder.status()["alarms"] == []
    recorder.close()
    (day_dir,) = (tmp_path / "data" / "recordings").iterdir()
    events = [e.event for e in journal(day_dir)]
    assert "device_lost" in events and "device_returned" in events


def test_start_is_refused_without_site_codes(tmp_path):
    config = make_config(tmp_path)
    config.site.school = ""
    recorder = started(config)
    with pytest.raises(StateError, match="коды региона"):
        recorder.handle("start")
    assert recorder.status()["last_refusal"]["command"] == "start"
    recorder.close()


def test_unset_clock_refuses_start_unless_the_date_is_given(tmp_path):
    config = make_config(tmp_path)
    clock = ClockGuard(config.data_dir, now=lambda: dt.datetime(1970, 1, 1, 9).timestamp())
    recorder = started(config, clock=clock)
    with pytest.raises(ClockError, match="Часы не установлены"):
        recorder.handle("start")
    status = recorder.handle("start", date="2027-02-10")
    assert status["day"] == "2027-02-10" and status["state"] == "recording"
    recorder.handle("stop")
    recorder.close()
    day_dir = tmp_path / "data" / "recordings" / "2027-02-10"
    opened = next(e.data for e in journal(day_dir) if e.event == "day_opened")
    assert opened["clock_source"] == "manual"
    part = day_dir / "2027-02-10_ОО-640101_ауд-0005_часть-1.wav"
    assert read_info(part).bext.origination_date == "2027-02-10", "the day of the file name"


def test_an_internal_error_is_an_alarm_that_clears_and_recording_goes_on(tmp_path):
    recorder = started(make_config(tmp_path))
    recorder.internal_clear_s = 0.5
    recorder.handle("start")
    feed = recorder.monitor.feed
    failures = []

    def fail_once(*args, **kwargs):
        if not failures:
            failures.append(True)
            raise RuntimeError("injected")
        return feed(*args, **kwargs)

    recorder.monitor.feed = fail_once
    wait_for(lambda: any(a["code"] == "internal" for a in recorder.status()["alarms"]),
             what="internal alarm")
    alarm = next(a for a in recorder.status()["alarms"] if a["code"] == "internal")
    assert "injected" in alarm["message"] and alarm["hint"]
    wait_for(lambda: not any(a["code"] == "internal" for a in recorder.status()["alarms"]),
             what="the alarm clears")
    before = recorder.status()["elapsed_s"]
    wait_recorded(recorder, before + 1)
    recorder.handle("stop")
    recorder.close()


def held_on(recorder, pressed: int) -> None:
    """Two seconds of audio pass through the pipeline after the press."""
    wait_for(lambda: recorder.frames_processed >= pressed + 2 * 48000, what="2 s after the press")


@pytest.mark.parametrize("pause_mode", ["split", "continue"])
def test_pause_and_stop_markers_land_at_the_press_and_keep_the_audio_after_it(tmp_path,
                                                                               pause_mode):
    config = make_config(tmp_path, pause_mode=pause_mode)
    recorder = started(config)
    recorder.handle("start")
    wait_recorded(recorder, 2)
    pressed = recorder.frames_processed
    held_on(recorder, pressed)  # the long press is held: the pipeline moves on meanwhile
    pause = recorder.handle("pause", at_frame=pressed)
    recorder.handle("resume")
    wait_recorded(recorder, 6)
    pressed_stop = recorder.frames_processed
    held_on(recorder, pressed_stop)
    recorder.handle("stop", at_frame=pressed_stop)
    recorder.close()
    assert pause["state"] == "paused"
    (day_dir,) = (tmp_path / "data" / "recordings").iterdir()
    entries = journal(day_dir)
    markers = {e.data["kind"]: e.data for e in entries if e.event == "marker"}
    assert markers["pause"]["capture_frame"] == pressed
    assert markers["stop"]["capture_frame"] == pressed_stop
    opened = [e.data for e in entries if e.event == "part_opened"]
    first = part_samples(day_dir / opened[0]["file"])
    assert opened[0]["capture_frame"] + len(first) >= pressed + 2 * 48000, \
        "the audio between the press and the pause is kept"
