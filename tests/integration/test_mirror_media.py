"""Master and safety copy on real file systems (ext4 on a loop device for the card; exFAT and
FAT32 for the stick), with the real capture path (JACK-clocked ALSA file feed): one medium
fails alone (full, pulled out, lazily unmounted, read-only); `appliance status --json`,
sampled every second, shows a persistent alarm naming that medium, never `not_recording`, and
the LEDs the alarm pattern; the other medium records on without losing a sample. When the
medium returns, writing resumes there as a new part, the span it missed is copied over in the
background and checked by SHA-256, and both media end up holding the same bytes, every part
bit-exact against the feed with no gap between parts."""

from __future__ import annotations

import filecmp
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from appliance.journal import verify_chain
from tests.feeds import make_rt_feed, wait_for
from tests.integration.test_not_recording import StatusSampler, not_recording
from tests.loopfs import Ext4
from tests.recorder_process import RecorderProcess, journal, part_samples, write_config
from tests.stickfs import Stick, fill

FOUND_S = 3.0  # a failure is found at the next write or the once-a-second check


def start_recorder(tmp_path, jack, data_dir: Path, mirror: Path, naming: str = "cyrillic"):
    feed = make_rt_feed(tmp_path / "home", jack, 120)
    config = write_config(tmp_path / "a.toml", data_dir, device="rtfeed",
                          gpio={"backend": "mock"}, mirror={"path": str(mirror)},
                          recording={"reserve_mb": 2, "disk_warn_hours": 0.0,
                                     "naming": naming})
    rec = RecorderProcess(config, env=feed.process_env())
    rec.start()
    return rec, feed


def alarm(status: dict | None, code: str) -> dict | None:
    return next((a for a in (status or {}).get("alarms", []) if a["code"] == code), None)


def day_on(root: Path) -> Path:
    (day,) = (root / "recordings").iterdir()
    return day


def assert_medium_exact(day_dir: Path, feed: np.ndarray, restarted: bool = False) -> list[dict]:
    """Every part on this medium a valid WAV, bit-exact against the feed, each part starting
    where the previous one ended (nothing lost at a medium's failure or return; a restart of
    the recorder between parts 1 and 2 leaves a gap)."""
    assert verify_chain(day_dir / "journal.jsonl") is None
    opened = [e.data for e in journal(day_dir) if e.event == "part_opened"]
    end = None
    for part in opened:
        path = day_dir / part["file"]
        assert subprocess.run(["sox", "--i", str(path)], capture_output=True).returncode == 0
        samples = part_samples(path)
        start = part["capture_frame"]
        assert np.array_equal(samples, feed[start:start + len(samples)]), path
        if not (restarted and part["part"] == 2):
            assert end is None or start == end, f"{part['file']} starts at {start}, not {end}"
        end = start + len(samples)
    return opened


def stop_in_part_two(rec: RecorderProcess) -> None:
    """Two seconds into part 2, stop the day and wait for the background copy to finish."""
    wait_for(lambda: rec.status()["part_frames"] >= 2 * 48000, what="part 2 flowing")
    rec.ctl("stop")
    wait_for(lambda: rec.status()["mirror"]["state"] == "ok", timeout_s=120, what="caught up")


