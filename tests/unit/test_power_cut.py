"""The power-cut campaign: a cut inside every kind of write the recorder makes (each kind of
journal line, the WAV header, audio, size fields and trailer, the marker files, the summary),
and just after each kind of journal line. The disk as it was at the cut is copied aside, with
the write in flight torn in half (or not begun), and the recorder is started on that copy.

Property: after recovery and the restart the session is in the user's last intent (the last
command that answered before the cut; the one in flight counts only if its line is whole), no
effect of a command is on disk without its intent, every part is a valid WAV and no sample
differs from the simulated microphone's.

The microphone is the simulated one (deterministic by frame index) so that a cut can be placed
at an exact write; the real capture path is killed for real in tests/integration.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from pathlib import Path

import numpy as np
import pytest

from appliance.capture.simulated import SimulatedSource
from appliance.capture.wavfile import read_info
from appliance.clock import ClockGuard
from appliance.journal import read_entries
from appliance.recorder.core import Recorder
from tests.feeds import wait_for
from tests.recorder_process import part_samples
from tests.unit.test_recorder_core import expected, make_config

STATE_OF = {"started": "recording", "resumed": "recording", "paused": "paused",
            "stopped": "stopped"}
SCENARIO = (("start", "recording"), ("mark", None), ("pause", "paused"),
            ("resume", "recording"), ("mark", None), ("stop", "stopped"))


class PowerCut(BaseException):
    """The power went: nothing after this reaches the disk (copied aside before)."""


def kind_of(data_dir: Path, fd: int, data: bytes, offset: int | None) -> str | None:
    """Which kind of write this is, for writes under `data_dir`; None for others."""
    try:
        path = Path(os.readlink(f"/proc/self/fd/{fd}"))
    except OSError:
        return None
    if not path.is_relative_to(data_dir):
        return None
    name = path.name
    if name == "journal.jsonl":
        try:
            return "journal:" + json.loads(data)["event"]
        except ValueError:
            return "journal:?"
    if name.endswith(".wav"):
        if offset is None:
            return "wav:header" if os.lseek(fd, 0, os.SEEK_CUR) == 0 else "wav:data"
        return "wav:sizes" if len(data) == 4 else "wav:trailer"
    for suffix, kind in ((".txt", "side:labels"), (".markers.json", "side:markers"),
                         (".summary.json", "side:summary"), ("clock.json", "clock")):
        if suffix in name:
            return kind
    return "other:" + name


class Cutter:
    """Counts the writes of each kind; at occurrence `nth` of `kind` writes `fraction` of it,
    copies the data folder aside and raises PowerCut."""

    def __init__(self, monkeypatch, data_dir: Path, snapshot: Path, kind: str | None,
                 nth: int = 1, fraction: float = 0.5) -> None:
        self.data_dir, self.snapshot = data_dir, snapshot
        self.kind, self.nth, self.fraction = kind, nth, fraction
        self.seen: dict[str, int] = {}
        self.cutting = False
        self.cut = threading.Event()
        """Set once the disk as it was at the cut has been copied aside."""
        real_write, real_writev, real_pwrite = os.write, os.writev, os.pwrite

        def write(fd, data):
            self._maybe_cut(fd, data, None, real_write, real_pwrite)
            return real_write(fd, data)

        def writev(fd, buffers):
            self._maybe_cut(fd, b"".join(buffers), None, real_write, real_pwrite)
            return real_writev(fd, buffers)

        def pwrite(fd, data, offset):
            self._maybe_cut(fd, data, offset, real_write, real_pwrite)
            return real_pwrite(fd, data, offset)

        monkeypatch.setattr(os, "write", write)
        monkeypatch.setattr(os, "writev", writev)
        monkeypatch.setattr(os, "pwrite", pwrite)

    def _maybe_cut(self, fd, data, offset, real_write, real_pwrite) -> None:
        if self.cutting:
            return
        kind = kind_of(self.data_dir, fd, bytes(data), offset)
        if kind is None:
            return
        self.seen[kind] = self.seen.get(kind, 0) + 1
        if kind != self.kind or self.seen[kind] != self.nth:
            return
        self.cutting = True
        torn = bytes(data)[:int(len(data) * self.fraction)]
        if torn:
            if offset is None:
                real_write(fd, torn)
            else:
                real_pwrite(fd, torn, offset)
        shutil.copytree(self.data_dir, self.snapshot)
        self.cut.set()
        raise PowerCut(kind)


def run_scenario(config, cutter: Cutter) -> int:
    """The day's commands until the power goes; returns how many of them were answered."""
    recorder = Recorder(config, SimulatedSource(realtime=False), ClockGuard(config.data_dir))
    recorder.start()
    answered = 0
    try:
        wait_for(lambda: recorder.device_present, what="simulated device")
        for command, _ in SCENARIO:
            if cutter.cutting:
                break
            try:
                result = recorder.handle(command)
            except Exception:
                break
            if result is None or cutter.cut.is_set():  # the pipeline died under the command
                break
            answered += 1
            wait_for(lambda: cutter.cut.is_set() or recorder.status()["part_frames"] > 24000
                     or recorder.state.value != "recording", what="audio written")
    finally:
        if cutter.cutting:
            cutter.cut.wait(30)
            _abandon(recorder)
        else:
            recorder.close()
    return answered


