"""A whole exam day through the real processes, accelerated, with the faults a school meets.

The recorder reads the real PyAudio path from the fast ALSA file feed (faster than real time)
and is driven by the examiner's button (the simulated GPIO backend, pressed through the
control API with real hold times); a serial panel on a real pty gets garbage; the data
directory is a file system of its own (it really fills up); the export goes to a real exFAT
drive that is pulled out mid-copy, and the coordinator's `appliance verify` has the last
word. Every fault is judged on the audio itself: every part a valid WAV holding an exact
stretch of the fed samples, the journal chain intact, the export verified.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from appliance.errors import ClockError, StorageError
from appliance.hardware import panel_protocol as pp
from appliance.webui.auth import setup_code_file
from tests.e2e.room import Room, WebUser, appliance, mount_tmpfs, unmount
from tests.export.export_drive import exfat_drive, plug_back, pull_out
from tests.feeds import make_long_feed, wait_for
from tests.hardware.ptypanel import PtyPanel
from tests.stickfs import Stick
from tests.webfixtures import WebProcess, free_port

PARTICIPANTS = 20
SEGMENT_S = 30  # recorded seconds per participant (accelerated day)
BREAKS_AFTER = (7, 14)
CLOCK_FAULT_AT = 10
DISK_FAULT_AT = 16
RESERVE_MB = 20
PASSWORD = "Аудитория-0005-пароль"
GARBAGE_AT = 4
LONG_PRESS_S = 0.5
STOP_PRESS_S = 1.5
SHORT_HOLD_S = 0.15
STUCK_HOLD_S = 10 * STOP_PRESS_S
BLOCK_FRAMES = 4800
GARBAGE = [b"\x00\xff" * 300, b"$P1,KEY,1,1*00\n", b"$P9,KEY,1,2*" + b"Z" * 5000 + b"\n",
           "$P1,КНОПКА\n".encode(), os.urandom(4096)]


def tree_digests(root):
    return {p.relative_to(root): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def panel(tmp_path):
    pty = PtyPanel(tmp_path / "panel")
    yield pty
    pty.close()


@pytest.fixture(params=["card only", "with the safety copy"])
def room(request, tmp_path, panel):
    # the pipeline reads the fast feed at several hundred times real time while the browser
    # sets the room up, then records about an hour: 8 hours leave a wide margin
    feed = make_long_feed(tmp_path / "home", hours=8)
    data = tmp_path / "data"
    mount_tmpfs(data, 900)
    mirrored = request.param == "with the safety copy"
    stick = Stick(tmp_path / "stick", "exfat", size_mb=1200) if mirrored else None
    room = Room.create(tmp_path, feed, data, site={"school": "", "room": ""},
                       web={"listen": f"127.0.0.1:{free_port()}"},
                       recording={"reserve_mb": RESERVE_MB, "disk_warn_hours": 0.5},
                       gpio={"backend": "mock", "long_press_s": LONG_PRESS_S,
                             "stop_press_s": STOP_PRESS_S},
                       serial={"port": str(panel.link)},
                       mirror={"path": str(stick.mount_point / "zapis") if stick else "",
                               "catch_up_mb_s": 200})
    room.recorder.start()
    yield room
    room.recorder.terminate()
    unmount(data)
    if stick:
        stick.close()


@pytest.fixture
def web(room):
    process = WebProcess(room.config_path).start()
    yield process
    process.terminate()


def set_up_through_the_web(room, web) -> WebUser:
    """First start: the setup code read off the box, a password, the room's codes; then the
    guided test recording from both seats."""
    assert not room.status()["configured"]
    code = setup_code_file(room.recorder.config).read_text().strip()
    user = WebUser(web.url).first_start(code, PASSWORD)
    saved = user.post("/api/settings", {"site.region": "64", "site.msu": "01",
                                        "site.school": "640101", "site.room": "0005"})
    assert saved["ok"], saved
    wait_for(lambda: room.status()["configured"], what="the recorder took the new codes")
    user.post("/api/test/participant", {}, timeout_s=60)
    overall = user.post("/api/test/examiner", {}, timeout_s=60)["overall"]
    assert overall["status"] == "fail", "the feed is noise: no voice may pass the test"
    assert {r["code"] for r in overall["reasons"]} & {"no_speech", "seat_not_heard"}
    return user


def press(room, hold_s: float) -> dict:
    """The examiner's button, held for `hold_s` (the scenario's own timing)."""
    pressed = room.recorder.ctl("button", action="press")
    time.sleep(hold_s)
    room.recorder.ctl("button", action="release")
    return pressed


def next_participant(room) -> dict:
    before = room.status()["participants"]
    pressed = press(room, SHORT_HOLD_S)
    wait_for(lambda: room.status()["participants"] == before + 1, what="participant marker")
    return pressed


def take_a_break(room) -> None:
    press(room, LONG_PRESS_S + 0.3)
    wait_for(lambda: room.status()["state"] == "paused", what="paused by a long press")
    press(room, SHORT_HOLD_S)
    wait_for(lambda: room.status()["state"] == "recording", what="resumed by a short press")


def stuck_button_stops_once(room) -> None:
    """Held far beyond the stop threshold: the day stops once, nothing else happens."""
    room.recorder.ctl("button", action="press")
    wait_for(lambda: room.status()["state"] == "stopped", timeout_s=STOP_PRESS_S + 5,
             what="stopped by a very long press")
    time.sleep(STUCK_HOLD_S)  # the button stays stuck
    room.recorder.ctl("button", action="release")
    assert room.status()["state"] == "stopped"
    states = [e.event for e in room.entries() if e.event in ("started", "stopped", "paused")]
    assert states.count("stopped") == 1 and states[-1] == "stopped"


def garbage_on_the_serial_line(room, panel) -> None:
    """Garbage changes nothing: no action, and the panel's next valid line is answered."""
    before = room.status()
    for chunk in GARBAGE:
        panel.send(chunk)
    panel.send(b"\n")  # the end of the noise: the next line counts again
    panel.send(pp.encode(pp.Message("P", "HELLO", ("e2e", "1"))))
    panel.wait_for(lambda m: m.kind == "HELLO", timeout_s=5)
    after = room.status()
    assert (after["state"], after["participants"]) == (before["state"], before["participants"])


