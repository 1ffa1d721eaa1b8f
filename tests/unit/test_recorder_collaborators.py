"""The recorder's small collaborators alone: the alarm board, the verdict journal, the
command queue."""

from __future__ import annotations

import threading

import pytest

from appliance.dsp.alarms import Alarm, AlarmChange
from appliance.errors import ControlError, StateError
from appliance.journal import Event
from appliance.recorder.alarm_board import AlarmBoard, VerdictJournal
from appliance.recorder.commands import Command, CommandQueue
from appliance.recorder.session import Action
from tests.feeds import wait_for


class Journal:
    """Records lines; refuses them (a full disk) while `full`."""

    def __init__(self) -> None:
        self.lines: list[tuple[Event, dict]] = []
        self.full = False

    def __call__(self, event: Event, **data) -> bool:
        if self.full:
            return False
        self.lines.append((event, data))
        return True


def test_alarm_is_on_once_and_journaled_at_the_open_part_even_if_the_line_is_refused():
    journal = Journal()
    board = AlarmBoard(journal, where=lambda: (2, 4800), clock=lambda: 100.0)
    journal.full = True
    board.raise_alarm("disk_full", "Диск заполнен", "Освободите место")
    assert board.active["disk_full"] == {"code": "disk_full", "message": "Диск заполнен",
                                         "hint": "Освободите место", "since": 100.0}
    journal.full = False
    board.raise_alarm("disk_full", "again")  # already on: nothing new
    board.raise_alarm("storage", "Диск только для чтения")
    board.clear("storage")
    board.clear("storage")  # not on: no second line
    assert journal.lines == [
        (Event.ALARM, {"code": "storage", "message": "Диск только для чтения", "part": 2,
                       "frame": 4800}),
        (Event.ALARM_CLEARED, {"code": "storage", "message": "", "part": None,
                               "frame": None})]
    assert "disk_full" in board and "storage" not in board


def test_sound_alarms_are_journaled_only_while_recording():
    journal = Journal()
    board = AlarmBoard(journal, where=lambda: (1, 960), clock=lambda: 5.0)
    silence = Alarm("silence", "Тишина", "", 12.5, 0.0)
    board.sound_changed(AlarmChange(silence, True), journaled=False)
    assert "silence" in board and journal.lines == []
    board.sound_changed(AlarmChange(silence, False), journaled=True)
    assert "silence" not in board
    assert journal.lines == [(Event.ALARM_CLEARED, {"code": "silence", "message": "Тишина",
                                                    "value": 12.5, "part": 1, "frame": 960})]


def test_verdict_lines_refused_by_a_full_disk_are_written_later_in_order():
    journal = Journal()
    verdicts = VerdictJournal(journal, clock=lambda: 200.04)
    on = {"code": "not_recording", "cause": "disk_full", "message": "Запись не идёт",
          "since": 150.0}
    journal.full = True
    verdicts.update(on)
    verdicts.update(on)  # unchanged: nothing new owed
    journal.full = False
    verdicts.update(on)  # unchanged and still on: the owed line waits for audio to flow
    assert journal.lines == []
    verdicts.update(None)
    assert [(event, data.get("cause"), data["since"]) for event, data in journal.lines] == [
        (Event.ALARM, "disk_full", 150.0), (Event.ALARM_CLEARED, None, 200.0)]


def test_commands_are_due_at_their_capture_frame_and_always_answered():
    queue = CommandQueue(timeout_s=5)
    results: dict[str, object] = {}

    def submit(name: str, frame: int) -> None:
        try:
            results[name] = queue.submit(Command(Action.MARK, {"n": name}, frame))
        except StateError as err:
            results[name] = err.code

    threads = [threading.Thread(target=submit, args=args) for args in (("a", 100), ("b", 500))]
    for thread in threads:
        thread.start()
    wait_for(lambda: len(queue._pending) == 2, what="both commands queued")
    seen = []
    queue.apply_due(99, seen.append)
    assert seen == []

    def answer(command):
        command.result = {"done": command.args["n"]}

    def refuse(command):
        command.error = StateError("recorder.no_device")

    queue.apply_due(499, answer)
    queue.apply_due(0, refuse, force=True)
    for thread in threads:
        thread.join(5)
    assert results == {"a": {"done": "a"}, "b": "recorder.no_device"}


def test_a_command_is_answered_even_when_applying_it_fails():
    queue = CommandQueue(timeout_s=5)
    command = Command(Action.STOP, {}, 0)
    queue._pending.append(command)

    def crash(_):
        raise RuntimeError("bug")

    with pytest.raises(RuntimeError):
        queue.apply_due(0, crash)
    assert command.done.is_set()


def test_a_command_nobody_applies_times_out():
    queue = CommandQueue(timeout_s=0.05)
    with pytest.raises(ControlError):
        queue.submit(Command(Action.START, {}, 0))
