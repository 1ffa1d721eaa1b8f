"""Participant clips: WAV samples equal the master's; MP3 lasts what it should."""

import json
import subprocess
import sys
import wave

import pytest
from export_daybuilder import PartSpec, build_day

from appliance.contract.audit import read_audit
from appliance.contract.dayview import load_day
from appliance.errors import StateError
from appliance.export.clips import participant_range, time_range, write_clip

RATE_HZ = 48000


@pytest.fixture
def day(data_dir):
    path = build_day(data_dir, [PartSpec(30.0, [2.0, 11.3]), PartSpec(12.0, [4.25])],
                     rate_hz=RATE_HZ, channels=2)
    return load_day(path)


def wav_frames(path, start=0, count=None):
    with wave.open(str(path), "rb") as w:
        params = (w.getframerate(), w.getnchannels(), w.getsampwidth())
        w.setpos(start)
        return params, w.readframes(w.getnframes() - start if count is None else count)


def test_wav_clip_of_a_participant_equals_the_masters_samples(day, tmp_path):
    clip = participant_range(day, 2)
    assert (clip.part.number, clip.start_frame, clip.end_frame) == (1, 11.3 * RATE_HZ,
                                                                   30 * RATE_HZ)
    path = write_clip(day, clip, tmp_path)
    assert path.name == "2027-02-10_ОО-640101_ауд-0005_участник-2.wav"
    params, samples = wav_frames(path)
    master = day.path / clip.part.file
    master_params, expected = wav_frames(master, clip.start_frame,
                                         clip.end_frame - clip.start_frame)
    assert params == master_params == (RATE_HZ, 2, 2)
    assert samples == expected and len(samples) == (30 - 11.3) * RATE_HZ * 4


def test_participant_ends_at_the_next_participant_or_break(day):
    first = participant_range(day, 1)
    assert (first.start_frame, first.end_frame) == (2 * RATE_HZ, 11.3 * RATE_HZ)
    third = participant_range(day, 3)
    assert (third.part.number, third.start_frame, third.end_frame) == (2, 4.25 * RATE_HZ,
                                                                      12 * RATE_HZ)
    with pytest.raises(StateError):
        participant_range(day, 4)


def test_time_range_clip_is_exact(day, tmp_path):
    clip = time_range(day, 2, 1.5, 3.25)
    path = write_clip(day, clip, tmp_path)
    assert path.name == "2027-02-10_ОО-640101_ауд-0005_часть-2_000001-000003.wav"
    _, samples = wav_frames(path)
    _, expected = wav_frames(day.path / clip.part.file, 72000, 84000)
    assert samples == expected
    with pytest.raises(StateError):
        time_range(day, 2, 5.0, 13.0)


def test_mp3_clip_duration_within_50_ms(day, tmp_path):
    clip = participant_range(day, 1)
    path = write_clip(day, clip, tmp_path, fmt="mp3")
    assert path.suffix == ".mp3"
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration",
                            "-of", "json", str(path)], capture_output=True, text=True, check=True)
    duration_s = float(json.loads(probe.stdout)["format"]["duration"])
    assert abs(duration_s - 9.3) <= 0.05
    decoded = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-f", "s16le", "-"],
                             capture_output=True, check=True).stdout
    assert abs(len(decoded) / 4 / RATE_HZ - 9.3) <= 0.05


def test_clip_command_writes_the_clip_and_logs_it(day, data_dir, tmp_path):
    config = tmp_path / "appliance.toml"
    config.write_text(f'[recording]\ndata_dir = "{data_dir}"\n', encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "appliance", "clip", "--config", str(config),
                           "--participant", "3", "--out", str(tmp_path)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    path = tmp_path / "2027-02-10_ОО-640101_ауд-0005_участник-3.wav"
    assert "7.750 с" in done.stdout
    _, samples = wav_frames(path)
    assert len(samples) == 7.75 * RATE_HZ * 4
    entry = read_audit(data_dir)[-1]
    assert (entry.event, entry.data["file"], entry.data["part"]) == ("clip_made", path.name, 2)
