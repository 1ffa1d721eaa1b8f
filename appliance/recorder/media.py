"""The two media of the record: the master (`recording.data_dir`, the SD card) and the safety
copy (`[mirror] path`, a USB stick), and which of them takes writes now.

Either medium may fail alone: full, removed (device gone or lazily unmounted), turned
read-only, or refusing writes. A failure found by a writer (`fail`) or by the check made once a
second (`check`: the folder still on the device it was on when attached, free space above the
reserve) takes that medium out; the other goes on. The same check finds a failed medium that
returned (its folder writable again, with room): the recorder then attaches it again
(`attach`), resumes writing there as a new part and has the missed span copied over
(appliance/recorder/resync.py).

A stick that was not there when the recorder started is no fault: the box was simply set up
without one (the image turns the safety copy on). The page says so («нет накопителя»), the
LEDs do not alarm, and a stick plugged in later is attached like a returning one, the day so
far copied onto it. Only a medium that took writes and then failed raises the alarm.

Lazy unmount is why the device is compared: files open on a lazily unmounted file system still
take writes, which no longer reach anything the box can read back.

Threading: everything runs on the recorder's pipeline thread except `status` and `is_live`,
which only read.
"""

from __future__ import annotations

import datetime as dt
import enum
import errno
import os
import time
from dataclasses import dataclass
from pathlib import Path

from appliance import i18n, naming
from appliance.recorder.storage import DiskGuard, DiskReading

CHECK_S = 1.0
PROBE_NAME = ".zapis-probe"
REMOVED_ERRNOS = (errno.ENODEV, errno.ENXIO, errno.ENOTCONN, errno.ESTALE, errno.ENOENT,
                  errno.ENOTDIR)
FULL_ERRNOS = (errno.ENOSPC, errno.EDQUOT)

i18n.register({
    "media.master": ("основной носитель (SD-карта)", "the master medium (SD card)"),
    "media.mirror": ("резервная копия (USB-накопитель)", "the safety copy (USB stick)"),
    "media.full": ("заполнен", "full"),
    "media.removed": ("извлечён или отключён", "removed or unmounted"),
    "media.read_only": ("доступен только для чтения", "read-only"),
    "media.write_error": ("ошибка записи ({detail})", "write error ({detail})"),
    "media.same_disk": ("на том же диске, что и основные записи",
                        "on the same disk as the master recordings"),
    "media.alarm.master": ("Основной носитель (SD-карта) не принимает запись: {cause}. "
                           "Запись идёт только на резервную копию (USB-накопитель)",
                           "The master medium (SD card) refuses writes: {cause}. Recording "
                           "goes on to the safety copy (USB stick) only"),
    "media.hint.master": ("Не извлекайте USB-накопитель с копией и не выключайте устройство до "
                          "конца записи. После записи сделайте выгрузку и замените SD-карту",
                          "Do not remove the safety copy's USB stick or power the box off until "
                          "the recording ends. Then export and replace the SD card"),
    "media.alarm.mirror": ("Резервная копия (USB-накопитель) не записывается: {cause}. "
                           "Запись на основной носитель (SD-карту) продолжается",
                           "The safety copy (USB stick) is not being written: {cause}. "
                           "Recording to the master medium (SD card) goes on"),
    "media.hint.mirror": ("Вставьте накопитель с меткой ZAPIS-KOPIA снова (или замените его): "
                          "запись на него продолжится новой частью, пропущенное скопируется "
                          "само",
                          "Plug the stick labelled ZAPIS-KOPIA in again (or replace it): "
                          "writing to it resumes as a new part and what it missed is copied "
                          "over by itself"),
    "mirror.off": ("выключена", "off"),
    "mirror.ok": ("пишется", "being written"),
    "mirror.failed": ("не пишется: {cause}", "not written: {cause}"),
    "mirror.absent": ("не пишется: нет накопителя ZAPIS-KOPIA",
                      "not written: no ZAPIS-KOPIA stick"),
    "mirror.catching_up": ("догоняет: копируется пропущенное ({files} файл.)",
                           "catching up: copying what it missed ({files} files)"),
})


class Role(enum.StrEnum):
    MASTER = "master"
    MIRROR = "mirror"


class Cause(enum.StrEnum):
    FULL = "full"
    REMOVED = "removed"
    READ_ONLY = "read_only"
    WRITE_ERROR = "write_error"
    SAME_DISK = "same_disk"


def cause_of(err: OSError) -> Cause:
    if err.errno in FULL_ERRNOS:
        return Cause.FULL
    if err.errno == errno.EROFS:
        return Cause.READ_ONLY
    if err.errno in REMOVED_ERRNOS:
        return Cause.REMOVED
    return Cause.WRITE_ERROR


