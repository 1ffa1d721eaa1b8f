"""The real capture path (PyAudio → PortAudio → ALSA `file` device) in a real recorder
process: every part is bit-identical to the fed samples, in both pause modes."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os

import numpy as np
import pytest

from appliance.capture.wavfile import read_info
from appliance.journal import verify_chain
from tests.feeds import make_fast_feed
from tests.recorder_process import RecorderProcess, journal, part_samples, write_config

FEED_S = 1800


@pytest.fixture
def fast_recorder(tmp_path, request):
    mode = request.param
    feed = make_fast_feed(tmp_path / "home", FEED_S)
    config = write_config(tmp_path / "appliance.toml", tmp_path / "data", device="examfeed",
                          recording={"pause_mode": mode})
    rec = RecorderProcess(config, env=feed.process_env()).start()
    yield rec, feed
    rec.terminate()


def run_day(rec: RecorderProcess) -> dict:
    """start, mark, pause, resume, mark with a label, stop; returns the markers returned."""
    rec.ctl("start")
    first = rec.ctl("mark")["marker"]
    rec.ctl("pause")
    rec.ctl("resume")
    second = rec.ctl("mark", label="Участник 2, вариант 3")["marker"]
    final = rec.ctl("stop")
    assert final["state"] == "stopped"
    return {"first": first, "second": second}


def events(day_dir, name):
    return [e.data for e in journal(day_dir) if e.event == name]


@pytest.mark.parametrize("fast_recorder", ["split"], indirect=True)
def test_split_mode_parts_are_exact_stretches_of_the_feed(fast_recorder):
    rec, feed = fast_recorder
    returned = run_day(rec)
    (day_dir,) = rec.day_dirs
    today = dt.date.today().isoformat()
    opened = events(day_dir, "part_opened")
    assert [p["file"] for p in opened] == [f"{today}_ОО-640101_ауд-0005_часть-1.wav",
                                           f"{today}_ОО-640101_ауд-0005_часть-2.wav"]
    closed = {p["part"]: p for p in events(day_dir, "part_closed")}
    for part in opened:
        samples = part_samples(day_dir / part["file"])
        start = part["capture_frame"]
        assert start + len(samples) < len(feed.samples), "feed too short for this test"
        assert len(samples) == closed[part["part"]]["frames"] > 0
        assert np.array_equal(samples, feed.samples[start:start + len(samples)])
    # the pause is a gap in the feed: part 2 starts where the resume command took effect
    markers = events(day_dir, "marker")
    pause = next(m for m in markers if m["kind"] == "pause")
    resume = next(m for m in markers if m["kind"] == "resume")
    assert pause["capture_frame"] == opened[0]["capture_frame"] + closed[1]["frames"]
    assert resume["capture_frame"] == opened[1]["capture_frame"]
    assert resume["capture_frame"] >= pause["capture_frame"]
    # markers sit at the sample the command took effect, in the journal, the sidecars and cues
    for returned_marker in returned.values():
        entry = next(m for m in markers if m["label"] == returned_marker["label"])
        part_start = opened[entry["part"] - 1]["capture_frame"]
        assert entry["frame"] == returned_marker["frame"] == entry["capture_frame"] - part_start
    part2 = day_dir / opened[1]["file"]
    index = json.loads(part2.with_suffix(".markers.json").read_text("utf-8"))
    assert [(m["kind"], m["frame"]) for m in index["markers"]] == [
        (m["kind"], m["frame"]) for m in markers if m["part"] == 2]
    labels = part2.with_suffix(".txt").read_text("utf-8").splitlines()
    # a typed label stays in the journal: the files say the participant's number only
    second = returned["second"]
    assert labels[1].split("\t") == [f"{second['frame'] / 48000:.6f}"] * 2 + [
        f"Участник {second['participant']}"]
    assert [(c.frame, c.label) for c in read_info(part2).cues] == [
        (m["frame"], m["label"] if m["participant"] is None else f"Участник {m['participant']}")
        for m in index["markers"]]
    assert verify_chain(day_dir / "journal.jsonl") is None


@pytest.mark.parametrize("fast_recorder", ["continue"], indirect=True)
def test_continue_mode_joins_the_stretches_exactly_at_the_pause(fast_recorder):
    rec, feed = fast_recorder
    run_day(rec)
    (day_dir,) = rec.day_dirs
    (part,) = events(day_dir, "part_opened")
    samples = part_samples(day_dir / part["file"])
    markers = events(day_dir, "marker")
    pause = next(m for m in markers if m["kind"] == "pause")
    resume = next(m for m in markers if m["kind"] == "resume")
    assert pause["frame"] == resume["frame"], "paused time is not recorded"
    start, cut = part["capture_frame"], pause["frame"]
    expected = np.concatenate([feed.samples[start:start + cut],
                               feed.samples[resume["capture_frame"]:
                                            resume["capture_frame"] + len(samples) - cut]])
    assert resume["capture_frame"] + len(samples) - cut < len(feed.samples)
    assert np.array_equal(samples, expected)
    assert part["file"].endswith("_часть-1.wav")


@pytest.mark.parametrize("fast_recorder", ["split"], indirect=True)
def test_every_recorder_thread_runs_on_the_last_core(fast_recorder):
    """PortAudio's callback thread and the pipeline share one core (appliance/recorder/cpu.py)."""
    rec, _ = fast_recorder
    rec.ctl("start")  # capturing and writing: every thread of the day is running
    allowed = os.sched_getaffinity(0)
    expected = {max(allowed)} if len(allowed) > 1 else allowed
    cores = []
    for tid in os.listdir(f"/proc/{rec.proc.pid}/task"):
        with contextlib.suppress(ProcessLookupError):  # a short-lived thread that just ended
            cores.append(frozenset(os.sched_getaffinity(int(tid))))
    assert len(cores) >= 3
    assert set(cores) == {frozenset(expected)}
    rec.ctl("stop")
