"""Watching the recordings' free space so a full disk never corrupts the record.

Audio stops being written while `reserve_bytes` are still free: the journal, the part's seal,
its marker files and summary need that room to close the part validly, and a real ENOSPC in
the middle of a write is then only a fallback. Recording resumes (as the next part) once
twice the reserve is free again, so a disk hovering at the limit does not make a part per
second. "Hours left" counts only the space above the reserve.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from appliance import i18n

i18n.register({
    "disk.low": ("Мало места на диске: осталось {hours} ч записи",
                 "Low disk space: {hours} h of recording left"),
    "disk.low.hint": ("Сделайте выгрузку на USB-накопитель и удалите старые записи "
                      "после окончания срока хранения",
                      "Export to a USB drive and purge recordings past their retention date"),
    "disk.full": ("Диск заполнен: запись приостановлена, текущая часть закрыта",
                  "Disk full: recording suspended, the current part is closed"),
    "disk.full.hint": ("Освободите место (выгрузка и удаление старых записей): запись "
                       "продолжится новой частью сама",
                       "Free some space (export, purge old recordings): recording resumes "
                       "as a new part by itself"),
})


@dataclass(frozen=True)
class DiskReading:
    free_bytes: int
    hours_left: float
    low: bool
    full: bool

    def to_dict(self) -> dict:
        return {"free_bytes": self.free_bytes, "hours_left": self.hours_left, "low": self.low,
                "full": self.full}


class DiskGuard:
    """Reads free space at most once per `check_bytes` written or `check_s` elapsed."""

    def __init__(self, path: str | os.PathLike, bytes_per_hour: int, reserve_bytes: int,
                 warn_hours: float, check_s: float = 1.0, monotonic=time.monotonic) -> None:
        self.path = Path(path)
        self.bytes_per_hour = bytes_per_hour
        self.reserve_bytes = reserve_bytes
        self.warn_hours = warn_hours
        self.check_bytes = max(1, bytes_per_hour // 3600)  # one second of audio
        self.check_s = check_s
        self._monotonic = monotonic
        self._written_since = 0
        self._last_check = float("-inf")
        self.reading: DiskReading | None = None
        self.full = False

    def wrote(self, count: int) -> None:
        self._written_since += count

    def due(self) -> bool:
        """Time for a reading: a second of audio written, `check_s` passed, or, while full,
        a quarter of that (recording resumes soon after space returns)."""
        interval_s = self.check_s / 4 if self.full else self.check_s
        return (self._written_since >= self.check_bytes
                or self._monotonic() - self._last_check >= interval_s)

    def check(self) -> DiskReading | None:
        """A fresh reading; None when the file system cannot be read (then nothing changes)."""
        self._written_since, self._last_check = 0, self._monotonic()
        try:
            usage = os.statvfs(self.path)
        except OSError:
            return self.reading
        free = usage.f_bavail * usage.f_frsize
        if self.full:
            self.full = free < 2 * self.reserve_bytes
        else:
            self.full = free < self.reserve_bytes
        hours = max(0, free - self.reserve_bytes) / self.bytes_per_hour
        self.reading = DiskReading(free, round(hours, 2), hours < self.warn_hours, self.full)
        return self.reading
