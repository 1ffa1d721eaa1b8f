"""Can the clock be trusted to date the day's files?

A Raspberry Pi has no battery clock: after a power cut it may boot with an old time. The
appliance remembers the latest time it has seen (persisted), and calls the clock untrusted when
it is earlier than that, or earlier than the year this software was built. A jump forward of
more than FORWARD_JUMP_S past the last time seen, with no NTP or RTC behind it, is shown as
«проверьте дату и время» and not remembered until the technician confirms the time (sets it
from the browser): a clock run far ahead must never make the right time look "behind" later.
Where the time came from (NTP, RTC, browser, manual, unknown) is recorded with every day.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

from appliance import i18n
from appliance.contract.vocabulary import TRUSTED_CLOCK_SOURCES, ClockSource
from appliance.errors import ClockError
from appliance.fsutil import atomic_write_text

log = logging.getLogger(__name__)

BUILD_YEAR = 2026
TOLERANCE_S = 120.0
FORWARD_JUMP_S = 12 * 3600.0
TIMESYNC_FLAG = Path("/run/systemd/timesync/synchronized")
RTC_DEVICE = Path("/dev/rtc0")

i18n.register({
    "clock.unset": ("Часы не установлены ({now}): год раньше {year}. Установите время на "
                    "странице настройки или укажите дату явно",
                    "The clock is not set ({now}): the year is before {year}. Set the time on "
                    "the settings page or give the date explicitly"),
    "clock.behind": ("Часы отстают: сейчас {now}, а устройство уже работало в {seen}. "
                     "Установите время или укажите дату явно",
                     "The clock is behind: it says {now}, but the box already ran at {seen}. "
                     "Set the time or give the date explicitly"),
    "clock.check": ("Проверьте дату и время: часы ушли вперёд на {hours:.0f} ч с последнего "
                    "запуска ({seen} → {now}). Если время верно, подтвердите его на странице "
                    "настройки («Установить время по этому браузеру»)",
                    "Check the date and time: the clock moved {hours:.0f} h ahead since the "
                    "last run ({seen} → {now}). If it is right, confirm it on the settings "
                    "page ('Set the time from this browser')"),
    "clock.set_before_build": ("Время {time} раньше {year} года: часы не переведены",
                               "{time} is before {year}: the clock was not changed"),
    "clock.set_backwards": ("Идёт запись дня: часы нельзя перевести назад с {seen} на {time}. "
                            "Остановите запись, если время действительно неверно",
                            "A day is being recorded: the clock cannot go back from {seen} "
                            "to {time}. Stop the recording if the time is really wrong"),
})


def _show(epoch_s: float) -> str:
    return dt.datetime.fromtimestamp(epoch_s).strftime("%d.%m.%Y %H:%M:%S")


@dataclass(frozen=True)
class ClockStatus:
    ok: bool
    source: str
    reason: str | None
    now: dt.datetime
    confirm: bool = False
    """The time jumped far ahead: usable, but to be confirmed (`reason` says so)."""

    def to_dict(self) -> dict:
        return {"ok": self.ok, "source": self.source, "reason": self.reason,
                "now": self.now.isoformat(timespec="seconds"), "confirm": self.confirm}


def detect_source(declared: str | None = None) -> str:
    """ntp when systemd-timesyncd says synchronized, else a declared source, rtc, or unknown."""
    if TIMESYNC_FLAG.exists():
        return ClockSource.NTP
    if declared:
        return declared
    return ClockSource.RTC if RTC_DEVICE.exists() else ClockSource.UNKNOWN


class ClockGuard:
    """Persisted last-seen time plus the judgement of the current clock. Thread-safe enough:
    the file is replaced atomically and read on construction only."""

    def __init__(self, state_dir: str | os.PathLike, now=time.time) -> None:
        self.path = Path(state_dir) / "clock.json"
        self._system_now = now
        self.offset_s = 0.0
        self.last_seen = 0.0
        self.declared: str | None = None
        if self.path.exists():
            saved = json.loads(self.path.read_text("utf-8"))
            self.last_seen = float(saved.get("last_seen", 0.0))
            self.declared = saved.get("declared")

    def now_s(self) -> float:
        """The clock's time: the system's, plus the offset set in simulation."""
        return self._system_now() + self.offset_s

    def status(self) -> ClockStatus:
        now_s = self.now_s()
        now = dt.datetime.fromtimestamp(now_s).astimezone()
        source = detect_source(self.declared)
        shown = now.strftime("%d.%m.%Y %H:%M")
        seen = dt.datetime.fromtimestamp(self.last_seen).strftime("%d.%m.%Y %H:%M")
        if now.year < BUILD_YEAR:
            reason = i18n.text("clock.unset", now=shown, year=BUILD_YEAR)
        elif now_s < self.last_seen - TOLERANCE_S:
            reason = i18n.text("clock.behind", now=shown, seen=seen)
        elif (self.last_seen and now_s > self.last_seen + FORWARD_JUMP_S
              and source not in TRUSTED_CLOCK_SOURCES):
            return ClockStatus(True, source, i18n.text(
                "clock.check", hours=(now_s - self.last_seen) / 3600, seen=seen, now=shown),
                now, confirm=True)
        else:
            reason = None
        return ClockStatus(reason is None, source, reason, now)

    def remember(self) -> None:
        """Persist the current time as seen, if the clock is trusted and it moved forward."""
        now_s = self.now_s()
        status = self.status()
        if now_s > self.last_seen and status.ok and not status.confirm:
            self.last_seen = now_s
            try:
                self._save()
            except OSError as err:  # a read-only or full data disk: remembered in memory
                log.warning("the time seen is not saved: %s", err.strerror)

    def set_time(self, epoch_s: float, source: str, apply_system: bool,
                 day_in_progress: bool = False) -> ClockStatus:
        """Set the clock (the system clock, or in simulation an offset) and declare its source.
        Refused before the build year, and backwards while a day is being recorded: the day's
        journal and file times must never run back (when idle, the technician may correct a
        clock that ran ahead)."""
        wanted = dt.datetime.fromtimestamp(epoch_s).astimezone()
        if wanted.year < BUILD_YEAR:
            raise ClockError("clock.set_before_build", time=_show(epoch_s), year=BUILD_YEAR)
        if day_in_progress and epoch_s < max(self.last_seen, self.now_s()) - TOLERANCE_S:
            raise ClockError("clock.set_backwards", time=_show(epoch_s),
                             seen=_show(max(self.last_seen, self.now_s())))
        if apply_system:
            time.clock_settime(time.CLOCK_REALTIME, epoch_s)
        else:
            self.offset_s = epoch_s - self._system_now()
        self.declare(source)
        return self.status()

    def declare(self, source: str) -> None:
        """Record who set the clock (browser, manual) and accept the new time as seen."""
        self.declared = source
        self.last_seen = self.now_s()
        self._save()

    def _save(self) -> None:
        atomic_write_text(self.path, json.dumps({"last_seen": self.last_seen,
                                                 "declared": self.declared}))
