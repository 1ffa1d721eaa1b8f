"""The markers alone (appliance/recorder/markers.py) over a real open part: placed back at the
frame the command was given at, never before the part, and a participant marker ending the
previous participant's check."""

from __future__ import annotations

import json

from appliance.contract import layout
from appliance.journal import Event
from appliance.recorder.session import Effect
from tests.unit.partbench import RATE, Bench


def opened_late(tmp_path) -> Bench:
    """A part opened at capture frame 24000 (0.5 s), 2 s recorded into it since."""
    bench = Bench(tmp_path)
    bench.feed(0.5)
    bench.parts.open()
    bench.feed(2.0)
    assert (bench.progress.frames, bench.parts.writer.frames) == (2.5 * RATE, 2 * RATE)
    return bench


def test_a_marker_lands_at_the_frame_of_the_buttons_first_contact(tmp_path):
    bench = opened_late(tmp_path)
    pressed = int(1.5 * RATE)  # capture frame of the first contact: 1 s into the part
    marker = bench.markers.place(bench.parts.part, Effect.MARK_PARTICIPANT, at_frame=pressed)
    assert marker == {"part": 1, "frame": RATE, "time_s": 1.0, "kind": "participant",
                      "label": "Участник 1", "participant": 1}
    (line,) = bench.lines(Event.MARKER)
    assert (line["frame"], line["capture_frame"]) == (RATE, pressed)
    labels = layout.sidecar(bench.day.dir, bench.parts.part.file, layout.LABELS_SUFFIX)
    assert labels.read_text() == "1.000000\t1.000000\tУчастник 1\n"


def test_a_command_given_before_the_part_opened_marks_its_first_sample(tmp_path):
    bench = opened_late(tmp_path)
    marker = bench.markers.place(bench.parts.part, Effect.MARK_PAUSE, at_frame=RATE // 4)
    assert (marker["frame"], marker["kind"], marker["label"]) == (0, "pause", "Пауза")
    now = bench.markers.place(bench.parts.part, Effect.MARK_STOP, label="Конец дня")
    assert (now["frame"], now["label"]) == (2 * RATE, "Конец дня"), "no frame: the newest one"


def test_the_next_participant_ends_the_previous_ones_check(tmp_path):
    bench = opened_late(tmp_path)
    bench.markers.place(bench.parts.part, Effect.MARK_PARTICIPANT, at_frame=RATE // 2)
    assert bench.lines(Event.PARTICIPANT_CHECK) == []
    bench.feed(1.0)
    second = bench.markers.place(bench.parts.part, Effect.MARK_PARTICIPANT, requested=5)
    (check,) = bench.lines(Event.PARTICIPANT_CHECK)
    assert (check["participant"], check["final"]) == (1, True)
    assert second["participant"] == 5 and bench.tracker.segment["participant"] == 5
    index = json.loads(layout.sidecar(bench.day.dir, bench.parts.part.file,
                                      layout.MARKERS_SUFFIX).read_text())
    assert [(m["frame"], m["participant"]) for m in index["markers"]] == [(0, 1), (3 * RATE, 5)]


def test_no_part_open_no_marker(tmp_path):
    bench = Bench(tmp_path)
    assert bench.markers.place(None, Effect.MARK_PARTICIPANT) is None
    assert bench.lines(Event.MARKER) == []


def test_a_state_change_is_journaled_where_its_marker_will_be(tmp_path):
    bench = Bench(tmp_path)
    opening = (Effect.OPEN_PART, Effect.MARK_START)
    assert bench.markers.intent_position(None, opening, at_frame=0) == (1, 0)
    assert bench.markers.intent_position(None, (Effect.MARK_STOP,), at_frame=0) == (None, None)
    bench.feed(0.5)
    bench.parts.open()
    bench.feed(2.0)
    pause = (Effect.MARK_PAUSE, Effect.CLOSE_PART)
    assert bench.markers.intent_position(bench.parts.part, pause, at_frame=RATE) == (1, RATE // 2)
