"""One exam day as its journal tells it, read only: parts, markers, alarms and participants.

The one replay of a day's journal (FORMATS.md). The recorder feeds each entry it appends to
the same replay (`DayView.apply`); recovery, export, the participants' sheet, the web page and
`verify` load a view from the file (`load_day`) and never open the journal for writing, so
reading can never modify the evidence.

Corrections never rewrite the journal: the `marker` entry stays as journaled, a later
`marker_corrected` entry says what it should have been, and this view applies it. A marker
therefore has its effective participant and frame (what every reader shows and uses) and
`original`, the values as first journaled (what the recorder wrote into the part's cues).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from appliance import i18n
from appliance.contract import layout
from appliance.contract.vocabulary import State
from appliance.errors import StorageError
from appliance.journal import Entry, Event, read_entries

BOUNDARY_KINDS = ("participant", "pause", "stop")
"""Marker kinds that end the participant's answer before them in the same part."""
STATE_EVENTS = {Event.STARTED: State.RECORDING, Event.RESUMED: State.RECORDING,
                Event.PAUSED: State.PAUSED, Event.STOPPED: State.STOPPED}
_SETTLING = {Event.MARKER, Event.MARKER_CORRECTED, Event.PARTICIPANT_CHECK, Event.PART_CLOSED,
             Event.PART_RECOVERED}

i18n.register({
    "marker.participant": ("Участник {n}", "Participant {n}"),
    "day.no_journal": ("В папке {path} нет журнала дня (journal.jsonl)",
                       "Folder {path} has no day journal (journal.jsonl)"),
    "day.not_opened": ("Журнал {path} не начинается с открытия дня",
                       "Journal {path} does not start with a day_opened entry"),
})


@dataclass
class Marker:
    """A marker with the journal's corrections applied. For a participant marker, the audio up
    to the next boundary in the same part is that participant's answer (`end_frame`)."""

    part: int
    frame: int
    """Effective position, frames into the part."""
    kind: str
    label: str
    participant: int | None
    wall: str
    """When the marker was journaled (ISO 8601)."""
    rate_hz: int
    original: dict
    """As first journaled: `participant` and `frame`."""
    void: bool = False
    corrections: list[dict] = field(default_factory=list)
    end_frame: int | None = None
    """Participant markers: where the answer ends; None while the part is being recorded and
    nothing follows."""
    check: dict | None = None
    """Participant markers: the latest intro check journaled for this start."""

    @property
    def time_s(self) -> float:
        return self.frame / self.rate_hz

    @property
    def shown_label(self) -> str:
        """The label a reader sees: a participant marker whose number was corrected is named
        by its new number (its label named the old one)."""
        if self.kind == "participant" and self.participant != self.original["participant"]:
            return i18n.text("marker.participant", n=self.participant)
        return self.label

    @property
    def key(self) -> tuple[int, int]:
        """(part, frame as journaled): what a correction names."""
        return self.part, self.original["frame"]


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
    header: bytes
    """The header journaled when the part opened (recovery rebuilds a torn one from it)."""
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

    def live_markers(self) -> list[Marker]:
        """The markers a reader shows: in effective order, voided ones left out."""
        return sorted((m for m in self.markers if not m.void), key=lambda m: m.frame)

    def start_wall(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.opened_wall)

    def end_wall(self) -> dt.datetime:
        return self.start_wall() + dt.timedelta(seconds=self.duration_s)


