"""One exam day on disk: its folder, its journal, its parts and markers.

Everything a Day knows it can rebuild from its journal, which is what makes a restart after a
crash continue the same day: part numbers go on, participants keep counting, markers stay with
their parts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from appliance import __version__, i18n, naming
from appliance.capture import wavfile
from appliance.capture.wavfile import Bext, Cue, WavFormat
from appliance.capture.writer import WavPartWriter
from appliance.fsutil import atomic_write_text
from appliance.journal import Event, Journal
from appliance.recorder.session import State

i18n.register({"marker.participant": ("Участник {n}", "Participant {n}")})

JOURNAL_NAME = "journal.jsonl"
PRIVATE = 0o640  # recordings hold minors' voices and names
STATE_EVENTS = {Event.STARTED: State.RECORDING, Event.RESUMED: State.RECORDING,
                Event.PAUSED: State.PAUSED, Event.STOPPED: State.STOPPED}


def recordings_dir(data_dir: str | Path) -> Path:
    return Path(data_dir) / "recordings"


@dataclass
class Marker:
    part: int
    frame: int
    kind: str
    label: str
    participant: int | None = None
    time: str = ""

    def file_label(self) -> str:
        """The label written into the WAV's cue list and the label file: a participant by
        number only, since a typed label may hold a minor's name."""
        if self.participant is not None:
            return i18n.text("marker.participant", n=self.participant)
        return self.label

    def to_dict(self, rate_hz: int) -> dict:
        return {"frame": self.frame, "time_s": round(self.frame / rate_hz, 6), "kind": self.kind,
                "label": self.label, "participant": self.participant, "wall": self.time}


@dataclass
class PartRecord:
    part: int
    file: str
    format: WavFormat
    header: bytes
    frames: int | None = None
    """None while open (not yet sealed and hashed)."""
    sha256: str | None = None
    size_bytes: int | None = None
    """The sealed file's size, with `sha256`."""
    markers: list[Marker] = field(default_factory=list)


