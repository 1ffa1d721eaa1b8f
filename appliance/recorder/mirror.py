"""The day written on both media at once: the journal line for line, every part byte for byte.

`MirroredDay` is a Day whose journal (`MirroredJournal`) appends each line to every live
medium, so both copies carry the same hash chain, and whose parts are written by
`MirroredPartWriter`, the part writer's interface over one WavPartWriter per live medium (the
same name, the same bytes, the same header updates at the same sync moments). A medium that
refuses a write is taken out (appliance/recorder/media.py) and the other goes on; only when
none takes a write does the refusal reach the recorder, which then handles it as for one disk.

`MediaWatch` is the recorder's side of it: alarms naming the failed medium, journal events,
and when a medium returns, its journal brought up to date, a new part, and the background copy
of what it missed (appliance/recorder/resync.py).

Threading: all of it belongs to the recorder's pipeline thread.
"""

from __future__ import annotations

import datetime as dt
import errno
import logging
import math
import os
import time
from collections.abc import Callable
from pathlib import Path

from appliance.capture.wavfile import Cue, WavFormat
from appliance.capture.writer import SYNC_INTERVAL_S, WavPartWriter
from appliance.contract.dayview import Part
from appliance.contract.layout import JOURNAL_NAME, PRIVATE, find_days
from appliance.fsutil import atomic_write_bytes, atomic_write_text
from appliance.journal import Event, Journal, append_line, repair_torn_tail
from appliance.recorder.day import Day
from appliance.recorder.media import Media, Medium, describe
from appliance.recorder.resync import Resync

log = logging.getLogger(__name__)


def _no_medium(what: str) -> OSError:
    return OSError(errno.EIO, f"no medium takes {what}")


class MirroredJournal(Journal):
    """The day's journal on every live medium: the same bytes, one hash chain. Opening makes
    the copies equal (the longest readable one is the truth; a shorter copy that is its prefix
    gets the missing lines); a medium that returns is brought up to date by `attach`."""

    def __init__(self, media: Media, name: str) -> None:
        self.media, self.name = media, name
        self._fds: dict[Medium, int] = {}
        self.copies_differed = False
        """Opening found the copies unequal (a medium missed lines): the day needs catching up."""
        dropped = self._reconcile()
        live = media.live()
        lead = live[0] if live else media.master
        super().__init__(lead.day_dir(name) / JOURNAL_NAME)
        if self._fd >= 0:
            self._fds[lead] = self._fd
        for medium in live[1:]:
            self._open(medium)
        if dropped:
            self.append(Event.JOURNAL_REPAIRED, dropped_bytes=dropped)

    def _path(self, medium: Medium) -> Path:
        return medium.day_dir(self.name) / JOURNAL_NAME

    def _reconcile(self) -> int:
        copies, dropped = {}, 0
        for medium in self.media.all():
            path = self._path(medium)
            try:
                if medium.live:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    dropped = max(dropped, repair_torn_tail(path))
                if path.exists():
                    copies[medium] = path.read_bytes()
            except OSError as err:
                if medium.live:
                    self.media.fail(medium, err)
        truth = max(copies.values(), key=len, default=b"")
        for medium in self.media.live():
            self.copies_differed |= copies.get(medium) != truth
            try:
                make_equal(self._path(medium), copies.get(medium), truth)
            except OSError as err:
                self.media.fail(medium, err)
        return dropped

    def _open(self, medium: Medium) -> None:
        try:
            self._fds[medium] = os.open(self._path(medium),
                                        os.O_WRONLY | os.O_APPEND | os.O_CREAT, PRIVATE)
        except OSError as err:
            self.media.fail(medium, err)

    def attach(self, medium: Medium) -> None:
        """`medium` is back: its copy gets the lines it missed, then every new line."""
        with self._lock:
            source = next((m for m in self._fds if m.live), None)
            if source is None or medium in self._fds:
                return
            path = self._path(medium)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                current = path.read_bytes() if path.exists() else None
                make_equal(path, current, self._path(source).read_bytes())
            except OSError as err:
                self.media.fail(medium, err)
                return
            self._open(medium)

    def _write_line(self, line: bytes) -> None:
        error = None
        for medium in list(self._fds):
            if not medium.live:
                self._drop(medium)
                continue
            try:
                append_line(self._fds[medium], line)
            except OSError as err:
                self.media.fail(medium, err)
                self._drop(medium)
                error = error or err
        if not self._fds:
            raise error or OSError(errno.EROFS, os.strerror(errno.EROFS), str(self.path))
        if error:
            log.error("journal line kept on one medium only: %s", describe(error))

    def _drop(self, medium: Medium) -> None:
        fd = self._fds.pop(medium)
        try:
            os.close(fd)
        except OSError:
            pass

    def close(self) -> None:
        with self._lock:
            for medium in list(self._fds):
                self._drop(medium)
            self._fd = -1