def clock_set_backwards_is_refused(room):
    status = room.status()
    with pytest.raises(ClockError, match="нельзя перевести назад"):
        room.recorder.ctl("set_clock", epoch_s=status["levels_time"] - 86400)
    assert room.status()["state"] == "recording"


def disk_fills_up_and_is_freed(room, mirrored: bool):
    """Leave 100 MB above the reserve (under the half hour that warns): the early warning
    names the hours left, the full disk closes the part (with the safety copy: the card is
    out and the copy records on, loudly), freeing space resumes the day as the next part. The
    fast feed writes tens of MB a second, some of it while the filler is being allocated, so
    the margin and the warning's span are wide against that."""
    usage = os.statvfs(room.data_dir)
    free = usage.f_bavail * usage.f_frsize
    filler = room.data_dir / "filler.bin"
    with open(filler, "wb") as out:  # allocated in one step, as if it had filled slowly
        os.posix_fallocate(out.fileno(), 0, free - (RESERVE_MB + 100) * 1_000_000)
    full = "medium_master" if mirrored else "disk_full"
    wait_for(lambda: full in room.alarm_codes(), timeout_s=60, what="disk full alarm")
    if mirrored:  # the copy records on, the same part
        assert "not_recording" not in room.alarm_codes()
        part, frames = room.status()["part"], room.status()["part_frames"]
        wait_for(lambda: room.status()["part"] == part
                 and room.status()["part_frames"] > frames + 48000, what="the copy records on")
    else:
        with pytest.raises(StorageError):
            room.recorder.ctl("mark")
    part_before = max(p["part"] for p in room.events("part_closed"))
    filler.unlink()
    wait_for(lambda: (room.status()["part"] or 0) > part_before, timeout_s=30,
             what="a new part after space was freed")


