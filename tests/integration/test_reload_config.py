"""Settings saved by the web page reach the running recorder: site codes and naming at once
(from the next day start), the microphone by a restart of the daemon in place, never during
a day being recorded but as soon as it is stopped."""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
import sys

import pytest

from appliance import config as config_mod
from appliance.errors import ControlError, StateError
from tests.feeds import make_fast_feed, wait_for
from tests.recorder_process import RecorderProcess, write_config


def edit(path, **values):
    config = config_mod.load(path)
    for dotted, value in values.items():
        section, key = dotted.split("__")
        setattr(getattr(config, section), key, value)
    config_mod.save(config, path)


def uses_device(rec: RecorderProcess, name: str) -> bool:
    """The recorder answers with `name` as its microphone (not while it re-executes)."""
    try:
        return rec._answers() and rec.status()["device"]["name"] == name
    except ControlError:
        return False


def test_new_settings_reach_the_running_recorder(tmp_path):
    feed = make_fast_feed(tmp_path / "home", 600)
    path = write_config(tmp_path / "a.toml", tmp_path / "data", device="examfeed",
                        site={"school": "", "room": ""})
    rec = RecorderProcess(path, env=feed.process_env()).start()
    try:
        with pytest.raises(StateError, match="Не заданы коды"):
            rec.ctl("start")
        edit(path, site__school="777001", site__room="0012", recording__naming="ascii")
        assert rec.ctl("reload_config") == {"restart": False, "configured": True}
        rec.ctl("start")
        wait_for(lambda: rec.status()["part_frames"] > 0, what="recording")
        assert rec.status()["file"].endswith(
            f"{dt.date.today().isoformat()}_OO-777001_room-0012_part-1.wav")

        edit(path, audio__device="another-microphone")
        with pytest.raises(StateError, match="как только запись будет остановлена"):
            rec.ctl("reload_config")
        assert rec.status()["device"]["name"] == "examfeed", "not during the day"
        pid = rec.proc.pid
        rec.ctl("stop")  # the pending settings are taken now, with no further request
        wait_for(lambda: uses_device(rec, "another-microphone"), timeout_s=30,
                 what="the recorder back, new device")
        assert rec.proc.pid == pid and rec.proc.poll() is None, "restarted in place"
    finally:
        rec.terminate()


def test_a_stop_asked_for_while_the_recorder_re_executes_reaches_the_new_process(tmp_path):
    """A restart execs with SIGTERM held back, so a stop sent in that moment is not lost:
    here the signal is already waiting when the process starts, and it must end cleanly."""
    path = write_config(tmp_path / "a.toml", tmp_path / "data")
    log_path = tmp_path / "recorder.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "appliance", "recorder", "--simulate", "--config", str(path)],
            stdout=log, stderr=log,
            preexec_fn=lambda: signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM}))
    proc.send_signal(signal.SIGTERM)
    try:
        assert proc.wait(timeout=60) == 0, log_path.read_text()
    finally:
        proc.kill()
    assert "recorder ready" in log_path.read_text()
