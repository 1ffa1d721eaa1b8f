"""`appliance check FILE.wav [--json]` as a real process, the two-step live verdict, the
per-part summary, meter ballistics and the [checks] config section."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from appliance import config as config_mod
from appliance.config import ChecksConfig
from appliance.dsp.alarms import Alarm, AlarmChange
from appliance.dsp.analysis import analyze
from appliance.dsp.levels import BlockLevels, block_levels
from appliance.dsp.meter import MeterBallistics
from appliance.dsp.summary import PartSummary
from appliance.dsp.verdict import verdict_two_step
from appliance.errors import ConfigError
from tests.dsp.audio import RATE_HZ, quantize, write_wav


def appliance(*args, config=None):
    env = {**os.environ, "APPLIANCE_LANG": "ru"}
    extra = ["--config", str(config)] if config else []
    return subprocess.run([sys.executable, "-m", "appliance", *args, *extra],
                          capture_output=True, text=True, env=env, timeout=120)


def test_check_json_and_exit_codes(speech, tmp_path):
    clean = write_wav(tmp_path / "clean.wav", quantize(speech.clean))
    result = appliance("check", str(clean), "--json", config=tmp_path / "none.toml")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["status"] == "pass" and report["status_text"] == "годно"
    assert report["analysis"]["channels"][0]["speech_s"] > 5
    quiet = write_wav(tmp_path / "quiet.wav", quantize(speech.clean * 10 ** (-30 / 20)))
    result = appliance("check", str(quiet), config=tmp_path / "none.toml")
    assert result.returncode == 3
    assert "не годно" in result.stdout and "Речь слишком тихая" in result.stdout
    assert "что сделать: Поднимите усиление" in result.stdout


def test_text_report_names_the_channel_of_every_line(speech, tmp_path):
    stereo = np.stack([quantize(speech.clean), quantize(speech.clean * 10 ** (-30 / 20))], 1)
    path = write_wav(tmp_path / "stereo.wav", stereo)
    result = appliance("check", str(path), config=tmp_path / "none.toml")
    assert result.returncode == 3, result.stderr
    lines = result.stdout.splitlines()
    assert lines[1].startswith("Канал 1: Длительность") and lines[2].startswith(
        "Канал 2: Длительность")
    assert lines[3].startswith("- ошибка: Канал 2: Речь слишком тихая")


def test_check_thresholds_come_from_the_config(speech, tmp_path):
    quiet = write_wav(tmp_path / "quiet.wav", quantize(speech.clean * 10 ** (-15 / 20)))
    config = tmp_path / "appliance.toml"
    config.write_text("[checks]\nspeech_level_warn_dbfs = -50\nspeech_level_fail_dbfs = -60\n",
                      encoding="utf-8")
    assert appliance("check", str(quiet), "--json", config=config).returncode == 0
    assert appliance("check", str(quiet), "--json").returncode == 1


def test_check_of_a_file_that_is_not_a_wav(tmp_path):
    bogus = tmp_path / "bogus.wav"
    bogus.write_bytes(b"not a wav at all")
    result = appliance("check", str(bogus), config=tmp_path / "none.toml")
    assert result.returncode == 2 and "не WAV" in result.stderr
    missing = appliance("check", str(tmp_path / "missing.wav"), config=tmp_path / "none.toml")
    assert missing.returncode == 2 and "не найден" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_a_file_shorter_than_a_hum_window_gets_a_verdict(tmp_path):
    """0.2 s of a tone: fewer samples than one ~0.34 s hum window."""
    tone = np.sin(2 * np.pi * 440 * np.arange(RATE_HZ // 5) / RATE_HZ) * 8000
    short = write_wav(tmp_path / "short.wav", quantize(tone))
    result = appliance("check", str(short), "--json", config=tmp_path / "none.toml")
    assert result.returncode == 3, result.stderr
    assert [r["code"] for r in json.loads(result.stdout)["reasons"]] == ["no_speech"]


def test_checks_config_is_validated(tmp_path):
    path = tmp_path / "appliance.toml"
    path.write_text("[checks]\nsilence_s = 30\nsnr_warn_db = -5\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        config_mod.load(path)
    assert "checks.snr_warn_db" in str(err.value)
    path.write_text("[checks]\nsilence_s = 30\n", encoding="utf-8")
    assert config_mod.load(path).checks.silence_s == 30.0


def test_two_step_verdict_names_the_seat_not_heard(speech):
    checks = ChecksConfig()
    loud = analyze(quantize(speech.clean), RATE_HZ)
    faint = analyze(quantize(speech.speech * 10 ** (-30 / 20) + speech.room), RATE_HZ)
    both = verdict_two_step(loud, loud, checks)
    assert both.status == "pass"
    result = verdict_two_step(loud, faint, checks)
    assert result.status == "fail"
    unheard = [r for r in result.reasons if r.code == "seat_not_heard"]
    assert [r.seat for r in unheard] == ["examiner"]
    assert unheard[0].message.startswith("Голос с места экзаменатора не слышен отчётливо")
    assert set(result.to_dict()["steps"]) == {"participant", "examiner"}
    assert verdict_two_step(faint, loud, checks).reasons[-1].seat == "participant"


def test_part_summary_levels_speech_share_and_alarm_timeline(speech):
    samples = quantize(speech.clean).reshape(-1, 1)
    summary = PartSummary(RATE_HZ, 1)
    for start in range(0, samples.shape[0], 4800):
        block = samples[start:start + 4800]
        summary.feed(block, block_levels(block))
    alarm = Alarm("clipping", "Перегрузка", "Уменьшите усиление", 12, 3.0)
    summary.alarm(AlarmChange(alarm, True), 144000)
    summary.alarm(AlarmChange(alarm, False), 384000)
    data = json.loads(json.dumps(summary.to_dict()))
    whole = analyze(samples, RATE_HZ).channels[0]
    assert data["frames"] == samples.shape[0]
    assert data["duration_s"] == pytest.approx(samples.shape[0] / RATE_HZ, abs=1e-3)
    assert data["levels"]["peak_dbfs"][0] == pytest.approx(whole.peak_dbfs, abs=0.01)
    assert data["levels"]["rms_dbfs"][0] == pytest.approx(whole.rms_dbfs, abs=0.05)
    assert data["levels"]["noise_floor_dbfs"][0] == pytest.approx(-70, abs=3)
    assert data["speech_share"][0] == pytest.approx(whole.speech_share, abs=0.15)
    assert [(a["code"], a["active"], a["time_s"]) for a in data["alarms"]] == [
        ("clipping", True, 3.0), ("clipping", False, 8.0)]
    assert data["alarm_counts"] == {"clipping": 1}


def test_meter_falls_back_and_holds_the_peak():
    meter = MeterBallistics(1)

    def levels(peak):
        return BlockLevels((peak,), (peak - 10,), (0,), (0.0,))

    assert meter.update(levels(-6.0), 0.1).peak_dbfs == (-6.0,)
    readings = [meter.update(levels(-60.0), 0.1) for _ in range(20)]
    assert readings[0].peak_dbfs[0] == pytest.approx(-8.0)
    assert readings[9].peak_dbfs[0] == pytest.approx(-26.0)
    assert readings[13].hold_dbfs == (-6.0,)
    assert readings[15].hold_dbfs[0] < -6.0
    assert np.isclose(readings[-1].rms_dbfs[0], -70.0)