@dataclass(eq=False)
class Medium:
    """One medium; compared and hashed by identity."""

    role: Role
    root: Path
    """The medium's data folder: recordings are under `root/recordings/{date}/`."""
    cause: Cause | None = None
    """Why it takes no writes now; None: live."""
    detail: str = ""
    since: float = 0.0
    device: int | None = None
    """st_dev of `root` when it was attached: a different one means it was unmounted."""
    full: bool = False
    seen: bool = False
    """Took writes since the recorder started: only then is its failure an alarm."""

    @property
    def live(self) -> bool:
        return self.cause is None

    @property
    def absent(self) -> bool:
        """A safety copy never there since the recorder started (no stick plugged in): not a
        fault. (A master that is not there is always one.)"""
        return self.role is Role.MIRROR and not self.seen and self.cause is Cause.REMOVED

    def day_dir(self, name: str) -> Path:
        return self.root / "recordings" / name

    def cause_text(self) -> str:
        return i18n.text(f"media.{self.cause.value}", detail=self.detail) if self.cause else ""


@dataclass(frozen=True)
class Change:
    """A medium failed (`returned` False) or came back (still out of writing until the
    recorder `revive`s it); the recorder raises or clears the alarm and journals it."""

    medium: Medium
    returned: bool


class Media:
    """The master and, when configured, the mirror, with their health."""

    def __init__(self, master_root: str | os.PathLike, mirror_root: str | os.PathLike = "",
                 reserve_bytes: int = 0, check_s: float = CHECK_S,
                 monotonic=time.monotonic) -> None:
        self.master = Medium(Role.MASTER, Path(master_root))
        self.mirror = Medium(Role.MIRROR, Path(mirror_root)) if mirror_root else None
        self.reserve_bytes = reserve_bytes
        self.check_s = check_s
        self._monotonic = monotonic
        self._last_check = float("-inf")
        self._changes: list[Change] = []
        self.catching_up = 0
        """Files the background copy still has to bring over (set by the recorder)."""
        self._attach_device(self.master)
        if self.mirror:
            for medium in self.all():
                if not self._usable(medium) and not medium.absent:
                    self._changes.append(Change(medium, False))

    @property
    def mirrored(self) -> bool:
        return self.mirror is not None

    def all(self) -> list[Medium]:
        return [self.master, self.mirror] if self.mirror else [self.master]

    def live(self) -> list[Medium]:
        return [m for m in self.all() if m.live]

    def is_live(self, role: Role) -> bool:
        medium = self.master if role is Role.MASTER else self.mirror
        return medium is not None and medium.live

    def other(self, medium: Medium) -> Medium | None:
        return self.mirror if medium is self.master else self.master

    # ----- health -----------------------------------------------------------------------
    def fail(self, medium: Medium, err: OSError | None = None, cause: Cause | None = None,
             detail: str = "") -> None:
        """Take `medium` out of writing; the recorder sees the change at its next look."""
        if not medium.live:
            return
        medium.cause = cause or cause_of(err)
        medium.detail = detail or (describe(err) if err else "")
        medium.since = time.time()
        self._changes.append(Change(medium, False))

    def revive(self, medium: Medium) -> None:
        """A returned medium takes writes again (the recorder closed the part it missed)."""
        medium.cause, medium.detail = None, ""

    def take_changes(self) -> list[Change]:
        changes, self._changes = self._changes, []
        return changes

    def due(self) -> bool:
        return self.mirrored and self._monotonic() - self._last_check >= self.check_s

    def check(self) -> None:
        """Once a second: a live medium that was unmounted or is below the reserve while the
        other has room fails; a failed one that is writable with room again returns."""
        self._last_check = self._monotonic()
        for medium in self.all():
            if medium.live:
                if self._device_of(medium) != medium.device:
                    self.fail(medium, cause=Cause.REMOVED)
            elif self._usable(medium, returning=True):
                self._changes.append(Change(medium, True))  # live once `revive`d

    def _usable(self, medium: Medium, returning: bool = False) -> bool:
        """Whether `medium` takes writes now (a probe file written, fsynced, removed) with
        room above the reserve (twice the reserve when coming back, so a medium at the limit
        does not come and go); records the cause when it does not."""
        try:
            if medium is self.mirror and not medium.root.exists():
                parent = medium.root.parent  # made only on a medium mounted there
                if not os.path.ismount(parent) or os.stat(parent).st_dev == self.master.device:
                    raise FileNotFoundError(errno.ENOENT, "no medium", str(medium.root))
                medium.root.mkdir(mode=0o750)
            if medium is self.master and not returning:  # never on an unmounted card's
                medium.root.mkdir(parents=True, exist_ok=True)  # empty mount point
            if medium is self.mirror and os.stat(medium.root).st_dev == self.master.device:
                medium.cause, medium.detail = Cause.SAME_DISK, ""
                return False
            probe = medium.root / PROBE_NAME
            fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                os.write(fd, b"probe")
                os.fsync(fd)
            finally:
                os.close(fd)
                probe.unlink(missing_ok=True)
            free = free_bytes(medium.root)
        except OSError as err:
            if medium.live:
                medium.cause, medium.detail = cause_of(err), describe(err)
                medium.since = time.time()
            return False
        if free is not None and free < self.reserve_bytes * (2 if returning else 1):
            if medium.live:
                medium.cause, medium.since = Cause.FULL, time.time()
            return False
        self._attach_device(medium)
        medium.full, medium.seen = False, True
        return True

    def _attach_device(self, medium: Medium) -> None:
        medium.device = self._device_of(medium)

    @staticmethod
    def _device_of(medium: Medium) -> int | None:
        try:
            return os.stat(medium.root).st_dev
        except OSError:
            return None

    # ----- days -------------------------------------------------------------------------
    def day_names(self) -> list[str]:
        """Day folders with a journal on any readable medium, oldest first."""
        names = set()
        for medium in self.all():
            root = medium.root / "recordings"
            try:
                names.update(p.parent.name for p in root.glob("*/journal.jsonl"))
            except OSError:
                continue
        return sorted(names)

    @staticmethod
    def day_name(date: dt.date) -> str:
        return naming.day_dirname(date)

    # ----- status -----------------------------------------------------------------------
    def status(self) -> dict:
        """`status["mirror"]`: state off / ok / absent / failed / catching_up, with a short
        text; `ok` false when no copy is being made (absent: no alarm, the page says it)."""
        mirror = self.mirror
        if mirror is None:
            return {"state": "off", "ok": True, "text": i18n.text("mirror.off"), "path": ""}
        if mirror.absent:
            return {"state": "absent", "ok": False, "text": i18n.text("mirror.absent"),
                    "path": str(mirror.root)}
        if not mirror.live:
            return {"state": "failed", "ok": False, "path": str(mirror.root),
                    "text": i18n.text("mirror.failed", cause=mirror.cause_text())}
        if self.catching_up:
            return {"state": "catching_up", "ok": True, "path": str(mirror.root),
                    "text": i18n.text("mirror.catching_up", files=self.catching_up)}
        return {"state": "ok", "ok": True, "text": i18n.text("mirror.ok"),
                "path": str(mirror.root)}

    def alarm(self, medium: Medium) -> tuple[str, str, str]:
        """(code, message, hint) of the alarm for a failed medium."""
        role = medium.role.value
        return (f"medium_{role}", i18n.text(f"media.alarm.{role}", cause=medium.cause_text()),
                i18n.text(f"media.hint.{role}"))


