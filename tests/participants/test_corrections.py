"""A marker corrected while its answer is being recorded: the recorder's status follows the
journal's correction at once (who is answering now, how many answers there are)."""

from __future__ import annotations

from appliance.capture.simulated import SimulatedSource
from appliance.clock import ClockGuard
from appliance.config import Config
from appliance.daemon.process import participant_commands
from appliance.recorder.core import Recorder
from tests.feeds import wait_for
from tests.recorder_process import SITE


def started(tmp_path) -> Recorder:
    config = Config()
    for key, value in SITE.items():
        setattr(config.site, key, value)
    config.recording.data_dir = str(tmp_path / "data")
    recorder = Recorder(config, SimulatedSource(realtime=False), ClockGuard(config.data_dir))
    recorder.start()
    wait_for(lambda: recorder.device_present, what="simulated device")
    return recorder


def test_status_follows_a_correction_of_the_answer_being_recorded(tmp_path):
    recorder = started(tmp_path)
    try:
        correct = participant_commands(recorder)["correct_marker"]
        recorder.handle("start")
        first = recorder.handle("mark", participant=3)["marker"]
        reply = correct(part=first["part"], frame=first["frame"], participant=4,
                        reason="перепутали номер")
        for status in (reply["status"], recorder.status()):
            assert status["participant"]["current"]["participant"] == 4, "«Сейчас отвечает: № 4»"
            assert status["participants"] == 1
        second = recorder.handle("mark")["marker"]
        assert second["participant"] == 5, "the next number after the corrected one"
        reply = correct(part=second["part"], frame=second["frame"], void=True,
                        reason="нажали случайно")
        for status in (reply["status"], recorder.status()):
            assert status["participant"]["current"] is None, "a voided marker is not shown"
            assert status["participants"] == 1, "the voided marker is not an answer"
    finally:
        recorder.close()
