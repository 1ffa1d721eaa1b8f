"""A recorded day folder, read only: what export, reports, clips and retention need to know.

Built from the day's journal (FORMATS.md) without ever opening it for writing: the export must
never modify the source, so the recorder's own `Day` (which repairs and appends) is not used.
Standard library only: the coordinator's `verify` shares nothing heavier than this.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from appliance import i18n
from appliance.errors import StorageError
from appliance.journal import Event, read_entries

JOURNAL_NAME = "journal.jsonl"
SIDECAR_SUFFIXES = (".txt", ".markers.json", ".summary.json")

i18n.register({
    "day.no_journal": ("В папке {path} нет журнала дня (journal.jsonl)",
                       "Folder {path} has no day journal (journal.jsonl)"),
    "day.not_opened": ("Журнал {path} не начинается с открытия дня",
                       "Journal {path} does not start with a day_opened entry"),
})


@dataclass(frozen=True)
class Marker:
    frame: int
    time_s: float
    kind: str
    label: str
    participant: int | None
    wall: str


@dataclass
class Alarm:
    """An alarm raised while the part was open: when (frame in the part, wall clock) and, once
    the journal says it cleared, when that was (`cleared_wall` stays "" while it lasts)."""

    code: str
    message: str
    frame: int | None
    wall: str
    cleared_wall: str = ""


@dataclass
class Part:
    """One WAV part as the journal describes it; `frames` is None while it is still open."""

    number: int
    file: str
    rate_hz: int
    channels: int
    opened_wall: str
    frames: int | None = None
    bytes: int | None = None
    sha256: str | None = None
    closed_wall: str = ""
    markers: list[Marker] = field(default_factory=list)
    alarms: list[Alarm] = field(default_factory=list)

    @property
    def stem(self) -> str:
        return Path(self.file).stem

    @property
    def sealed(self) -> bool:
        return self.frames is not None and self.sha256 is not None

    @property
    def duration_s(self) -> float:
        return (self.frames or 0) / self.rate_hz

    def start_wall(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.opened_wall)

    def end_wall(self) -> dt.datetime:
        return self.start_wall() + dt.timedelta(seconds=self.duration_s)


@dataclass
class DayFolder:
    """One day on the appliance: `{data_dir}/recordings/{date}/`."""

    path: Path
    date: dt.date
    region: str
    msu: str
    school: str
    room: str
    naming: str
    keep_until: dt.date | None
    parts: list[Part]

    def part(self, number: int) -> Part:
        for part in self.parts:
            if part.number == number:
                return part
        raise KeyError(number)

    def sidecars(self, part: Part) -> list[Path]:
        """The part's marker and summary files that exist on disk."""
        return [p for p in (self.path / (part.stem + s) for s in SIDECAR_SUFFIXES) if p.exists()]

    def summary(self, part: Part) -> dict:
        """The part's `.summary.json`, or {} when the recorder has not written it."""
        path = self.path / f"{part.stem}.summary.json"
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return {}

    def files(self) -> list[Path]:
        """Every file of the day on disk (parts, sidecars, journal), sorted by name."""
        return sorted(p for p in self.path.iterdir() if p.is_file())


def load_day(path: str | os.PathLike) -> DayFolder:
    """Read a day folder through its journal; raises StorageError when it has none."""
    path = Path(path)
    journal = path / JOURNAL_NAME
    if not journal.exists():
        raise StorageError("day.no_journal", path=path)
    entries = read_entries(journal)
    if not entries or entries[0].event != Event.DAY_OPENED:
        raise StorageError("day.not_opened", path=journal)
    info = entries[0].data
    keep = info.get("keep_until")
    day = DayFolder(path, dt.date.fromisoformat(info["date"]), info.get("region", ""),
                    info.get("msu", ""), info["school"], info["room"],
                    info.get("naming", "cyrillic"),
                    dt.date.fromisoformat(keep) if keep else None, [])
    parts: dict[int, Part] = {}
    for entry in entries[1:]:
        _apply(parts, entry.event, entry.data, entry.time)
    day.parts = [parts[n] for n in sorted(parts)]
    return day


def _apply(parts: dict[int, Part], event: str, data: dict, wall: str) -> None:
    if event == Event.ALARM_CLEARED:
        _clear_alarm(parts, data, wall)
        return
    if event == Event.PART_OPENED:
        parts[data["part"]] = Part(data["part"], data["file"], data["rate_hz"],
                                   data["channels"], wall)
        return
    part = parts.get(data.get("part"))  # type: ignore[arg-type]
    if part is None:
        return
    if event == Event.PART_CLOSED:
        part.frames, part.bytes, part.sha256 = data["frames"], data["bytes"], data["sha256"]
        part.closed_wall = wall
    elif event == Event.PART_RECOVERED:
        part.frames = data["frames"]
    elif event == Event.MARKER:
        part.markers.append(Marker(data["frame"], data["frame"] / part.rate_hz, data["kind"],
                                   data["label"], data.get("participant"), wall))
    elif event == Event.ALARM:
        part.alarms.append(Alarm(data["code"], data.get("message", ""), data.get("frame"), wall))


def _clear_alarm(parts: dict[int, Part], data: dict, wall: str) -> None:
    """Close the latest open alarm of that code (in the named part, or any part: the recorder's
    own alarms such as `no_device` are cleared without one)."""
    named = parts.get(data.get("part"))  # type: ignore[arg-type]
    candidates = [named] if named else list(reversed(parts.values()))
    for part in candidates:
        for alarm in reversed(part.alarms):
            if alarm.code == data.get("code") and not alarm.cleared_wall:
                alarm.cleared_wall = wall
                return


def find_days(data_dir: str | os.PathLike) -> list[Path]:
    """Day folders under `{data_dir}/recordings/` that have a journal, oldest first."""
    root = Path(data_dir) / "recordings"
    if not root.exists():
        return []
    return sorted(p.parent for p in root.glob(f"*/{JOURNAL_NAME}"))
