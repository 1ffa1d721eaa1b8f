"""The part life cycle alone (appliance/recorder/parts.py) over a real day on disk: opening,
sealing, rollover, reopening with the reason marker, and the retry of a closing the disk
refused."""

from __future__ import annotations

import errno
import hashlib
import json
import time

import numpy as np

from appliance.capture.simulated import speech_like
from appliance.contract import layout
from appliance.journal import Event, verify_chain
from appliance.recorder.session import Effect
from tests.recorder_process import part_samples
from tests.unit.partbench import RATE, Bench, fill_up


def sidecars(bench: Bench, file: str) -> dict[str, bool]:
    return {suffix: layout.sidecar(bench.day.dir, file, suffix).exists()
            for suffix in (layout.LABELS_SUFFIX, layout.MARKERS_SUFFIX, layout.SUMMARY_SUFFIX)}


def test_a_part_opens_at_the_capture_frame_and_is_sealed_with_its_digest(tmp_path):
    bench = Bench(tmp_path)
    bench.feed(0.5)  # captured before the part opens: not in it
    bench.parts.open()
    assert bench.parts.part.number == 1 and bench.parts.writer is not None
    assert bench.parts.file == str(bench.day.dir / bench.parts.part.file)
    bench.feed(1.0)
    bench.parts.close("stop")
    assert bench.parts.part is None and bench.parts.writer is None
    (opened,) = bench.lines(Event.PART_OPENED)
    (closed,) = bench.lines(Event.PART_CLOSED)
    path = bench.day.dir / opened["file"]
    assert opened["capture_frame"] == RATE // 2
    header = bytes.fromhex(opened["header"])  # as journaled, its sizes those of no audio
    assert path.read_bytes()[8:len(header) - 4] == header[8:-4]
    assert (closed["frames"], closed["reason"]) == (RATE, "stop")
    assert closed["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert np.array_equal(part_samples(path), speech_like(RATE, RATE // 2, RATE))
    assert all(sidecars(bench, opened["file"]).values())
    bench.parts.close("stop")  # nothing open: nothing more
    assert len(bench.lines(Event.PART_CLOSED)) == 1


def test_a_full_part_rolls_over_into_the_next_without_a_gap(tmp_path):
    # a second of audio, the header and the writer's room for the cues
    bench = Bench(tmp_path, max_part_bytes=RATE * 2 + 1024 + 64 * 1024)
    bench.parts.open()
    bench.feed(2.5)
    bench.parts.close("stop")
    closed = bench.lines(Event.PART_CLOSED)
    assert [c["reason"] for c in closed] == ["rollover", "rollover", "stop"]
    audio = np.concatenate([part_samples(bench.day.dir / c["file"]) for c in closed])
    assert np.array_equal(audio, speech_like(RATE, 0, int(2.5 * RATE)))


def test_a_reopened_part_starts_with_the_marker_saying_why(tmp_path):
    bench = Bench(tmp_path)
    bench.parts.open()
    bench.feed(0.3)
    bench.parts.close("device_lost")
    bench.parts.reopen_label = "marker.after_device"
    bench.parts.reopen()
    (marker,) = bench.lines(Event.MARKER)
    assert (marker["part"], marker["frame"], marker["kind"], marker["label"]) == (
        2, 0, "resume", "Продолжение после отключения микрофона")
    assert bench.refused == []


def test_a_medium_coming_back_closes_the_part_and_goes_on_in_the_next(tmp_path):
    bench = Bench(tmp_path)
    bench.parts.open()
    bench.feed(0.2)
    between = []
    bench.parts.next_part_now("medium_returned",
                              lambda: between.append(bench.parts.writer))
    assert between == [None], "the medium is attached while no part is open"
    assert bench.parts.part.number == 2
    assert [c["reason"] for c in bench.lines(Event.PART_CLOSED)] == ["medium_returned"]
    assert bench.lines(Event.MARKER)[0]["label"] == "Продолжение после возвращения носителя"


def test_a_part_the_disk_refuses_to_open_is_reported_and_tried_again_later(small_disk):
    bench = Bench(small_disk)
    fill_up(small_disk / "filler.bin")
    before = time.monotonic()
    bench.parts.reopen()
    assert [err.errno for err in bench.refused] == [errno.ENOSPC]
    assert bench.parts.retry_open_at >= before + 1.0
    assert bench.parts.writer is None


def test_a_disk_full_during_close_leaves_the_part_for_the_retry_and_the_retry_finishes_it(
        small_disk):
    bench = Bench(small_disk)
    bench.parts.open()
    bench.feed(1.0)
    bench.markers.place(bench.parts.part, Effect.MARK_PARTICIPANT, at_frame=RATE // 2)
    file = bench.parts.part.file
    filler = small_disk / "filler.bin"
    fill_up(filler)
    bench.parts.close("stop")  # refused part-way, never raised
    assert bench.parts.writer is None and bench.parts.part is None
    assert [part.file for part, _ in bench.parts.unfinished] == [file]
    assert not sidecars(bench, file)[layout.SUMMARY_SUFFIX]
    bench.parts.finish()  # still full: kept for the next try
    assert [part.file for part, _ in bench.parts.unfinished] == [file]
    filler.unlink()
    bench.parts.finish()
    assert bench.parts.unfinished == []
    assert all(sidecars(bench, file).values())
    (sealed,) = bench.lines(Event.PART_CLOSED)
    path = bench.day.dir / file
    assert sealed["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert np.array_equal(part_samples(path), speech_like(RATE, 0, RATE))
    summary = json.loads(layout.sidecar(bench.day.dir, file, layout.SUMMARY_SUFFIX).read_text())
    assert (summary["frames"], summary["duration_s"]) == (RATE, 1.0)
    markers = json.loads(layout.sidecar(bench.day.dir, file, layout.MARKERS_SUFFIX).read_text())
    assert [(m["frame"], m["participant"]) for m in markers["markers"]] == [(RATE // 2, 1)]
    assert verify_chain(bench.day.journal.path) is None


def test_closing_a_part_ends_the_answer_of_the_participant_in_it(tmp_path):
    bench = Bench(tmp_path)
    bench.parts.open()
    bench.markers.place(bench.parts.part, Effect.MARK_PARTICIPANT)
    bench.feed(1.0)
    bench.parts.close("pause")
    (check,) = bench.lines(Event.PARTICIPANT_CHECK)
    assert (check["participant"], check["part"], check["final"]) == (1, 1, True)
    assert bench.tracker.segment is None