def _abandon(recorder: Recorder) -> None:
    """After the cut: stop the threads, leave the (original) folder as it is."""
    recorder.source.stop()
    recorder._stopping.set()


def intent_after(commands: int) -> str:
    """The session state the first `commands` of the scenario ask for."""
    return ([s for _, s in SCENARIO[:commands] if s] or ["idle"])[-1]


def check_restart(config, answered_commands: int, cut_kind: str) -> None:
    answered = intent_after(answered_commands)
    in_flight = intent_after(answered_commands + 1)
    entries = read_entries(Path(config.data_dir) / "recordings" / next(
        p.name for p in (Path(config.data_dir) / "recordings").iterdir()) / "journal.jsonl") \
        if (Path(config.data_dir) / "recordings").exists() else []
    states = [STATE_OF[e.event] for e in entries if e.event in STATE_OF]
    journaled = states[-1] if states else "idle"
    assert journaled in (answered, in_flight), (cut_kind, answered, journaled)
    if states:  # no effect of a command on disk without its intent before it
        last_state_seq = max(e.seq for e in entries if e.event in STATE_OF)
        opened_after = [e for e in entries if e.event == "part_opened"
                        and e.seq > last_state_seq]
        assert not opened_after or journaled == "recording", cut_kind

    recorder = Recorder(config, SimulatedSource(realtime=False), ClockGuard(config.data_dir))
    recorder.start()
    try:
        wait_for(lambda: recorder.device_present, what="simulated device")
        assert recorder.status()["state"] in (journaled, "idle" if journaled == "stopped"
                                              else journaled), cut_kind
        if journaled == "recording":
            wait_for(lambda: recorder.status()["part_frames"] > 4800, timeout_s=20,
                     what=f"recording again after a cut at {cut_kind}")
            assert not [a for a in recorder.status()["alarms"] if a["code"] == "not_recording"]
    finally:
        recorder.close()
    day_dirs = list((Path(config.data_dir) / "recordings").glob("*/"))
    for day_dir in day_dirs:
        entries = read_entries(day_dir / "journal.jsonl")
        restarts = [e.data["state"] for e in entries if e.event == "recorder_started"]
        assert restarts == ([journaled] if journaled in ("recording", "paused") else []), \
            cut_kind
        opened = [e.data for e in entries if e.event == "part_opened"]
        closed = {e.data["part"] for e in entries if e.event == "part_closed"}
        assert closed == {p["part"] for p in opened}, (cut_kind, "every part sealed")
        for part in opened:
            path = day_dir / part["file"]
            read_info(path)
            assert subprocess.run(["sox", "--i", str(path)], capture_output=True).returncode == 0
            samples = part_samples(path)
            assert np.array_equal(samples, expected(part["capture_frame"], len(samples))), \
                (cut_kind, part["file"])
            assert path.with_suffix(".summary.json").exists(), (cut_kind, part["file"])


CUTS = [  # (kind, occurrence, fraction of the write that reached the disk)
    ("journal:day_opened", 1, 0.5), ("journal:started", 1, 0.5), ("journal:started", 1, 0.0),
    ("journal:part_opened", 1, 0.5), ("journal:part_opened", 1, 0.0),
    ("wav:header", 1, 0.5), ("wav:data", 1, 0.5), ("wav:data", 5, 0.3), ("wav:sizes", 1, 0.5),
    ("journal:marker", 1, 0.5), ("journal:marker", 2, 0.0), ("side:labels", 1, 0.5),
    ("side:markers", 1, 0.5), ("journal:paused", 1, 0.5), ("journal:paused", 1, 0.0),
    ("wav:trailer", 1, 0.5), ("journal:part_closed", 1, 0.5), ("side:summary", 1, 0.5),
    ("journal:resumed", 1, 0.5), ("journal:resumed", 1, 0.0), ("journal:part_opened", 2, 0.0),
    ("wav:header", 2, 0.0), ("journal:stopped", 1, 0.5), ("journal:stopped", 1, 0.0),
    ("wav:trailer", 2, 0.7), ("journal:part_closed", 2, 0.0),
]


@pytest.mark.parametrize(("kind", "nth", "fraction"), CUTS,
                         ids=[f"{k}#{n}@{f}" for k, n, f in CUTS])
def test_power_cut(tmp_path, monkeypatch, kind, nth, fraction):
    config = make_config(tmp_path / "live")
    snapshot = tmp_path / "cut" / "data"
    cutter = Cutter(monkeypatch, Path(config.data_dir), snapshot, kind, nth, fraction)
    answered = run_scenario(config, cutter)
    monkeypatch.undo()
    assert cutter.cut.is_set(), f"{kind} #{nth} never happened: {cutter.seen}"
    restarted = make_config(tmp_path / "cut")
    check_restart(restarted, answered, kind)