class MediaDiskGuard(DiskGuard):
    """The free-space guard over both media: a medium below the reserve while the other has
    room fails (recording goes on there); the recording is suspended as for one disk (the
    `disk_full` path of the recorder) only when every live medium is full."""

    def __init__(self, media: Media, *args, **kwargs) -> None:
        super().__init__(media.master.root, *args, **kwargs)
        self.media = media

    def check(self) -> DiskReading | None:
        live = self.media.live()
        if len(live) < 2:
            if not live or _size_unknown(live[0].root):
                self._written_since, self._last_check = 0, self._monotonic()
                return self.reading
            self.path = live[0].root
            return super().check()
        self._written_since, self._last_check = 0, self._monotonic()
        free = {}
        for medium in live:
            try:
                known = free_bytes(medium.root)
            except OSError as err:
                self.media.fail(medium, err)
                continue
            if known is not None:
                free[medium.role] = known
        for medium in live:
            if medium.role in free and free[medium.role] < self.reserve_bytes:
                if any(f >= self.reserve_bytes for r, f in free.items() if r != medium.role):
                    self.media.fail(medium, cause=Cause.FULL)
        roles = [m.role for m in self.media.live() if m.role in free]
        if not roles:
            return self.reading
        least = min(free[r] for r in roles)
        self.full = least < (2 if self.full else 1) * self.reserve_bytes
        hours = max(0, least - self.reserve_bytes) / self.bytes_per_hour
        self.reading = DiskReading(least, round(hours, 2), hours < self.warn_hours, self.full)
        return self.reading


def free_bytes(path: Path) -> int | None:
    """Free bytes for us; None when the file system reports no size at all (fusefat does):
    such a medium is judged by its write errors (ENOSPC) alone."""
    usage = os.statvfs(path)
    return usage.f_bavail * usage.f_frsize if usage.f_blocks else None


def _size_unknown(path: Path) -> bool:
    try:
        return free_bytes(path) is None
    except OSError:
        return False


def describe(err: OSError) -> str:
    """An OSError for a message: the system's words and the errno name (ENOSPC, EROFS…)."""
    name = errno.errorcode.get(err.errno, str(err.errno)) if err.errno else ""
    return f"{err.strerror or err} ({name})" if name else str(err.strerror or err)