def run_failure(tmp_path, jack, data_dir: Path, mirror: Path, failing: str,
                fail: Callable[[], None], restore: Callable[[], None],
                naming: str = "cyrillic", restart: bool = False) -> None:
    """Record, let `failing` ("master" or "mirror") fail, watch every second, restore it
    (with `restart`: the recorder stopped first and started again after, as a reboot does),
    and check both media against the feed and against each other."""
    rec, feed = start_recorder(tmp_path, jack, data_dir, mirror, naming)
    code = f"medium_{failing}"
    try:
        with StatusSampler(rec.config_path, rec.env) as sampler:
            rec.ctl("start")
            wait_for(lambda: rec.status()["part_frames"] >= 3 * 48000, what="3 s recorded")
            assert rec.status()["mirror"]["state"] == "ok"
            fail()
            failed_at = time.monotonic()
            raised = wait_for(lambda: alarm(rec.status(), code), timeout_s=10, what=code)
            found_s = time.monotonic() - failed_at
            wait_for(lambda: len(sampler.between(failed_at + FOUND_S, 1e12)) >= 5,
                     timeout_s=30, what="five samples while failed")
            failed_until = time.monotonic()
            frames_before = rec.status()["elapsed_s"]
            if restart:
                rec.terminate()
                assert rec.proc.returncode == 0
                restore()
                rec = RecorderProcess(rec.config_path, env=rec.env).start()
            else:
                restore()
            restored_at = time.monotonic()
            wait_for(lambda: rec.status()["part"] == 2 and not alarm(rec.status(), code),
                     timeout_s=15, what="part 2 on both media")
            returned_s = time.monotonic() - restored_at
            stop_in_part_two(rec)
    finally:
        rec.terminate()
    assert rec.proc.returncode == 0
    print(f"{code} after {found_s:.2f} s; back {returned_s:.2f} s after restoring")
    assert found_s <= FOUND_S, found_s
    assert frames_before > 5, "recording went on while the medium was out"
    assert "Traceback" not in rec.log_path.read_text()

    during = sampler.between(failed_at + FOUND_S, failed_until)
    assert len(during) >= 5
    for status in during:  # persistent, loud, and never "not recording"
        assert status["state"] == "recording"
        assert alarm(status, code) and not not_recording(status), status["alarms"]
        assert status["leds"]["pattern"] == "alarm"
        mirror_state = status["mirror"]["state"]
        assert mirror_state == ("failed" if failing == "mirror" else "ok"), status["mirror"]
    assert ("SD-карта" if failing == "master" else "USB-накопитель") in raised["message"]

    entries = assert_both_complete(data_dir, mirror, feed, failing, restarted=restart)
    events = [(e.event, e.data.get("medium")) for e in entries]
    assert ("medium_failed", failing) in events
    assert (("recorder_started", None) if restart else ("medium_returned", failing)) in events


def assert_both_complete(data_dir: Path, mirror: Path, feed, missed_by: str,
                         restarted: bool = False) -> list:
    """Both media hold the same two parts, bit-exact against the feed, byte for byte equal;
    part 1, which `missed_by` missed, was copied over and checked by SHA-256. Returns the
    master's journal."""
    master_day, mirror_day = day_on(data_dir), day_on(mirror)
    for day in (master_day, mirror_day):
        opened = assert_medium_exact(day, feed.samples, restarted=restarted)
        assert [p["part"] for p in opened] == [1, 2]
    comparison = filecmp.dircmp(master_day, mirror_day)
    assert not comparison.left_only and not comparison.right_only, comparison.report()
    for name in sorted(p.name for p in master_day.iterdir()):
        assert filecmp.cmp(master_day / name, mirror_day / name, shallow=False), name
    entries = journal(master_day)
    sealed = {e.data["file"]: e.data["sha256"] for e in entries if e.event == "part_closed"}
    synced = [e.data for e in entries if e.event == "medium_synced"]
    first = next(iter(sealed))
    assert any(s["file"] == first and s["ok"] and s["sha256"] == sealed[first]
               and s["to"] == missed_by for s in synced), synced
    return entries


@pytest.fixture
def card(tmp_path):
    disk = Ext4(tmp_path / "card")
    yield disk
    disk.close()


@pytest.fixture
def exfat(tmp_path):
    stick = Stick(tmp_path / "stick", "exfat")
    yield stick
    stick.close()


def test_mirror_full_on_exfat(tmp_path, jack, card, exfat):
    fillers = []
    run_failure(tmp_path, jack, card.mount_point / "data", exfat.mount_point / "zapis",
                "mirror", lambda: fillers.append(fill(exfat.mount_point)),
                lambda: fillers[0].unlink())


def test_mirror_pulled_out_exfat(tmp_path, jack, card, exfat):
    run_failure(tmp_path, jack, card.mount_point / "data", exfat.mount_point / "zapis",
                "mirror", exfat.pull_out, exfat.plug_back)


def test_mirror_lazily_unmounted_exfat(tmp_path, jack, card, exfat):
    run_failure(tmp_path, jack, card.mount_point / "data", exfat.mount_point / "zapis",
                "mirror", exfat.lazy_unmount, exfat.plug_back)


def test_mirror_full_on_fat32(tmp_path, jack, card):
    stick = Stick(tmp_path / "stick", "fat32")
    fillers = []
    try:
        run_failure(tmp_path, jack, card.mount_point / "data", stick.mount_point / "zapis",
                    "mirror", lambda: fillers.append(fill(stick.mount_point)),
                    lambda: fillers[0].unlink(), naming="ascii")
    finally:
        stick.close()


