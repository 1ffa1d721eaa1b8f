"""A short exam day in real time (the ALSA file feed clocked by JACK): the faults that need a
real clock. The technician's web page is killed (recording unaffected), the recorder is
SIGKILLed mid-part (restart continues as the next part, at most 1 s lost, measured against
the feed), and the microphone vanishes and returns (alarm within 5 s, the alarm LED pattern,
the day continues as the next part)."""

from __future__ import annotations

import datetime as dt
import signal
import time

import pytest

from tests.e2e.room import Room, WebUser
from tests.feeds import make_rt_feed, wait_for
from tests.recorder_process import part_samples
from tests.webfixtures import PASSWORD, WebProcess, free_port, set_password

RATE_HZ = 48000
SHORT_HOLD_S = 0.15
STOP_PRESS_S = 3.0


@pytest.fixture
def room(tmp_path, jack):
    feed = make_rt_feed(tmp_path / "home", jack, 180)
    room = Room.create(tmp_path, feed, tmp_path / "data",
                       gpio={"backend": "mock", "stop_press_s": STOP_PRESS_S},
                       web={"listen": f"127.0.0.1:{free_port()}"})
    room.recorder.start()
    yield room
    room.recorder.terminate()


@pytest.fixture
def web(room):
    set_password(room.config_path, PASSWORD)
    process = WebProcess(room.config_path).start()
    yield process
    process.terminate()


def press(room, hold_s: float) -> None:
    room.recorder.ctl("button", action="press")
    time.sleep(hold_s)  # the examiner's hold, the scenario's own timing
    room.recorder.ctl("button", action="release")


def web_killed_recording_unaffected(room, web) -> None:
    part = room.status()["part"]
    web.kill()
    recorded = room.status()["elapsed_s"]
    wait_for(lambda: room.status()["elapsed_s"] >= recorded + 1, what="recording goes on")
    web.start()
    user = WebUser(web.url).login(PASSWORD)
    assert user.status()["state"] == "recording" and user.status()["part"] == part
    user.control("mark", label="после перезапуска веб-страницы")


def recorder_killed_loses_under_a_second(room) -> float:
    opened = room.events("part_opened")[-1]
    opened_at = dt.datetime.fromisoformat(
        next(e.time for e in room.entries() if e.event == "part_opened"
             and e.data["part"] == opened["part"])).timestamp()
    killed_at = time.time()
    room.recorder.kill()
    room.restart_recorder()
    wait_for(lambda: room.status()["part"] == opened["part"] + 1, timeout_s=30,
             what="the next part after the restart")
    samples = part_samples(room.day_dir() / opened["file"])
    return (killed_at - opened_at) - len(samples) / RATE_HZ


def microphone_vanishes_and_returns(room, jack) -> float:
    part = room.status()["part"]
    jack.proc.send_signal(signal.SIGKILL)
    lost_at = time.monotonic()
    wait_for(lambda: "no_device" in room.alarm_codes(), timeout_s=5, what="no_device alarm")
    alarm_s = time.monotonic() - lost_at
    wait_for(lambda: (room.status()["leds"] or {}).get("pattern") == "not_recording",
             timeout_s=3, what="the fault pattern: recording on, nothing written")
    jack.stop()
    jack.start()
    wait_for(lambda: room.status()["part"] == part + 1, timeout_s=30,
             what="the next part when the microphone is back")
    return alarm_s


def test_a_real_time_day_survives_the_web_the_recorder_and_the_microphone(room, web, jack):
    press(room, SHORT_HOLD_S)
    wait_for(lambda: room.status()["state"] == "recording", what="started by the button")
    room.wait_recorded(2)
    press(room, SHORT_HOLD_S)
    web_killed_recording_unaffected(room, web)
    room.wait_recorded(5)
    loss_s = recorder_killed_loses_under_a_second(room)
    room.wait_recorded(room.status()["elapsed_s"] + 2)  # the part after the restart
    alarm_s = microphone_vanishes_and_returns(room, jack)
    room.wait_recorded(room.status()["elapsed_s"] + 2)  # the part after the microphone
    press(room, STOP_PRESS_S + 0.5)
    wait_for(lambda: room.status()["state"] == "stopped", what="stopped by a very long press")

    assert loss_s <= 1.0, loss_s
    assert alarm_s <= 5.0, alarm_s
    opened = room.check_audio(min_part_s=1)
    closed = [p["reason"] for p in room.events("part_closed")]
    assert closed == ["recovered", "device_lost", "stop"]
    assert len(opened) == 3
    labels = [m["label"] for m in room.events("marker")]
    assert "после перезапуска веб-страницы" in labels
    assert [m["participant"] for m in room.events("marker") if m["kind"] == "participant"] \
        == [1, 2]
