"""A disk filling up during the day, on a real (size-limited tmpfs) file system: an early
warning with the hours left, a valid part holding every sample written, recording resumed as
the next part once space is freed; and the writer's own fallback for a real ENOSPC."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

from appliance.capture.wavfile import WavFormat
from appliance.capture.writer import WavPartWriter
from appliance.errors import StorageError
from appliance.journal import verify_chain
from tests.feeds import wait_for
from tests.recorder_process import journal, part_samples
from tests.unit.test_recorder_core import expected, make_config, started

MB = 1_000_000


def fill(path, size_bytes):
    with open(path, "wb") as out:
        out.write(b"\0" * size_bytes)


def alarm_codes(recorder):
    return {a["code"] for a in recorder.status()["alarms"]}


def test_full_disk_closes_the_part_validly_and_resumes_when_space_is_freed(small_disk):
    config = make_config(small_disk, reserve_mb=2, disk_warn_hours=0.01)
    config.recording.data_dir = str(small_disk / "data")
    filler = small_disk / "filler.bin"
    fill(filler, 3 * MB)
    recorder = started(config)
    recorder.handle("start")
    wait_for(lambda: "disk_full" in alarm_codes(recorder), timeout_s=60, what="disk full")
    status = recorder.status()
    assert status["state"] == "recording" and status["part"] is None
    assert status["disk"]["full"] and status["disk"]["free_bytes"] >= 1 * MB
    with pytest.raises(StorageError):
        recorder.handle("mark")

    filler.unlink()
    wait_for(lambda: recorder.status()["part"] == 2 and recorder.status()["part_frames"] > 48000,
             timeout_s=30, what="a second of part 2 after freeing")
    assert "disk_full" not in alarm_codes(recorder)
    recorder.handle("stop")
    recorder.close()

    (day_dir,) = (small_disk / "data" / "recordings").iterdir()
    entries = journal(day_dir)
    assert verify_chain(day_dir / "journal.jsonl") is None
    events = [e.event for e in entries]
    assert events.index("alarm") < events.index("disk_full") < events.index("disk_recovered")
    low = next(e.data for e in entries if e.event == "alarm" and e.data["code"] == "disk_low")
    assert "ч записи" in low["message"]
    closed = {e.data["part"]: e.data["reason"] for e in entries if e.event == "part_closed"}
    assert closed == {1: "disk_full", 2: "stop"}
    for opened in (e.data for e in entries if e.event == "part_opened"):
        samples = part_samples(day_dir / opened["file"])
        assert len(samples) > 48000
        assert np.array_equal(samples, expected(opened["capture_frame"], len(samples)))
    resumed = next(e.data for e in entries if e.event == "marker" and e.data["part"] == 2)
    assert resumed["label"] == "Продолжение после освобождения места на диске"


def test_start_is_refused_on_a_full_disk(small_disk):
    config = make_config(small_disk, reserve_mb=5)
    config.recording.data_dir = str(small_disk / "data")
    fill(small_disk / "filler.bin", 8 * MB)
    recorder = started(config)
    with pytest.raises(StorageError, match="Недостаточно места"):
        recorder.handle("start")
    recorder.close()


def test_writer_keeps_whole_frames_when_the_disk_runs_out(small_disk):
    fmt = WavFormat(48000, 2)
    pcm = (np.arange(16 * MB // 2, dtype=np.int64) % 65536 - 32768).astype("<i2").tobytes()
    path = small_disk / "part.wav"
    writer = WavPartWriter(path, fmt)
    with pytest.raises(OSError):
        for offset in range(0, len(pcm), 4001):  # odd sizes: the cut lands mid-frame
            writer.write(pcm[offset:offset + 4001])
            writer.flush()
    writer.close()
    samples = part_samples(path)
    assert samples.size > 0 and samples.size % 2 == 0
    assert samples.tobytes() == pcm[:samples.size * 2]
    for tool in (["sox", "--i", str(path)], ["ffprobe", "-v", "error", str(path)]):
        subprocess.run(tool, check=True, capture_output=True)