def test_a_stick_plugged_in_later_gets_the_day_so_far(tmp_path, jack, card, exfat):
    """A box set up without its stick (the image turns the copy on) is not at fault: no
    alarm, the LEDs say recording, the status says there is no stick. Plugged in mid-day,
    the stick takes the next part at once and gets the day so far copied over."""
    exfat.pull_out()
    data_dir, mirror = card.mount_point / "data", exfat.mount_point / "zapis"
    rec, feed = start_recorder(tmp_path, jack, data_dir, mirror)
    try:
        with StatusSampler(rec.config_path, rec.env) as sampler:
            rec.ctl("start")
            wait_for(lambda: rec.status()["part_frames"] >= 3 * 48000, what="3 s recorded")
            since = time.monotonic()  # the LEDs have followed the start by now
            wait_for(lambda: len(sampler.between(since, 1e12)) >= 3, timeout_s=30,
                     what="three samples without the stick")
            until = time.monotonic()
            exfat.plug_back()
            wait_for(lambda: rec.status()["part"] == 2, timeout_s=15, what="part 2 on both")
            stop_in_part_two(rec)
    finally:
        rec.terminate()
    assert rec.proc.returncode == 0
    without = sampler.between(since, until)
    assert len(without) >= 3
    for status in without:
        assert status["state"] == "recording" and status["alarms"] == [], status["alarms"]
        assert status["leds"]["pattern"] == "recording"
        assert status["mirror"] == {"state": "absent", "ok": False, "path": str(mirror),
                                    "text": "не пишется: нет накопителя ZAPIS-KOPIA"}
    entries = assert_both_complete(data_dir, mirror, feed, "mirror")
    assert "medium_failed" not in [e.event for e in entries]


def test_mirror_turns_read_only(tmp_path, jack, card):
    stick = Ext4(tmp_path / "stick")  # ext4 turns itself read-only on an error
    try:
        run_failure(tmp_path, jack, card.mount_point / "data", stick.mount_point / "zapis",
                    "mirror", lambda: (stick.sysfs / "trigger_fs_error").write_text("t\n"),
                    stick.remount)
    finally:
        stick.close()


def test_master_turns_read_only(tmp_path, jack, card, exfat):
    """ext4 refuses to be remounted read-write after an error: the card comes back only
    through a restart (fsck, mount), after which recovery and the copy make both complete."""
    run_failure(tmp_path, jack, card.mount_point / "data", exfat.mount_point / "zapis",
                "master", lambda: (card.sysfs / "trigger_fs_error").write_text("t\n"),
                card.remount, restart=True)


def test_master_full(tmp_path, jack, card, exfat):
    fillers = []
    run_failure(tmp_path, jack, card.mount_point / "data", exfat.mount_point / "zapis",
                "master", lambda: fillers.append(fill(card.mount_point)),
                lambda: fillers[0].unlink())


def test_power_cut_recovers_both_media(tmp_path, jack, card, exfat):
    """A SIGKILL mid-part (as a power cut): at the next start the part is repaired on the
    master, the safety copy's journal and part are made equal to it (checked by SHA-256),
    and recording goes on in part 2 on both."""
    data_dir, mirror = card.mount_point / "data", exfat.mount_point / "zapis"
    rec, feed = start_recorder(tmp_path, jack, data_dir, mirror)
    try:
        rec.ctl("start")
        wait_for(lambda: rec.status()["part_frames"] >= 4 * 48000, what="4 s recorded")
        rec.kill()
        rec = RecorderProcess(rec.config_path, env=rec.env).start()
        wait_for(lambda: rec.status()["part"] == 2 and rec.status()["part_frames"] >= 48000,
                 timeout_s=20, what="part 2 after the restart")
        rec.ctl("stop")
        wait_for(lambda: rec.status()["mirror"]["state"] == "ok", timeout_s=60,
                 what="caught up")
    finally:
        rec.terminate()
    master_day, mirror_day = day_on(data_dir), day_on(mirror)
    for day in (master_day, mirror_day):
        opened = assert_medium_exact(day, feed.samples, restarted=True)
        assert [p["part"] for p in opened] == [1, 2]
        assert len(part_samples(day / opened[0]["file"])) >= (4 - 1) * 48000
    for name in sorted(p.name for p in master_day.iterdir()):
        assert filecmp.cmp(master_day / name, mirror_day / name, shallow=False), name
    assert sorted(p.name for p in master_day.iterdir()) == sorted(
        p.name for p in mirror_day.iterdir())
    entries = journal(master_day)
    assert any(e.event == "part_recovered" for e in entries)
