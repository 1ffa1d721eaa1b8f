"""Intent against fact: the supervisor's verdict (pure, on a fake clock) and over the recorder
with the simulated microphone: a microphone pulled mid-recording and a dead pipeline."""

from __future__ import annotations

import threading
import uuid

import pytest

from appliance.capture.simulated import SimulatedSource
from appliance.commands.control import format_status
from appliance.contract.status import Status
from appliance.hardware import leds
from appliance.recorder.supervisor import Cause, WriteSupervisor
from tests.feeds import wait_for
from tests.recorder_process import journal
from tests.unit.test_recorder_core import make_config, started, wait_recorded


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(("recording", "idle_s", "part_open", "alive", "blocked", "cause"), [
    (False, 60.0, False, True, None, None),
    (True, 1.9, False, True, "disk_full", None),
    (True, 2.1, False, True, None, "no_part"),
    (True, 2.1, True, True, None, "stalled"),
    (True, 2.1, False, True, "disk_full", "disk_full"),
    (True, 2.1, False, True, "read_only", "read_only"),
    (True, 2.1, True, False, "disk_full", "pipeline_stopped"),
])
def test_verdict(recording, idle_s, part_open, alive, blocked, cause):
    clock = FakeClock()
    supervisor = WriteSupervisor(monotonic=clock)
    supervisor.reached()
    if blocked:
        supervisor.blocked(Cause(blocked), "detail")
    clock.now += idle_s
    verdict = supervisor.verdict(recording, part_open, alive)
    assert (verdict and verdict["cause"]) == cause
    if verdict:
        assert verdict["code"] == "not_recording" and verdict["message"].startswith(
            "Запись не идёт: ")


def test_frames_reaching_the_file_clear_the_cause():
    clock = FakeClock()
    supervisor = WriteSupervisor(monotonic=clock)
    supervisor.blocked(Cause.DISK_FULL)
    clock.now += 5
    assert supervisor.verdict(True, False, True)["cause"] == "disk_full"
    supervisor.reached()
    assert supervisor.verdict(True, True, True) is None
    clock.now += 3
    assert supervisor.verdict(True, True, True)["cause"] == "stalled"


def not_recording(recorder):
    return next((a for a in recorder.status()["alarms"] if a["code"] == "not_recording"), None)


def test_a_pulled_microphone_is_not_recording_until_frames_flow_again(tmp_path):
    source = SimulatedSource(realtime=True)
    recorder = started(make_config(tmp_path), source)
    recorder.handle("start")
    wait_recorded(recorder, 1)
    assert not_recording(recorder) is None
    assert leds.choose_pattern(Status.from_json(recorder.status())) is leds.RECORDING
    source.unplug()
    alarm = wait_for(lambda: not_recording(recorder), timeout_s=10, what="not_recording")
    assert alarm["cause"] == "no_device" and "микрофон не подключён" in alarm["message"]
    assert recorder.status()["alarms"][0]["code"] == "not_recording", "shown first"
    assert leds.choose_pattern(Status.from_json(recorder.status())) is leds.NOT_RECORDING
    text = format_status(Status.from_json(recorder.status()))  # what `appliance status` prints
    assert "запись включена, но НЕ ИДЁТ" in text and "Запись не идёт: микрофон" in text
    (day_dir,) = (tmp_path / "data" / "recordings").iterdir()
    wait_for(lambda: any(e.data.get("code") == "not_recording" for e in journal(day_dir)),
             what="the alarm journaled")
    recorder.handle("pause")  # the intent is no longer recording: nothing is missing
    assert not_recording(recorder) is None
    source.plug()
    wait_for(lambda: recorder.status()["device"]["present"], what="device back")
    recorder.handle("resume")
    wait_for(lambda: recorder.status()["part_frames"] > 48000, what="recording again")
    assert not_recording(recorder) is None
    recorder.close()
    codes = [(e.event, e.data.get("cause")) for e in journal(day_dir)
             if e.data.get("code") == "not_recording"]
    assert codes == [("alarm", "no_device"), ("alarm_cleared", None)]


def test_a_dead_pipeline_is_not_recording_and_ends_the_process(tmp_path, monkeypatch):
    died = threading.Event()
    recorder = started(make_config(tmp_path))
    recorder.handle("start")
    wait_recorded(recorder, 1)
    recorder._on_fatal = died.set

    def broken() -> None:
        raise SystemExit("escaped the pipeline's guard")

    monkeypatch.setattr(recorder, "_housekeeping", broken)
    assert died.wait(10), "the process was told to end"
    alarm = wait_for(lambda: not_recording(recorder), timeout_s=10, what="not_recording")
    assert alarm["cause"] == "pipeline_stopped"
    assert "служба записи остановилась" in alarm["message"]
    recorder.close()  # seals what it can, without the dead pipeline's queue


class DyingSource(SimulatedSource):
    """The simulated microphone plus a helper thread that fails when `fail` is set."""

    def __init__(self) -> None:
        super().__init__(realtime=True)
        self.fail = threading.Event()

    def start(self, out) -> None:
        super().start(out)
        threading.Thread(target=self._helper, name="capture-helper", daemon=True).start()

    def _helper(self) -> None:
        self.fail.wait()
        raise RuntimeError("the capture helper failed")


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_any_recorder_thread_dying_ends_the_daemon_with_an_error(tmp_path):
    from appliance.contract.control import ControlClient
    from appliance.daemon.process import DIED, run_recorder
    config = make_config(tmp_path, control_socket=f"/tmp/appl-{uuid.uuid4().hex[:12]}.sock")
    source, result = DyingSource(), {}
    daemon = threading.Thread(target=lambda: result.update(code=run_recorder(
        config, simulate=True, source=source)))
    daemon.start()
    client = ControlClient(config.recording.socket_path(), timeout_s=5)
    wait_for(lambda: _answers(client), timeout_s=30, what="the recorder's control socket")
    client.call("start", source="test")
    source.fail.set()
    daemon.join(timeout=60)
    assert not daemon.is_alive() and result["code"] == DIED
    (day_dir,) = (tmp_path / "data" / "recordings").iterdir()
    assert [e.data["reason"] for e in journal(day_dir) if e.event == "part_closed"] == \
        ["shutdown"], "the part is sealed on the way out"


def _answers(client) -> bool:
    from appliance.errors import ControlError
    try:
        return bool(client.call("status"))
    except ControlError:
        return False
