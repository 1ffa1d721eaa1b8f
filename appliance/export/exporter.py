"""Export recorded days onto a drive: plan, check space, verified copy, reports, signed manifest.

`export_days(data_dir, dest_dir, progress=...)` is the one entry point the recorder, the web
page and `appliance export` share. It reads the source only, refuses a drive that is too small
(or whose filesystem cannot hold a file) before writing a byte, skips files already verified
on the drive, repairs partial ones, copies the day's journal, and seals each room folder last
with the box's signed manifest (`package.seal_package`), so a folder with a signature is
complete. Safe to run in a background thread; it never blocks capture.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from appliance import i18n, naming
from appliance.boxkey import BoxKey, ensure_key
from appliance.contract.audit import AuditEvent, log_event
from appliance.contract.dayview import DayView, load_day
from appliance.contract.layout import JOURNAL_NAME, find_days
from appliance.errors import StorageError
from appliance.export import reports, sources
from appliance.export.manifest import HANDOVER_ACT, REPORT_CSV, REPORT_HTML
from appliance.export.package import JOURNAL_FILE, SEAL_FILES, WRITTEN_BY_SEAL, seal_package
from appliance.export.verified_copy import PARTIAL_SUFFIX, copy_verified, write_verified
from appliance.participants import early_act, sheet

FAT32_MAX_FILE_BYTES = 4 * 1024**3 - 1
GENERATED_RESERVE_BYTES = 4 * 1024 * 1024
"""Room left for reports, act and manifest (a day's HTML is tens of kB)."""

i18n.register({
    "export.no_space": ("На накопителе мало места: нужно {need_mb} МБ, свободно {free_mb} МБ. "
                        "Ничего не записано; возьмите накопитель побольше",
                        "Not enough space on the drive: {need_mb} MB needed, {free_mb} MB "
                        "free. Nothing was written; use a bigger drive"),
    "export.too_big": ("Файл {file} ({size} байт) не помещается в файловую систему {fs} "
                       "(предел {limit} байт). Ничего не записано",
                       "File {file} ({size} bytes) does not fit the {fs} filesystem "
                       "(limit {limit} bytes). Nothing was written"),
    "export.no_days": ("Нет записей для выгрузки", "No recordings to export"),
    "export.no_dest": ("Папка {path} не существует", "Folder {path} does not exist"),
})

ProgressCallback = Callable[["ExportProgress"], None]


@dataclass(frozen=True)
class ExportProgress:
    done_bytes: int
    """Bytes written plus bytes read back: each file counts twice, so the read-back
    verification (half the time on a slow drive) moves the progress too."""
    total_bytes: int
    file: str

    @property
    def fraction(self) -> float:
        """0..1; a copy found damaged on the drive and written again can run a little over."""
        return min(1.0, self.done_bytes / self.total_bytes) if self.total_bytes else 1.0


@dataclass(frozen=True)
class CopyItem:
    src: Path
    dest: Path
    bytes: int
    sha256: str | None
    source: sources.PartSource | None = None
    """For a part: which medium it comes from (the safety copy as the fallback)."""


@dataclass
class RoomExport:
    date: dt.date
    school: str
    room: str
    folder: Path
    files: list[reports.FileEntry] = field(default_factory=list)
    copied: int = 0
    skipped: int = 0
    open_parts: list[str] = field(default_factory=list)
    """Parts still recording: not exported (they would change under the copy)."""


@dataclass
class ExportResult:
    dest_dir: Path
    rooms: list[RoomExport]
    bytes_total: int

    def summary(self) -> dict:
        return {"dest": str(self.dest_dir), "bytes": self.bytes_total,
                "rooms": [{"date": r.date.isoformat(), "school": r.school, "room": r.room,
                           "folder": str(r.folder), "files": len(r.files), "copied": r.copied,
                           "skipped": r.skipped, "open_parts": r.open_parts}
                          for r in self.rooms]}


def filesystem_type(path: str | os.PathLike) -> str:
    """The type of the filesystem holding `path` (from /proc/mounts), or "" when unknown."""
    target = os.path.realpath(path)
    best, fs_type = "", ""
    try:
        with open("/proc/mounts", encoding="utf-8") as mounts:
            for line in mounts:
                fields = line.split()
                mount_point = fields[1].replace("\\040", " ")
                inside = target == mount_point or target.startswith(mount_point.rstrip("/") + "/")
                if inside and len(mount_point) >= len(best):
                    best, fs_type = mount_point, fields[2]
    except OSError:
        return ""
    return fs_type


def max_file_bytes_for(fs_type: str) -> int | None:
    """FAT32 cannot hold a file of 4 GiB; the others here have no limit that matters."""
    return FAT32_MAX_FILE_BYTES if fs_type in ("vfat", "msdos", "fat") else None


def room_folder(dest_dir: Path, day: DayView) -> Path:
    school_dir, room_dir = naming.export_dirs(day.date, day.school, day.room, day.naming)
    return dest_dir / school_dir / room_dir


def plan_day(day: DayView, dest_dir: Path,
             mirror_day: Path | None = None) -> tuple[RoomExport, list[CopyItem]]:
    """What to copy for one day: every sealed part (from the medium `sources.choose` picks,
    `mirror_day` being the day's folder on the safety copy) and its sidecars."""
    room = RoomExport(day.date, day.school, day.room, room_folder(dest_dir, day))
    items: list[CopyItem] = []
    for part in day.parts:
        if not part.sealed:
            room.open_parts.append(part.file)
            continue
        source = sources.choose(day.path / part.file,
                                mirror_day / part.file if mirror_day else None, part.sha256)
        items.append(CopyItem(source.src, room.folder / part.file, part.bytes or 0,
                              part.sha256, source))
        items += [CopyItem(p, room.folder / p.name, p.stat().st_size, None)
                  for p in day.sidecars(part)]
    journal = day.path / JOURNAL_NAME
    items.append(CopyItem(journal, room.folder / JOURNAL_FILE, journal.stat().st_size, None))
    return room, items


def check_fits(items: list[CopyItem], dest_dir: Path, max_file_bytes: int | None,
               fs_type: str) -> None:
    """Refuse, before anything is written, a drive too small or a file its filesystem can't hold."""
    for item in items:
        if max_file_bytes is not None and item.bytes > max_file_bytes:
            raise StorageError("export.too_big", file=item.src.name, size=item.bytes,
                               fs=fs_type or "FAT32", limit=max_file_bytes)
    need = sum(i.bytes for i in items if not _same_size(i)) + GENERATED_RESERVE_BYTES
    need -= sum(p.stat().st_size for p in _stale_partials({i.dest.parent for i in items}))
    free = shutil.disk_usage(dest_dir).free
    if need > free:
        raise StorageError("export.no_space", need_mb=-(-need // 1_000_000),
                           free_mb=free // 1_000_000)


def _same_size(item: CopyItem) -> bool:
    try:
        return item.dest.stat().st_size == item.bytes
    except FileNotFoundError:
        return False


def _stale_partials(folders: set[Path]) -> list[Path]:
    return [p for folder in folders if folder.is_dir()
            for p in folder.glob(f".*{PARTIAL_SUFFIX}")]


def export_days(data_dir: str | os.PathLike, dest_dir: str | os.PathLike,
                progress: ProgressCallback | None = None, dates: list[dt.date] | None = None,
                school_name: str = "", max_file_bytes: int | None = None,
                mirror_dir: str | os.PathLike = "") -> ExportResult:
    """Export the days (all, or `dates`) of `data_dir` to `dest_dir`, verified; with a safety
    copy in `mirror_dir`, each part is checked against it, or taken from it when the master's
    file is unreadable (a day whose folder is gone from the master is taken from it whole).

    `max_file_bytes` defaults to the limit of the destination's filesystem (FAT32: 4 GiB - 1).
    Raises StorageError (nothing written) when the drive is too small or cannot hold a file,
    and StorageError naming the file when the drive fails or vanishes mid-copy.
    """
    dest_dir = Path(dest_dir)
    if not dest_dir.is_dir():
        raise StorageError("export.no_dest", path=dest_dir)
    mirror_days = Path(mirror_dir) / "recordings" if mirror_dir else None
    days = [_load_either(p, mirror_days) for p in _day_folders(data_dir, mirror_dir)]
    days = [d for d in days if dates is None or d.date in dates]
    plans = [plan_day(d, dest_dir, mirror_days / d.path.name if mirror_days else None)
             for d in days]
    items = [i for _, day_items in plans for i in day_items]
    if not items:
        raise StorageError("export.no_days")
    fs_type = filesystem_type(dest_dir)
    if max_file_bytes is None:
        max_file_bytes = max_file_bytes_for(fs_type)
    check_fits(items, dest_dir, max_file_bytes, fs_type)
    key = ensure_key(data_dir)
    tracker = _Tracker(2 * sum(i.bytes for i in items), progress)
    try:
        for day, (room, day_items) in zip(days, plans, strict=True):
            _export_room(day, room, day_items, tracker, school_name, key)
    except StorageError as err:
        log_event(data_dir, AuditEvent.EXPORT_FAILED, dest=str(dest_dir), error=err.to_dict())
        raise
    result = ExportResult(dest_dir, [room for room, _ in plans], tracker.total)
    log_event(data_dir, AuditEvent.EXPORTED, **result.summary())
    return result


def _export_room(day: DayView, room: RoomExport, items: list[CopyItem], tracker: _Tracker,
                 school_name: str, key: BoxKey) -> None:
    room.folder.mkdir(parents=True, exist_ok=True)
    for stale in _stale_partials({room.folder}):
        stale.unlink()
    for seal in SEAL_FILES:  # a folder with a signed manifest is a finished folder
        (room.folder / seal).unlink(missing_ok=True)
    for item in items:
        tracker.file = item.dest.name
        outcome = _copy_part(item, tracker)
        room.copied += not outcome.skipped
        room.skipped += outcome.skipped
        room.files.append(reports.FileEntry(item.dest.name, outcome.bytes, outcome.sha256))
    taken = [i.source.src.parent for i in items if i.source and i.source.medium == "mirror"]
    rows = sheet.build_rows(load_day(taken[0]) if taken else day)
    origin = {item.dest.name: item.source.text() for item in items if item.source}
    generated = [(REPORT_CSV, reports.report_csv(day, origin)),
                 (REPORT_HTML, reports.report_html(day, school_name, key.fingerprint, origin)),
                 *reports.report_scripts(),
                 (sheet.SHEET_CSV, sheet.sheet_csv(rows)),
                 (sheet.SHEET_HTML, sheet.sheet_html(day, rows, school_name)),
                 (sheet.TECH_HTML, sheet.technician_html(day, rows, school_name))]
    generated += [(early_act.act_name(row.number),
                   early_act.early_finish_act(day, row, school_name))
                  for row in early_act.early_rows(rows)]
    for name, data in generated:
        outcome = write_verified(data, room.folder / name)
        room.files.append(reports.FileEntry(name, outcome.bytes, outcome.sha256))
    act = write_verified(reports.handover_act(day, list(room.files), school_name,
                                              key.fingerprint, unlisted=WRITTEN_BY_SEAL),
                         room.folder / HANDOVER_ACT)
    room.files.append(reports.FileEntry(HANDOVER_ACT, act.bytes, act.sha256))
    subject = {"kind": "room-day", "date": day.date.isoformat(), "school": day.school,
               "room": day.room}
    room.files = seal_package(room.folder, room.files, key, subject,
                              room.folder / JOURNAL_FILE)


def _copy_part(item: CopyItem, tracker: _Tracker):
    """The verified copy; a master file that fails it (unreadable, not the sealed one) is
    copied from the verified safety copy instead, and the item says so."""
    try:
        return copy_verified(item.src, item.dest, item.sha256, tracker.advance)
    except StorageError as err:
        if item.source is None or item.source.fallback is None or (
                err.code != "copy.source_changed" and sources.intact(item.src, item.sha256)):
            raise  # the drive's fault (full, pulled out), not the master's
        item.source.take_fallback()
        return copy_verified(item.source.src, item.dest, item.sha256, tracker.advance)


def _day_folders(data_dir: str | os.PathLike, mirror_dir: str | os.PathLike) -> list[Path]:
    """Day folders on the master, and those only the safety copy still has."""
    folders = {p.name: p for p in (find_days(mirror_dir) if mirror_dir else [])}
    folders.update((p.name, p) for p in find_days(data_dir))
    return [folders[name] for name in sorted(folders)]


def _load_either(folder: Path, mirror_days: Path | None) -> DayView:
    """The day from its folder; from the safety copy when the master's journal is unreadable."""
    try:
        return load_day(folder)
    except (OSError, StorageError):
        if mirror_days is None or folder.parent == mirror_days:
            raise
        return load_day(mirror_days / folder.name)


class _Tracker:
    """Turns per-chunk byte counts into ExportProgress calls."""

    def __init__(self, total: int, callback: ProgressCallback | None) -> None:
        self.total, self.done, self.file, self.callback = total, 0, "", callback

    def advance(self, n: int) -> None:
        self.done += n
        if self.callback:
            self.callback(ExportProgress(self.done, self.total, self.file))