def make_equal(path: Path, current: bytes | None, truth: bytes) -> None:
    """Make the journal at `path` hold `truth`: the missing tail appended when it is a prefix
    of it; a copy that differs otherwise is kept aside (never deleted) and replaced."""
    if current == truth:
        return
    if current is not None and truth.startswith(current):
        fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        try:
            append_line(fd, truth[len(current):])
        finally:
            os.close(fd)
        return
    if current is not None:
        aside = path.with_name(f"{path.name}.differed-{int(time.time())}")
        os.replace(path, aside)
        log.error("journal copy %s differed from the other medium's: kept as %s", path, aside)
    atomic_write_bytes(path, truth, PRIVATE)


class MirroredDay(Day):
    """A day on both media: `path` is the part on the first live medium (the one read for
    sealing, recovery and status); side files and parts are written on every live one."""

    def __init__(self, media: Media, name: str) -> None:
        self.media, self.name = media, name
        self.whole_on_both: set[str] = set()
        """Parts written on both media from their first byte to their seal (the same bytes
        by construction): the background copy need not read them again."""
        super().__init__(media.master.day_dir(name), MirroredJournal(media, name))

    def _lead(self) -> Medium:
        live = self.media.live()
        return live[0] if live else self.media.master

    def path(self, part: Part) -> Path:
        return self._lead().day_dir(self.name) / part.file

    def put_text(self, name: str, text: str) -> None:
        error, written = None, False
        for medium in self.media.live():
            path = medium.day_dir(self.name) / name
            try:
                if not path.exists() or path.read_text("utf-8") != text:
                    atomic_write_text(path, text, PRIVATE)
                written = True
            except OSError as err:
                self.media.fail(medium, err)
                error = err
        if not written:
            raise error or _no_medium(name)

    def part_writer(self, part: Part, fmt: WavFormat, header: bytes,
                    max_bytes: int) -> MirroredPartWriter:
        return MirroredPartWriter(self.media, self.name, part.file, fmt, header, max_bytes,
                                  on_whole=lambda: self.whole_on_both.add(part.file))


def open_day(media: Media, data_dir: str | os.PathLike, date: dt.date) -> Day:
    if not media.mirrored:
        return Day.open(data_dir, date)
    return MirroredDay(media, media.day_name(date))


def load_days(media: Media, data_dir: str | os.PathLike) -> list[Day]:
    """Every day with a journal on either medium, oldest first, loaded (not yet recovered)."""
    if not media.mirrored:
        return [Day.load(directory) for directory in find_days(data_dir)]
    return [MirroredDay(media, name) for name in media.day_names()]


