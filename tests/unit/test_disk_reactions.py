"""The disk reactions alone (appliance/recorder/disk_reactions.py): a full disk, a read-only
one and any other write error each take their own path; a disk filling up and freed again on
a real (tmpfs) file system."""

from __future__ import annotations

import errno
import os

import pytest

from appliance.journal import Event
from appliance.recorder.supervisor import Cause
from tests.unit.partbench import RATE, Bench, fill_up

MB = 1_000_000


def writing(folder) -> Bench:
    bench = Bench(folder)
    bench.guard.check()
    bench.parts.open()
    bench.feed(0.5)
    return bench


def test_a_full_disk_suspends_the_part_until_space_returns(tmp_path):
    bench = writing(tmp_path)
    bench.reactions.failed(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
    assert bench.guard.full and "disk_full" in bench.alarms and "storage" not in bench.alarms
    assert bench.supervisor.cause is Cause.DISK_FULL
    assert [c["reason"] for c in bench.lines(Event.PART_CLOSED)] == ["disk_full"]
    (full,) = bench.lines(Event.DISK_FULL)
    assert (full["detail"], full["capture_frame"]) == (
        "No space left on device (ENOSPC)", RATE // 2)
    assert bench.parts.reopen_label == "marker.after_disk"
    refusal = bench.reactions.refusal()
    assert refusal.code == "recorder.disk_full"
    assert refusal.message().startswith("Недостаточно места на диске: свободно ")
    bench.reactions.failed(OSError(errno.EDQUOT, os.strerror(errno.EDQUOT)))
    assert len(bench.lines(Event.DISK_FULL)) == 1, "still the same full disk: one line"


@pytest.mark.parametrize("code, cause, message", [
    (errno.EROFS, Cause.READ_ONLY,
     "Диск с записями доступен только для чтения: запись невозможна. Перезапустите "
     "устройство; если не поможет, замените SD-карту"),
    (errno.EIO, Cause.WRITE_ERROR,
     "Диск с записями не принимает запись: Input/output error (EIO)")])
def test_a_read_only_disk_or_a_write_error_closes_the_part_and_stays_an_alarm(
        tmp_path, code, cause, message):
    bench = writing(tmp_path)
    bench.reactions.failed(OSError(code, os.strerror(code)))
    assert not bench.guard.full and "disk_full" not in bench.alarms
    assert bench.alarms.active["storage"]["message"] == message
    assert bench.supervisor.cause is cause
    assert [c["reason"] for c in bench.lines(Event.PART_CLOSED)] == ["write_error"]
    assert bench.lines(Event.DISK_FULL) == []
    assert bench.parts.reopen_label == "marker.after_disk_error"
    assert bench.reactions.refusal().message() == message
    bench.parts.reopen()  # the disk takes writes again: the alarm goes with the new part
    assert "storage" not in bench.alarms
    assert bench.lines(Event.MARKER)[0]["label"] == "Продолжение после ошибки записи на диск"


def test_a_disk_taking_writes_is_no_reason_for_a_refusal(tmp_path):
    bench = writing(tmp_path)
    assert bench.reactions.refusal() is None


def test_a_disk_filling_up_closes_the_part_and_space_coming_back_finishes_it(small_disk):
    """The disk fills to the last byte (another writer): the part's closing is refused
    part-way and left unfinished; once space is back it is completed."""
    bench = Bench(small_disk, reserve_bytes=2 * MB)
    bench.parts.open()
    bench.feed(1.0)
    file = bench.parts.part.file
    filler = small_disk / "filler.bin"
    fill_up(filler)
    bench.reactions.watch(recording=True)
    assert bench.parts.writer is None and "disk_full" in bench.alarms
    assert [part.file for part, _ in bench.parts.unfinished] == [file]
    bench.reactions.watch(recording=True)  # still full, nothing open: nothing new
    filler.unlink()
    bench.reactions.watch(recording=True)
    assert "disk_full" not in bench.alarms and not bench.guard.full
    assert bench.parts.unfinished == []
    (recovered,) = bench.lines(Event.DISK_RECOVERED)
    assert recovered["free_bytes"] >= 4 * MB
    assert [c["part"] for c in bench.lines(Event.PART_CLOSED)] == [1]


def test_a_recording_without_a_part_on_a_full_disk_is_suspended_once(small_disk):
    """Recording is wanted but the reserve is reached before any part opened: the alarm and
    one journal line, nothing to close."""
    bench = Bench(small_disk, reserve_bytes=4 * MB)
    (small_disk / "filler.bin").write_bytes(b"\0" * 9 * MB)
    bench.reactions.watch(recording=False)
    assert "disk_full" not in bench.alarms, "not recording, no part: nothing to suspend"
    bench.reactions.watch(recording=True)
    bench.reactions.watch(recording=True)
    assert "disk_full" in bench.alarms and bench.guard.full
    assert len(bench.lines(Event.DISK_FULL)) == 1
    assert bench.lines(Event.PART_CLOSED) == []
