"""The day's journal: append-only JSON Lines, fsynced, hash-chained.

Every state change, part, marker and alarm of a day is one line in
`{data_dir}/recordings/{date}/journal.jsonl`. The recorder rebuilds the day from it after a
crash, and the export report is made from it. Each entry carries `prev`, the SHA-256 of the
previous line's bytes, so an edited or deleted line breaks the chain and `verify_chain` finds it.
"""

from __future__ import annotations

import datetime as dt
import enum
import errno
import hashlib
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

GENESIS = "0" * 64


class Event(enum.StrEnum):
    DAY_OPENED = "day_opened"
    STARTED = "started"
    PAUSED = "paused"
    RESUMED = "resumed"
    STOPPED = "stopped"
    PART_OPENED = "part_opened"
    PART_CLOSED = "part_closed"
    PART_RECOVERED = "part_recovered"
    MARKER = "marker"
    ALARM = "alarm"
    ALARM_CLEARED = "alarm_cleared"
    DEVICE_LOST = "device_lost"
    DEVICE_RETURNED = "device_returned"
    RECORDER_STARTED = "recorder_started"
    JOURNAL_REPAIRED = "journal_repaired"
    COMMAND_REFUSED = "command_refused"
    DISK_FULL = "disk_full"
    DISK_RECOVERED = "disk_recovered"
    MARKER_CORRECTED = "marker_corrected"
    PARTICIPANT_INFO = "participant_info"
    PARTICIPANT_CHECK = "participant_check"
    MEDIUM_FAILED = "medium_failed"
    MEDIUM_RETURNED = "medium_returned"
    MEDIUM_SYNCED = "medium_synced"


@dataclass(frozen=True)
class Entry:
    seq: int
    time: str
    event: str
    data: dict
    prev: str
    digest: str


def _digest(line: bytes) -> str:
    return hashlib.sha256(line).hexdigest()


def _now_iso() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="milliseconds")


def read_entries(path: str | os.PathLike) -> list[Entry]:
    """All complete entries of a journal (a torn last line is left out)."""
    return list(_iter_entries(Path(path).read_bytes()))


def _iter_entries(data: bytes) -> Iterator[Entry]:
    for line in data.split(b"\n"):
        if not line:
            continue
        try:
            raw = json.loads(line)
        except ValueError:
            return
        yield Entry(raw.pop("seq"), raw.pop("time"), raw.pop("event"),
                    raw, raw.pop("prev"), _digest(line))


def verify_chain(path: str | os.PathLike) -> int | None:
    """The seq of the first entry whose `prev` does not match, or None when the chain holds."""
    return chain_break(read_entries(path))


def chain_break(entries: list[Entry]) -> int | None:
    """`verify_chain` over entries already read."""
    prev = GENESIS
    for expected_seq, entry in enumerate(entries):
        if entry.prev != prev or entry.seq != expected_seq:
            return entry.seq
        prev = entry.digest
    return None


def repair_torn_tail(path: Path) -> int:
    """Cut an incomplete last line left by a crash mid-write; returns the bytes dropped."""
    if not path.exists():
        return 0
    data = path.read_bytes()
    good = data.rfind(b"\n") + 1
    while good:
        start = data.rfind(b"\n", 0, good - 1) + 1
        try:
            json.loads(data[start:good - 1])
            break
        except ValueError:
            good = start
    if good == len(data):
        return 0
    with open(path, "r+b") as f:
        f.truncate(good)
        f.flush()
        os.fsync(f.fileno())
    return len(data) - good


def append_line(fd: int, line: bytes) -> None:
    """Append one whole line to the open journal `fd`, durably; a write the disk refuses
    half-way (full) is cut back off, so the next line never lands behind a fragment."""
    size = os.fstat(fd).st_size
    try:
        written = os.write(fd, line)
        if written != len(line):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        os.fsync(fd)
    except OSError:
        if os.fstat(fd).st_size != size:
            os.ftruncate(fd, size)
        raise


class Journal:
    """An open day journal. Thread-safe; each `append` is durable when it returns. On a
    read-only disk it opens for reading only (`read_only`): every append is refused (EROFS)."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self.read_only = False
        try:
            self.dropped_bytes = repair_torn_tail(self.path)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        except OSError as err:
            if err.errno != errno.EROFS:
                raise
            self.read_only, self.dropped_bytes, self._fd = True, 0, -1
        entries = read_entries(self.path) if self.path.exists() else []
        self.entries: list[Entry] = entries
        if self.dropped_bytes:
            self.append(Event.JOURNAL_REPAIRED, dropped_bytes=self.dropped_bytes)

    def append(self, event: Event | str, **data: object) -> Entry:
        with self._lock:
            prev = self.entries[-1].digest if self.entries else GENESIS
            seq = len(self.entries)
            record = {"seq": seq, "time": _now_iso(), "event": str(event), **data, "prev": prev}
            line = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            self._write_line(line + b"\n")
            entry = Entry(seq, record["time"], str(event), data, prev, _digest(line))
            self.entries.append(entry)
            return entry

    def _write_line(self, line: bytes) -> None:
        """Append one whole line, durably; a write the disk refuses half-way (full) is cut
        back off, so the next line never lands behind a fragment."""
        if self.read_only:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self.path))
        append_line(self._fd, line)

    def events(self, *names: Event | str) -> list[Entry]:
        wanted = {str(n) for n in names}
        with self._lock:
            return [e for e in self.entries if e.event in wanted]

    def close(self) -> None:
        with self._lock:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
