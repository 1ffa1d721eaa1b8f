"""What the recorder does when the recordings' disk fills up, frees up or refuses a write.

A full disk (the reserve reached, or ENOSPC from whoever filled it) closes the part while the
reserve still holds its seal and resumes in a new part when space returns; a read-only disk or
any other write error closes the part as well as it can and stays an alarm until a part opens
again. Every alarm is on in memory before anything is written: the journal may refuse its line
too. The same facts say why a start or a marker is refused when the disk is the reason.

Runs on the recorder's pipeline thread only.
"""

from __future__ import annotations

import errno

from appliance import i18n
from appliance.errors import StorageError
from appliance.journal import Event
from appliance.recorder.alarm_board import AlarmBoard, Record
from appliance.recorder.media import describe
from appliance.recorder.parts import PartCycle
from appliance.recorder.sinks.progress import CaptureProgress
from appliance.recorder.storage import DiskGuard
from appliance.recorder.supervisor import Cause, WriteSupervisor

DISK_FULL_ERRNOS = (errno.ENOSPC, errno.EDQUOT)

i18n.register({
    "recorder.disk_full": ("Недостаточно места на диске: свободно {free_mb} МБ",
                           "Not enough disk space: {free_mb} MB free"),
    "recorder.storage_failed": ("Диск с записями не принимает запись: {detail}",
                                "The recordings' disk refuses writes: {detail}"),
    "recorder.read_only": ("Диск с записями доступен только для чтения: запись невозможна. "
                           "Перезапустите устройство; если не поможет, замените SD-карту",
                           "The recordings' disk is read-only: nothing can be recorded. "
                           "Restart the box; if that does not help, replace the SD card"),
})


class DiskReactions:
    """Turns the disk guard's readings and the disk's refusals into alarms, the supervisor's
    cause, the closing of the part in `parts` and the journal lines (through `record`)."""

    def __init__(self, guard: DiskGuard, parts: PartCycle, alarms: AlarmBoard,
                 supervisor: WriteSupervisor, record: Record, progress: CaptureProgress) -> None:
        self._guard = guard
        self._parts = parts
        self._alarms = alarms
        self._supervisor = supervisor
        self._record = record
        self._progress = progress

    def watch(self, recording: bool) -> None:
        """Read the free space and act on it: the low-space warning, suspending a part (or a
        recording that wants one) on a full disk, and, once space is back, the journal line
        and the completion of the parts the full disk left unfinished."""
        reading = self._guard.check()
        if reading is None:
            return
        alarms = self._alarms
        if reading.low and not reading.full:
            alarms.raise_alarm("disk_low", i18n.text("disk.low", hours=reading.hours_left),
                               i18n.text("disk.low.hint"))
        else:
            alarms.clear("disk_low")
        if reading.full and (self._parts.writer or (recording and "disk_full" not in alarms)):
            self.suspend(f"free {reading.free_bytes} B")
        elif not reading.full and "disk_full" in alarms:
            alarms.clear("disk_full")
            self._record(Event.DISK_RECOVERED, free_bytes=reading.free_bytes)
            self._parts.finish()

    def suspend(self, detail: str) -> None:
        """Close the part while the reserve still holds its seal; resume when space returns.
        The alarm is on in memory before anything is written (a disk filled by another
        writer may refuse even the journal line)."""
        first = not self._guard.full or "disk_full" not in self._alarms
        self._guard.full = True
        self._supervisor.blocked(Cause.DISK_FULL, detail)
        self._alarms.raise_alarm("disk_full", i18n.text("disk.full"),
                                 i18n.text("disk.full.hint"))
        self._parts.close("disk_full")
        if first:
            self._record(Event.DISK_FULL, detail=detail, capture_frame=self._progress.frames)
        self._parts.reopen_label = "marker.after_disk"

    def failed(self, err: OSError) -> None:
        """The data disk refused a write: full (whoever filled it) takes the reserve's path;
        read-only or any other error closes the part as well as it can and is an alarm until
        a part opens again."""
        if err.errno in DISK_FULL_ERRNOS:
            self.suspend(describe(err))
            return
        read_only = err.errno == errno.EROFS
        self._supervisor.blocked(Cause.READ_ONLY if read_only else Cause.WRITE_ERROR,
                                 describe(err))
        self._alarms.raise_alarm("storage", i18n.text("recorder.read_only") if read_only else
                                 i18n.text("recorder.storage_failed", detail=describe(err)))
        self._parts.close("write_error")
        self._parts.reopen_label = "marker.after_disk_error"

    def refusal(self) -> StorageError | None:
        """Why the disk takes nothing now (full, read-only, failing), for a refused start,
        resume or marker; None when the disk is not the reason."""
        if self._guard.full and self._guard.reading:
            return StorageError("recorder.disk_full",
                                free_mb=self._guard.reading.free_bytes // 1_000_000)
        if self._supervisor.cause is Cause.READ_ONLY:
            return StorageError("recorder.read_only")
        if self._supervisor.cause is Cause.WRITE_ERROR:
            return StorageError("recorder.storage_failed", detail=self._supervisor.detail)
        return None
