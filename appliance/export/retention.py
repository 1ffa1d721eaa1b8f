"""Retention: a keep-until date for every day, and purge with the act of destruction (form 1А).

Nothing is ever deleted silently or to make room: only `purge` deletes, only days past their
keep-until date (or days named explicitly with `early=True`, which the CLI guards with a typed
confirmation), and in this order: the file list with SHA-256 is journaled in the audit log,
the files are removed, the act listing exactly what is gone is written, then journaled.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

from appliance import i18n
from appliance.contract.audit import AuditEvent, log_event
from appliance.contract.control import ControlClient
from appliance.contract.dayview import DayView, load_day
from appliance.contract.layout import find_days
from appliance.contract.retention import RetentionRule
from appliance.contract.vocabulary import Command
from appliance.errors import ApplianceError, StateError
from appliance.export.destruction_act import Commission, destruction_act
from appliance.export.reports import FileEntry
from appliance.export.verified_copy import sha256_file
from appliance.fsutil import atomic_write_bytes, fsync_dir

CONFIRM_WORD = "УДАЛИТЬ"
"""What the technician types to confirm a purge (the CLI, the Retention page)."""

i18n.register({
    "purge.early": ("{date}: срок хранения до {keep_until}, удалять рано",
                    "{date}: kept until {keep_until}, too early to delete"),
    "purge.open": ("{date}: день ещё записывается, удалять нельзя",
                   "{date}: the day is still being recorded, cannot delete"),
    "purge.unknown": ("{date}: записей за этот день нет", "{date}: no recordings of that day"),
    "purge.held": ("{date}: этот день открыт в работающем регистраторе; удалить его можно, "
                   "когда регистратор начнёт другой день или будет остановлен",
                   "{date}: the running recorder holds this day; it can be deleted once the "
                   "recorder has started another day or is stopped"),
})


@dataclass
class PurgePlan:
    due: list[DayView] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    """Messages for days that will not be deleted, and why."""


@dataclass(frozen=True)
class PurgedDay:
    date: dt.date
    files: list[FileEntry]
    act: Path


def recorder_day(config) -> dt.date | None:
    """The day the running recorder has open, or None when no recorder answers."""
    try:
        status = ControlClient(config.recording.socket_path(), timeout_s=5).call(Command.STATUS)
    except ApplianceError:
        return None
    return dt.date.fromisoformat(status["day"]) if status["day"] else None


def plan_purge(data_dir: str | os.PathLike, today: dt.date, rule: RetentionRule | None = None,
               dates: list[dt.date] | None = None, early: bool = False,
               held: dt.date | None = None) -> PurgePlan:
    """Which days may go: past their date (by `rule`, the default one when None), or (only
    with `early`) named in `dates`; never `held`, the day the running recorder has open (it
    would record into a deleted folder)."""
    rule = rule or RetentionRule()
    plan = PurgePlan()
    days = {d.date: d for d in (load_day(p) for p in find_days(data_dir))}
    for date in dates or []:
        if date not in days:
            plan.refused.append(i18n.text("purge.unknown", date=date.isoformat()))
    for date, day in sorted(days.items()):
        if dates is not None and date not in dates:
            continue
        keep = rule.keep_until(day)
        if date == held and (early or today >= keep):
            plan.refused.append(i18n.text("purge.held", date=date.isoformat()))
        elif any(not p.sealed for p in day.parts) and (early or today >= keep):
            plan.refused.append(i18n.text("purge.open", date=date.isoformat()))
        elif today >= keep or (early and dates is not None):
            plan.due.append(day)
        else:
            plan.refused.append(i18n.text("purge.early", date=date.isoformat(),
                                          keep_until=keep.strftime("%d.%m.%Y")))
    return plan


def acts_dir(data_dir: str | os.PathLike) -> Path:
    return Path(data_dir) / "retention" / "acts"


def purge_day(data_dir: str | os.PathLike, day: DayView, today: dt.date,
              school_name: str = "", commission: Commission | None = None,
              who: str = "cli") -> PurgedDay:
    """Delete one day's folder, with the audit lines and the act (see the module docstring)."""
    if not day.path.is_relative_to(Path(data_dir) / "recordings"):
        raise StateError("purge.unknown", date=day.date.isoformat())
    paths = sorted(p for p in day.path.rglob("*") if p.is_file())
    files = [FileEntry(p.relative_to(day.path).as_posix(), p.stat().st_size, sha256_file(p))
             for p in paths]
    listing = [{"file": f.name, "bytes": f.bytes, "sha256": f.sha256} for f in files]
    log_event(data_dir, AuditEvent.PURGE_STARTED, date=day.date.isoformat(), files=listing,
              source=who)
    for path in paths:
        path.unlink()
    for folder in sorted((p for p in day.path.rglob("*") if p.is_dir()), reverse=True):
        folder.rmdir()
    day.path.rmdir()
    fsync_dir(day.path.parent)
    act = acts_dir(data_dir) / f"акт-уничтожения_{day.date.isoformat()}_ауд-{day.room}.html"
    atomic_write_bytes(act, destruction_act(school_name, day.school, day.room, day.date, today,
                                            files, commission or Commission()))
    log_event(data_dir, AuditEvent.PURGED, date=day.date.isoformat(), files=listing,
              act=act.name, source=who)
    return PurgedDay(day.date, files, act)