class DayView:
    """One day folder, `{data_dir}/recordings/{date}/`, replayed from its journal entries."""

    def __init__(self, path: Path, entries: list[Entry] = ()) -> None:
        self.path = Path(path)
        self.info: dict = {}
        """The `day_opened` entry: date, region, msu, school, room, naming, keep_until, …"""
        self.parts: list[Part] = []
        self.state = State.IDLE
        self.participant_info: dict[int, dict] = {}
        """Per participant number: `variant`, `early_finish`, `reason` as last entered."""
        self._by_number: dict[int, Part] = {}
        self._checks: dict[tuple[int, int], dict] = {}
        for entry in entries:
            self.apply(entry)

    # ----- the day's identity ------------------------------------------------------------
    @property
    def date(self) -> dt.date:
        return dt.date.fromisoformat(self.info["date"])

    @property
    def region(self) -> str:
        return self.info.get("region", "")

    @property
    def msu(self) -> str:
        return self.info.get("msu", "")

    @property
    def school(self) -> str:
        return self.info["school"]

    @property
    def room(self) -> str:
        return self.info["room"]

    @property
    def naming(self) -> str:
        return self.info.get("naming", "cyrillic")

    @property
    def keep_until(self) -> dt.date | None:
        keep = self.info.get("keep_until")
        return dt.date.fromisoformat(keep) if keep else None

    # ----- parts and files ---------------------------------------------------------------
    def part(self, number: int) -> Part:
        return self._by_number[number]

    @property
    def next_part(self) -> int:
        return max(self._by_number, default=0) + 1

    @property
    def recorded_frames(self) -> int:
        return sum(p.frames or 0 for p in self.parts)

    def sidecars(self, part: Part) -> list[Path]:
        """The part's marker and summary files that exist on disk."""
        paths = (layout.sidecar(self.path, part.file, s) for s in layout.SIDECAR_SUFFIXES)
        return [p for p in paths if p.exists()]

    def summary(self, part: Part) -> dict:
        """The part's `.summary.json`, or {} when the recorder has not written it."""
        path = layout.sidecar(self.path, part.file, layout.SUMMARY_SUFFIX)
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return {}

    def files(self) -> list[Path]:
        """Every file of the day on disk (parts, sidecars, journal), sorted by name."""
        return sorted(p for p in self.path.iterdir() if p.is_file())

    # ----- participants ------------------------------------------------------------------
    def segments(self) -> list[Marker]:
        """Participant markers not voided, in recorded order: one answer each."""
        return sorted((m for p in self.parts for m in p.markers
                       if m.kind == "participant" and not m.void),
                      key=lambda m: (m.part, m.frame))

    def assigned(self) -> set[int]:
        """Participant numbers that have an answer recorded."""
        return {m.participant for m in self.segments() if m.participant is not None}

    def find(self, part: int, frame: int) -> Marker | None:
        """The participant marker whose original or effective start is (part, frame)."""
        owner = self._by_number.get(part)
        return next((m for m in owner.markers if m.kind == "participant"
                     and frame in (m.original["frame"], m.frame)), None) if owner else None

    # ----- the replay --------------------------------------------------------------------
    def apply(self, entry: Entry) -> None:
        """Add one journal entry, in journal order."""
        event, data, wall = entry.event, entry.data, entry.time
        if event == Event.DAY_OPENED:
            self.info = data
        elif event in STATE_EVENTS:
            self.state = STATE_EVENTS[event]
        elif event == Event.PART_OPENED:
            part = Part(data["part"], data["file"], data["rate_hz"], data["channels"], wall,
                        bytes.fromhex(data.get("header", "")))
            self.parts.append(part)
            self._by_number[part.number] = part
        elif event == Event.ALARM_CLEARED:
            self._clear_alarm(data, wall)
        elif event == Event.PARTICIPANT_INFO:
            current = self.participant_info.setdefault(int(data["participant"]), {})
            current.update({k: data[k] for k in ("variant", "early_finish", "reason")
                            if data.get(k) is not None})
        elif event == Event.PARTICIPANT_CHECK:
            self._checks[(data["part"], data["frame"])] = data
        elif event == Event.MARKER_CORRECTED:
            self._correct(data, wall)
        else:
            self._apply_to_part(event, data, wall)
        if event in _SETTLING:
            self._settle()

    def _apply_to_part(self, event: str, data: dict, wall: str) -> None:
        part = self._by_number.get(data.get("part"))  # type: ignore[arg-type]
        if part is None:
            return
        if event == Event.PART_CLOSED:
            part.frames, part.bytes, part.sha256 = data["frames"], data["bytes"], data["sha256"]
            part.closed_wall = wall
        elif event == Event.PART_RECOVERED:
            part.frames = data["frames"]
        elif event == Event.MARKER:
            part.markers.append(Marker(
                part.number, data["frame"], data["kind"], data["label"], data.get("participant"),
                wall, part.rate_hz, {"participant": data.get("participant"),
                                     "frame": data["frame"]}))
        elif event == Event.ALARM:
            part.alarms.append(Alarm(data["code"], data.get("message", ""), data.get("frame"),
                                     wall))

    def _correct(self, data: dict, wall: str) -> None:
        owner = self._by_number.get(data["part"])
        marker = next((m for m in owner.markers if m.kind == "participant"
                       and m.original["frame"] == data["frame"]), None) if owner else None
        if marker is None:
            return
        marker.corrections.append({**data, "wall": wall})
        if "participant" in data:
            marker.participant = data["participant"]
        if data.get("new_frame") is not None:
            marker.frame = int(data["new_frame"])
        if data.get("void") is not None:
            marker.void = bool(data["void"])

    def _clear_alarm(self, data: dict, wall: str) -> None:
        """Close the latest open alarm of that code (in the named part, or any part: the
        recorder's own alarms such as `no_device` are cleared without one)."""
        named = self._by_number.get(data.get("part"))  # type: ignore[arg-type]
        for part in [named] if named else list(reversed(self.parts)):
            for alarm in reversed(part.alarms):
                if alarm.code == data.get("code") and not alarm.cleared_wall:
                    alarm.cleared_wall = wall
                    return

    def _settle(self) -> None:
        """Each answer's end and intro check, from the markers as corrected."""
        for part in self.parts:
            starts = [m.frame for m in part.markers if m.kind == "participant" and not m.void]
            others = [m.original["frame"] for m in part.markers
                      if m.kind in BOUNDARY_KINDS and m.kind != "participant"]
            for marker in part.markers:
                if marker.kind != "participant":
                    continue
                later = [f for f in starts + others if f > marker.frame]
                marker.end_frame = min(later) if later else part.frames
                marker.check = self._checks.get((marker.part, marker.frame))


def load_day(path: str | os.PathLike) -> DayView:
    """Read a day folder through its journal; raises StorageError when it has none."""
    path = Path(path)
    journal = layout.journal_path(path)
    if not journal.exists():
        raise StorageError("day.no_journal", path=path)
    entries = read_entries(journal)
    if not entries or entries[0].event != Event.DAY_OPENED:
        raise StorageError("day.not_opened", path=journal)
    return DayView(path, entries)