def export_with_a_yank(room, tmp_path) -> tuple[str, str]:
    """The drive is pulled out mid-copy: the source stays intact, the next export completes
    and the coordinator's verify passes; returns verify's words and the report.csv."""
    recordings = room.data_dir / "recordings"
    source = tree_digests(recordings)
    size_mb = int(sum(p.stat().st_size for p in recordings.rglob("*")) * 1.3 / 2**20) + 32
    cfg = ["--config", str(room.config_path)]
    with exfat_drive(tmp_path, size_mb=size_mb) as drive:
        export = subprocess.Popen([sys.executable, "-m", "appliance", "export", *cfg,
                                   str(drive.mount)], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        wait_for(lambda: sum(p.stat().st_size for p in drive.mount.rglob("*")
                             if p.is_file()) > 20_000_000 or export.poll() is not None,
                 timeout_s=120, what="export under way")
        assert export.poll() is None, "the export finished before the drive could be pulled"
        pull_out(drive)
        _, err = export.communicate(timeout=120)
        assert export.returncode != 0
        assert "накопител" in err.lower(), err
        assert tree_digests(recordings) == source

        plug_back(drive)
        appliance("export", *cfg, drive.mount)
        verified = appliance("verify", drive.mount)
        assert tree_digests(recordings) == source
        (report,) = drive.mount.rglob("report.csv")
        return verified.stdout, report.read_text(encoding="utf-8-sig")


def same_on_both_media(room) -> None:
    """After the background copy, the safety copy holds the same day, byte for byte."""
    wait_for(lambda: room.status()["mirror"]["state"] == "ok", timeout_s=300,
             what="the safety copy caught up")
    mirror = Path(room.recorder.config.mirror.path) / "recordings"
    assert tree_digests(room.data_dir / "recordings") == tree_digests(mirror)
    synced = room.events("medium_synced")
    assert synced and all(s["ok"] for s in synced)


@pytest.mark.timeout(900)  # the day with the safety copy also waits for its catch-up copy
def test_an_exam_day_with_faults(room, web, panel, tmp_path):
    mirrored = bool(room.recorder.config.mirror.path)
    user = set_up_through_the_web(room, web)
    status = user.status()
    assert status["configured"] and status["clock"]["ok"] and status["device"]["present"]

    press(room, SHORT_HOLD_S)
    wait_for(lambda: room.status()["state"] == "recording", what="started by a short press")
    presses = []
    for n in range(1, PARTICIPANTS + 1):
        room.wait_recorded(n * SEGMENT_S)
        presses.append(next_participant(room))
        if n in BREAKS_AFTER:
            take_a_break(room)
        if n == GARBAGE_AT:
            garbage_on_the_serial_line(room, panel)
        if n == CLOCK_FAULT_AT:
            clock_set_backwards_is_refused(room)
        if n == DISK_FAULT_AT:
            disk_fills_up_and_is_freed(room, mirrored)
    stuck_button_stops_once(room)

    opened = room.check_audio(min_part_s=1)
    closed = {p["part"]: p["reason"] for p in room.events("part_closed")}
    assert list(closed.values()).count("pause") == len(BREAKS_AFTER)
    assert list(closed.values()).count("medium_returned" if mirrored else "disk_full") == 1
    assert len(opened) == len(BREAKS_AFTER) + 2  # split mode: a new part per break and disk
    participants = [m for m in room.events("marker") if m["kind"] == "participant"]
    assert [m["participant"] for m in participants] == list(range(1, PARTICIPANTS + 1))
    for marker, pressed in zip(participants, presses, strict=True):
        assert abs(marker["capture_frame"] - pressed["capture_frame"]) <= BLOCK_FRAMES
    alarms = [a["code"] for a in room.events("alarm")]
    assert alarms.index("disk_low") < alarms.index("medium_master" if mirrored else "disk_full")
    if mirrored:
        same_on_both_media(room)

    verified, report = export_with_a_yank(room, tmp_path)
    assert "Все проверки пройдены" in verified, verified
    sources = [row["Источник"] for row in csv.DictReader(io.StringIO(report), delimiter=";")]
    expected = "основной носитель; резервная копия совпадает" if mirrored else "основной носитель"
    assert sources and all(s == expected for s in sources), sources
