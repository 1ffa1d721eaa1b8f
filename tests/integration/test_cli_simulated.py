"""The command-line tools against a real recorder process with the simulated microphone."""

from __future__ import annotations

import subprocess
import sys

from tests.recorder_process import RecorderProcess, write_config


def appliance(config, *args, timeout=120):
    return subprocess.run([sys.executable, "-m", "appliance", *args, "--config", str(config)],
                          capture_output=True, text=True, timeout=timeout)


def test_ctl_status_and_guided_test_recording(tmp_path):
    config = write_config(tmp_path / "a.toml", tmp_path / "data")
    rec = RecorderProcess(config, simulate=True).start()
    try:
        test = appliance(config, "ctl", "test", "--seconds", "2")
        assert "Шаг 1" in test.stdout and "Шаг 2" in test.stdout, test.stderr
        assert "Итог пробной записи" in test.stdout
        saved = sorted(p.name for p in (tmp_path / "data" / "tests").glob("*.wav"))
        seats = sorted(name.rsplit("_", 1)[1] for name in saved)
        assert seats == ["examiner.wav", "participant.wav"]
        started = appliance(config, "ctl", "start")
        assert started.returncode == 0 and "идёт запись" in started.stdout
        mark = appliance(config, "ctl", "mark", "--label", "Участник 7")
        assert "Метка «Участник 7»" in mark.stdout
        again = appliance(config, "ctl", "start")
        assert again.returncode == 2 and "невозможна" in again.stderr
        assert "Traceback" not in again.stderr
        status = appliance(config, "status", "--json")
        assert '"state": "recording"' in status.stdout
        assert appliance(config, "ctl", "stop").returncode == 0
    finally:
        rec.terminate()


def test_commands_say_clearly_when_the_recorder_is_not_running(tmp_path):
    config = write_config(tmp_path / "a.toml", tmp_path / "data")
    result = appliance(config, "status")
    assert result.returncode == 2 and "Регистратор не отвечает" in result.stderr


def test_bad_config_is_reported_in_russian(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text('[site]\nschool = "12"\n', encoding="utf-8")
    result = appliance(config, "recorder", "--simulate")
    assert result.returncode == 2 and "site.school" in result.stderr
