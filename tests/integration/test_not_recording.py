"""Intent against fact on the real capture path (JACK-clocked ALSA file feed) and a real ext4
file system on a loop device: whatever keeps audio from the file while recording is wanted
(a disk filled by another writer, the file system turning read-only), `appliance status
--json`, sampled every second, shows the `not_recording` alarm with its cause and the LEDs a
fault pattern, never the recording pattern, until frames flow again; every part stays a valid
WAV, bit-exact against the feed."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from appliance.journal import verify_chain
from tests.feeds import make_rt_feed, wait_for
from tests.loopfs import Ext4
from tests.recorder_process import RecorderProcess, journal, part_samples, write_config

GRACE_S = 2.0
SAMPLE_S = 1.0


@pytest.fixture
def ext4(tmp_path):
    disk = Ext4(tmp_path)
    yield disk
    disk.close()


class StatusSampler:
    """`appliance status --json` once a second in its own thread, as a watcher would."""

    def __init__(self, config_path: Path, env: dict) -> None:
        self.cmd = [sys.executable, "-m", "appliance", "status", "--json", "--config",
                    str(config_path)]
        self.env = env
        self.samples: list[tuple[float, dict | None]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> StatusSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            done = subprocess.run(self.cmd, env=self.env, capture_output=True, text=True)
            status = json.loads(done.stdout) if done.returncode == 0 else None
            self.samples.append((time.monotonic(), status))
            self._stop.wait(max(0.0, SAMPLE_S - (time.monotonic() - started)))

    def between(self, start_s: float, end_s: float) -> list[dict | None]:
        return [s for t, s in self.samples if start_s <= t <= end_s]


def not_recording(status: dict | None) -> dict | None:
    return next((a for a in (status or {}).get("alarms", []) if a["code"] == "not_recording"),
                None)


def assert_parts_exact(day_dir: Path, feed: np.ndarray) -> list[dict]:
    opened = [e.data for e in journal(day_dir) if e.event == "part_opened"]
    for part in opened:
        path = day_dir / part["file"]
        for tool in (["sox", "--i", str(path)], ["ffprobe", "-v", "error", str(path)]):
            assert subprocess.run(tool, capture_output=True).returncode == 0, (tool, path)
        samples = part_samples(path)
        start = part["capture_frame"]
        assert np.array_equal(samples, feed[start:start + len(samples)]), part["file"]
    return opened


def recorder_on(tmp_path, data_dir: Path, jack) -> tuple[RecorderProcess, object]:
    feed = make_rt_feed(tmp_path / "home", jack, 90)
    config = write_config(tmp_path / "a.toml", data_dir, device="rtfeed",
                          gpio={"backend": "mock"},
                          recording={"reserve_mb": 2, "disk_warn_hours": 0.01})
    return RecorderProcess(config, env=feed.process_env()), feed


def test_disk_filled_by_another_writer(tmp_path, jack, ext4):
    mount_point = ext4.mount_point
    rec, feed = recorder_on(tmp_path, mount_point / "data", jack)
    rec.start()
    filler = mount_point / "filler.bin"
    try:
        with StatusSampler(rec.config_path, rec.env) as sampler:
            rec.ctl("start")
            wait_for(lambda: rec.status()["part_frames"] >= 3 * 48000, what="3 s recorded")
            recording_from = time.monotonic()
            wait_for(lambda: len(sampler.between(recording_from, 1e12)) >= 2, timeout_s=30,
                     what="samples while recording")
            # another writer takes every free block, faster than the reserve check looks
            subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=1M"],
                           capture_output=True)
            full_at = time.monotonic()
            alarm = wait_for(lambda: not_recording(rec.status()), timeout_s=10,
                             what="not_recording alarm")
            alarm_after_s = time.monotonic() - full_at
            assert alarm["cause"] == "disk_full" and alarm_after_s <= GRACE_S + 1.5
            wait_for(lambda: len(sampler.between(full_at + GRACE_S + 1.5, 1e12)) >= 5,
                     timeout_s=30, what="five samples while full")
            full_until = time.monotonic()
            filler.unlink()
            freed_at = time.monotonic()
            wait_for(lambda: rec.status()["part"] == 2, timeout_s=10, what="part 2")
            resumed_s = time.monotonic() - freed_at
            wait_for(lambda: rec.status()["part_frames"] >= 2 * 48000, what="part 2 flowing")
            flowing_at = time.monotonic()
            wait_for(lambda: len(sampler.between(flowing_at, 1e12)) >= 2, timeout_s=30,
                     what="samples after resuming")
            stopping_at = time.monotonic()
            rec.ctl("stop")
    finally:
        rec.terminate()
    assert rec.proc.returncode == 0

    before = sampler.between(recording_from, full_at)
    during = sampler.between(full_at + GRACE_S + 1.5, full_until)
    after = sampler.between(flowing_at, stopping_at)
    assert before and all(s and not not_recording(s) for s in before)
    assert len(during) >= 5
    for status in during:  # persistent: every sample, not a blip that clears itself
        assert status["state"] == "recording"
        assert not_recording(status)["cause"] == "disk_full"
        assert "Запись не идёт: диск заполнен" in not_recording(status)["message"]
        assert status["leds"]["pattern"] == "not_recording"
    assert after and all(s and not not_recording(s) and s["leds"]["pattern"] == "recording"
                         for s in after), after
    assert resumed_s <= 2.0, resumed_s
    print(f"not_recording after {alarm_after_s:.2f} s; resumed {resumed_s:.2f} s after freeing")

    (day_dir,) = rec.day_dirs
    assert not [p for p in day_dir.iterdir() if ".tmp-" in p.name], "temporary files left"
    assert verify_chain(day_dir / "journal.jsonl") is None
    opened = assert_parts_exact(day_dir, feed.samples)
    assert [p["part"] for p in opened] == [1, 2]
    entries = journal(day_dir)
    closed = {e.data["part"] for e in entries if e.event == "part_closed"}
    assert closed == {1, 2}
    for part in opened:
        stem = Path(part["file"]).stem
        for side in (".txt", ".markers.json", ".summary.json"):
            assert (day_dir / f"{stem}{side}").exists(), stem + side
    codes = [(e.event, e.data.get("code")) for e in entries]
    assert ("alarm", "not_recording") in codes and ("alarm_cleared", "not_recording") in codes


def test_data_disk_turns_read_only(tmp_path, jack, ext4):
    mount_point = ext4.mount_point
    rec, feed = recorder_on(tmp_path, mount_point / "data", jack)
    rec.start()
    try:
        with StatusSampler(rec.config_path, rec.env) as sampler:
            rec.ctl("start")
            wait_for(lambda: rec.status()["part_frames"] >= 3 * 48000, what="3 s recorded")
            (ext4.sysfs / "trigger_fs_error").write_text("test\n")  # ext4 errors=remount-ro
            ro_at = time.monotonic()
            alarm = wait_for(lambda: not_recording(rec.status()), timeout_s=10,
                             what="not_recording alarm")
            assert time.monotonic() - ro_at <= GRACE_S + 1.5
            assert alarm["cause"] == "read_only"
            wait_for(lambda: len(sampler.between(ro_at + GRACE_S + 1.5, 1e12)) >= 4,
                     timeout_s=30, what="four samples while read-only")
            status = rec.status()
            assert any(a["code"] == "storage" and "только для чтения" in a["message"]
                       for a in status["alarms"])
            with pytest.raises(Exception, match="Микрофон|диск|Диск") as refused:
                rec.ctl("mark")  # an answer, not a time-out
            assert "не ответил" not in str(refused.value)
            assert rec.proc.poll() is None
    finally:
        rec.terminate()
    assert rec.proc.returncode == 0, "SIGTERM on a read-only disk ends cleanly"
    during = sampler.between(ro_at + GRACE_S + 1.5, 1e12)
    assert all(not_recording(s)["cause"] == "read_only"
               and s["leds"]["pattern"] == "not_recording" for s in during)
    log = rec.log_path.read_text()
    assert "Traceback" not in log and "Exception in thread" not in log

    # a restart on the read-only disk: it runs, returns to the intent (recording) and says
    # why it cannot record; no traceback
    restarted = RecorderProcess(rec.config_path, env=rec.env)
    restarted.start()
    try:
        alarm = wait_for(lambda: not_recording(restarted.status()), timeout_s=10,
                         what="not_recording after the restart")
        status = restarted.status()
        assert status["state"] == "recording" and alarm["cause"] == "read_only"
        assert any(a["code"] == "storage" and "только для чтения" in a["message"]
                   for a in status["alarms"])
        wait_for(lambda: restarted.status()["leds"]["pattern"] == "not_recording",
                 timeout_s=2, what="the LEDs (polling the status 10 times a second)")
    finally:
        restarted.terminate()
    assert restarted.proc.returncode == 0
    assert "Traceback" not in restarted.log_path.read_text()

    # the disk back read-write after fsck, as at the next boot: recovery makes the part a
    # valid WAV of the audio that reached it
    ext4.remount()
    done = subprocess.run([sys.executable, "-m", "appliance", "recover", "--config",
                           str(rec.config_path)], env=rec.env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    (day_dir,) = rec.day_dirs
    (opened,) = assert_parts_exact(day_dir, feed.samples)
    # all but what was not yet fsynced (the writer syncs every 0.5 s) when the disk failed
    assert len(part_samples(day_dir / opened["file"])) >= (3 - 0.5 - 0.1) * 48000