class Day:
    """A day folder with its open journal. Not thread-safe: the recorder's pipeline owns it."""

    def __init__(self, directory: Path, journal: Journal) -> None:
        self.dir = directory
        self.journal = journal
        self.info: dict = {}
        self.parts: dict[int, PartRecord] = {}
        self.state = State.IDLE
        self.participants = 0
        for entry in journal.entries:
            self._apply(entry.event, entry.data, entry.time)

    @classmethod
    def open(cls, data_dir: str | Path, date: dt.date) -> Day:
        directory = recordings_dir(data_dir) / naming.day_dirname(date)
        directory.mkdir(parents=True, exist_ok=True)
        return cls.load(directory)

    @classmethod
    def load(cls, directory: Path) -> Day:
        return cls(directory, Journal(directory / JOURNAL_NAME))

    @property
    def date(self) -> dt.date:
        return dt.date.fromisoformat(self.info["date"])

    @property
    def next_part(self) -> int:
        return max(self.parts, default=0) + 1

    @property
    def recorded_frames(self) -> int:
        return sum(p.frames or 0 for p in self.parts.values())

    def open_parts(self) -> list[PartRecord]:
        return [p for p in self.parts.values() if p.frames is None]

    def record(self, event: Event, **data: object) -> None:
        """Journal an event and apply it to this day's state."""
        entry = self.journal.append(event, **data)
        self._apply(entry.event, entry.data, entry.time)

    def _apply(self, event: str, data: dict, time: str) -> None:
        if event == Event.DAY_OPENED:
            self.info = data
        elif event == Event.PART_OPENED:
            self.parts[data["part"]] = PartRecord(
                data["part"], data["file"], WavFormat(data["rate_hz"], data["channels"]),
                bytes.fromhex(data["header"]))
        elif event == Event.PART_CLOSED:
            part = self.parts[data["part"]]
            part.frames, part.sha256 = data["frames"], data["sha256"]
            part.size_bytes = data.get("bytes")
        elif event == Event.MARKER:
            self.parts[data["part"]].markers.append(Marker(
                data["part"], data["frame"], data["kind"], data["label"], data["participant"],
                time))
            if data["kind"] == "participant":
                self.participants += 1
        elif event in STATE_EVENTS:
            self.state = STATE_EVENTS[event]

    def stem(self, part: int) -> str:
        return naming.part_stem(self.date, self.info["school"], self.info["room"], part,
                                self.info["naming"])

    def path(self, part: PartRecord) -> Path:
        return self.dir / part.file

    def bext(self, part: int, now: dt.datetime, fmt: WavFormat) -> Bext:
        """The part's BWF metadata, so the file explains itself without the journal. The
        origination date is the day's (the one in the file name), whatever the clock says."""
        info = self.info
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        description = (f"Itogovoe sobesedovanie; region {info['region']}; MSU {info['msu']}; "
                       f"OO {info['school']}; room {info['room']}; part {part}; "
                       f"date {info['date']}; clock {info['clock_source']}")
        mode = {1: "mono", 2: "stereo"}.get(fmt.channels, "multichannel")
        return Bext(description, f"appliance {__version__}",
                    f"{info['school']}{info['room']}{info['date'].replace('-', '')}{part:03d}",
                    info["date"], now.strftime("%H:%M:%S"),
                    int((now - midnight).total_seconds() * fmt.rate_hz),
                    f"A=PCM,F={fmt.rate_hz},W=16,M={mode},T=appliance {__version__}\r\n")

    def part_writer(self, part: PartRecord, fmt: WavFormat, bext: Bext,
                    max_bytes: int) -> WavPartWriter:
        """The writer of a part opening now."""
        return WavPartWriter(self.path(part), fmt, bext, max_bytes=max_bytes)

    def cues(self, part: PartRecord) -> list[Cue]:
        return [Cue(m.frame, m.file_label()) for m in part.markers]

    def write_sidecars(self, part: PartRecord) -> None:
        """The part's Audacity label track and JSON marker index, replaced atomically when
        they differ from what is on disk."""
        rate = part.format.rate_hz
        stem = Path(part.file).stem
        labels = "".join(f"{m.frame / rate:.6f}\t{m.frame / rate:.6f}\t{m.file_label()}\n"
                         for m in part.markers)
        index = {"part": part.part, "file": part.file, "rate_hz": rate,
                 "channels": part.format.channels,
                 "markers": [m.to_dict(rate) for m in part.markers]}
        self.put_text(f"{stem}.txt", labels)
        self.put_text(f"{stem}.markers.json", json.dumps(index, ensure_ascii=False, indent=1))

    def put_text(self, name: str, text: str) -> None:
        """A side file of the day (label track, marker index, summary), replaced atomically
        when it differs from what is on disk."""
        path = self.dir / name
        if not path.exists() or path.read_text("utf-8") != text:
            atomic_write_text(path, text, PRIVATE)

    def seal(self, part: PartRecord, reason: str) -> None:
        """Journal a closed part with its frame count and the SHA-256 of the whole file."""
        path = self.path(part)
        info = wavfile.read_info(path)
        with open(path, "rb") as f:
            digest = hashlib.file_digest(f, "sha256").hexdigest()
        self.record(Event.PART_CLOSED, part=part.part, file=part.file, frames=info.frames,
                    duration_s=round(info.duration_s, 6), bytes=info.file_bytes, sha256=digest,
                    reason=reason)
        self.write_sidecars(part)

    def close(self) -> None:
        self.journal.close()


def find_days(data_dir: str | Path) -> list[Path]:
    """Day folders that have a journal, oldest first."""
    root = recordings_dir(data_dir)
    if not root.exists():
        return []
    return sorted(p.parent for p in root.glob(f"*/{JOURNAL_NAME}"))
