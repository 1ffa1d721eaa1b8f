"""The simulated button and LEDs inside a real `appliance recorder --simulate` process, pressed
through the `button` control command (as the web page and the benchmark press it)."""

from __future__ import annotations

import time

import pytest

from appliance.contract.audit import read_audit
from appliance.errors import ControlError
from tests.feeds import wait_for
from tests.recorder_process import RecorderProcess, journal, write_config


def click(rec: RecorderProcess) -> dict:
    """A short press: held until the controls acknowledge it (debounce settled), then let go."""
    pressed = rec.client.call("button", action="press")
    wait_for(lambda: leds(rec)["pattern"] == "pressed"
             and leds(rec)["since_s"] >= pressed["time_s"], what="press feedback")
    rec.client.call("button", action="release")
    return pressed


def leds(rec: RecorderProcess) -> dict:
    return rec.status()["leds"]


@pytest.fixture
def simulated(tmp_path, request):
    site = getattr(request, "param", {})
    config = write_config(tmp_path / "appliance.toml", tmp_path / "data", site=site,
                          gpio={"debounce_ms": 20, "long_press_s": 0.5, "stop_press_s": 1.0})
    rec = RecorderProcess(config, simulate=True).start()
    yield rec
    rec.terminate()


def test_presses_drive_the_day_and_the_leds_show_it(simulated):
    rec = simulated
    wait_for(lambda: leds(rec)["pattern"] == "ready", what="READY: green steady")
    assert (leds(rec)["red"], leds(rec)["green"]) == (False, True)
    click(rec)
    wait_for(lambda: rec.status()["state"] == "recording", what="short press starts")
    wait_for(lambda: leds(rec)["pattern"] == "recording", what="REC: red steady")
    assert (leds(rec)["red"], leds(rec)["green"]) == (True, False)

    pressed = click(rec)                                   # short press while recording: mark
    wait_for(lambda: rec.status()["participants"] == 1, what="participant marker")
    rec.client.call("button", action="press")
    wait_for(lambda: leds(rec)["pattern"] == "long_reached", what="long press acknowledged")
    rec.client.call("button", action="release")
    wait_for(lambda: rec.status()["state"] == "paused", what="long press pauses")
    wait_for(lambda: leds(rec)["pattern"] == "paused", what="slow blink")
    rec.client.call("button", action="press")
    wait_for(lambda: rec.status()["state"] == "stopped", timeout_s=5, what="very long stops")
    rec.client.call("button", action="release")
    time.sleep(0.05)              # the stimulus: stay released past the 20 ms debounce
    rec.client.call("button", action="press")           # stop again: refused, in the day
    wait_for(lambda: leds(rec)["pattern"] == "refused", timeout_s=5, what="error pattern")
    rec.client.call("button", action="release")
    assert rec.status()["last_refusal"]["command"] == "stop"

    (day_dir,) = rec.day_dirs
    entries = journal(day_dir)
    assert [(e.event, e.data["source"]) for e in entries if e.event in (
        "started", "paused", "stopped", "command_refused")] == [
        ("started", "button"), ("paused", "button"), ("stopped", "button"),
        ("command_refused", "button")]
    marker = next(e.data for e in entries if e.event == "marker"
                  and e.data["kind"] == "participant")
    block_frames = 4800
    assert 0 <= marker["capture_frame"] - pressed["capture_frame"] <= block_frames


@pytest.mark.parametrize("simulated", [{"school": ""}], indirect=True)
def test_a_press_that_cannot_act_flashes_says_why_and_is_journaled(simulated):
    rec = simulated
    wait_for(lambda: leds(rec)["pattern"] == "not_ready", what="not ready: no school code")
    click(rec)
    wait_for(lambda: leds(rec)["pattern"] == "refused", what="error pattern")
    refusal = rec.status()["last_refusal"]
    assert refusal["command"] == "start" and refusal["code"] == "recorder.not_configured"
    assert "ОО" in refusal["message"]
    (entry,) = [e for e in read_audit(rec.config.data_dir) if e.event == "press_refused"]
    assert entry.data == {"command": "start", "source": "button", "code":
                          "recorder.not_configured", "message": refusal["message"]}
    wait_for(lambda: leds(rec)["pattern"] == "not_ready", what="error pattern ends")
    assert rec.status()["state"] == "idle"


def test_button_command_rejects_unknown_actions(simulated):
    with pytest.raises(ControlError, match="hold"):
        simulated.client.call("button", action="hold")