class MirroredPartWriter:
    """The part writer's interface (appliance/capture/writer.py) over one WavPartWriter per
    live medium. The inner writers never sync by themselves: this one syncs them all at the
    same moments. A medium that refuses is dropped (its copy sealed as far as it can be) and
    the part goes on on the other; the refusal is raised only when no medium is left."""

    def __init__(self, media: Media, day_name: str, file: str, fmt: WavFormat,
                 header: bytes, max_bytes: int, sync_interval_s: float = SYNC_INTERVAL_S,
                 monotonic=time.monotonic, on_whole: Callable[[], None] = lambda: None) -> None:
        self.media = media
        self.format = fmt
        self._on_whole = on_whole
        """Called when the part is sealed on every medium it was opened on, all of them."""
        self._writers: dict[Medium, WavPartWriter] = {}
        self._sync_interval_s = sync_interval_s
        self._monotonic = monotonic
        error = None
        for medium in media.live():
            try:
                self._writers[medium] = WavPartWriter(medium.day_dir(day_name) / file, fmt,
                                                      max_bytes=max_bytes, header=header,
                                                      sync_interval_s=math.inf)
            except OSError as err:
                media.fail(medium, err)
                error = err
        if not self._writers:
            raise error or _no_medium(file)
        self._whole = len(self._writers) == len(media.all())
        self._first = next(iter(self._writers.values()))
        self._pending: list[bytes | memoryview] = []
        """Written frames not yet handed to the inner writers: a batch is joined once for
        both media (docs/BENCHMARKS.md)."""
        self._pending_bytes = 0
        self._last_sync = monotonic()

    @property
    def path(self) -> Path:
        return self._first.path

    @property
    def frames(self) -> int:
        return self._first.frames + self._pending_bytes // self.format.frame_bytes

    def room_frames(self) -> int:
        pending = self._pending_bytes // self.format.frame_bytes
        return min(w.room_frames() for w in self._writers.values()) - pending

    def write(self, pcm: bytes | memoryview) -> None:
        """Queue whole frames (on the media at the next `flush`); syncs when it is time."""
        self._pending.append(pcm)
        self._pending_bytes += len(pcm)
        if self._monotonic() - self._last_sync >= self._sync_interval_s:
            self.sync()

    def flush(self) -> None:
        self._hand_over()
        self._each(WavPartWriter.flush)

    def sync(self) -> None:
        self._hand_over()
        self._each(WavPartWriter.sync)
        self._last_sync = self._monotonic()

    def close(self, cues: list[Cue] | None = None) -> None:
        self._hand_over()
        self._each(lambda writer: writer.close(cues))
        if self._whole:
            self._on_whole()

    def _hand_over(self) -> None:
        """The queued frames to every inner writer, joined once (they only queue them)."""
        if self._pending:
            batch = self._pending[0] if len(self._pending) == 1 else b"".join(self._pending)
            self._pending, self._pending_bytes = [], 0
            for writer in self._writers.values():
                writer.write(batch)

    def _each(self, operation: Callable[[WavPartWriter], None]) -> None:
        error = None
        for medium in list(self._writers):
            if not medium.live:
                self._drop(medium)
                continue
            try:
                operation(self._writers[medium])
            except OSError as err:
                self.media.fail(medium, err)
                self._drop(medium)
                error = error or err
        if not self._writers:
            raise error or _no_medium(self._first.path.name)
        self._first = next(iter(self._writers.values()))

    def _drop(self, medium: Medium) -> None:
        self._whole = False
        writer = self._writers.pop(medium)
        try:
            writer.close()  # sealed with the audio that reached it; the copy replaces it later
        except OSError as err:
            log.error("%s: %s", writer.path, describe(err))

    def __enter__(self) -> MirroredPartWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class MediaWatch:
    """The recorder's side of the media: called on every pipeline step (cheap unless the
    once-a-second check is due). A failed medium raises its alarm and is journaled; a
    returned one gets the journal lines it missed, then the recorder goes on in a new part
    (`new_part`) and the background copy brings over the rest."""

    def __init__(self, media: Media, raise_alarm, clear_alarm, record, new_part,
                 catch_up_bytes_s: int) -> None:
        self.media = media
        self._raise_alarm, self._clear_alarm = raise_alarm, clear_alarm
        self._record, self._new_part = record, new_part
        self.resync = Resync(media, record, catch_up_bytes_s)

    def tick(self, day: Day | None) -> None:
        if self.media.due():
            self.media.check()
        for change in self.media.take_changes():
            medium = change.medium
            code, message, hint = self.media.alarm(medium)
            if change.returned:
                self._returned(day, medium, code)
            else:
                log.error("%s failed: %s", medium.role, medium.cause_text())
                self._raise_alarm(code, message, hint)
                self._record(Event.MEDIUM_FAILED, medium=medium.role.value,
                             path=str(medium.root), cause=medium.cause.value,
                             detail=medium.detail)
        self.resync.poll()

    def _returned(self, day: Day | None, medium: Medium, code: str) -> None:
        """The part it missed is closed (and sealed from the medium that has it all) before
        `medium` takes writes again; the next part is written on both."""
        if medium.live:
            return

        def attach() -> None:
            self.media.revive(medium)
            if isinstance(day, MirroredDay):
                day.journal.attach(medium)

        log.info("%s returned", medium.role)
        self._new_part("medium_returned", attach)
        if medium.live:
            self._clear_alarm(code)
            self._record(Event.MEDIUM_RETURNED, medium=medium.role.value,
                         path=str(medium.root))
            self.catch_up(day)

    def after_recovery(self, day: Day, repaired: list) -> None:
        """At start: a day a cut left open, or whose copies differed, is completed in the
        background (the others were already equal: not read again at every start)."""
        if repaired or (isinstance(day, MirroredDay) and day.journal.copies_differed):
            self.catch_up(day)

    def catch_up(self, day: Day | None) -> None:
        """Have the background copy make both media hold every settled file of the day."""
        if isinstance(day, MirroredDay) and len(self.media.live()) == 2:
            self.resync.request(day)

    def close(self) -> None:
        self.resync.close()
