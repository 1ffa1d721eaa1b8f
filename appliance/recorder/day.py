"""The recorder's side of an exam day on disk: it opens the journal, appends to it, and writes
each part's metadata and side files.

What the day holds (parts, markers, state) is the journal's replay (`appliance.contract.
dayview`), fed each entry as it is appended; the same replay rebuilt from the file is what
makes a restart after a crash continue the same day: part numbers go on, participants keep
counting, markers stay with their parts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

from appliance import __version__, i18n, naming
from appliance.capture import wavfile
from appliance.capture.wavfile import Bext, Cue, WavFormat
from appliance.capture.writer import WavPartWriter
from appliance.contract import layout
from appliance.contract.dayview import DayView, Marker, Part
from appliance.contract.vocabulary import State
from appliance.fsutil import atomic_write_text
from appliance.journal import Event, Journal


def file_label(marker: Marker) -> str:
    """The label written into the WAV's cue list and the label file, as the marker was
    journaled: a participant by number only, since a typed label may hold a minor's name."""
    participant = marker.original["participant"]
    if participant is not None:
        return i18n.text("marker.participant", n=participant)
    return marker.label


def part_format(part: Part) -> WavFormat:
    return WavFormat(part.rate_hz, part.channels)


class Day:
    """A day folder with its open journal. Not thread-safe: the recorder's pipeline owns it."""

    def __init__(self, directory: Path, journal: Journal) -> None:
        self.dir = directory
        self.journal = journal
        self.view = DayView(directory, journal.entries)

    @classmethod
    def open(cls, data_dir: str | Path, date: dt.date) -> Day:
        directory = layout.day_dir(data_dir, date)
        directory.mkdir(parents=True, exist_ok=True)
        return cls.load(directory)

    @classmethod
    def load(cls, directory: Path) -> Day:
        return cls(directory, Journal(layout.journal_path(directory)))

    @property
    def info(self) -> dict:
        return self.view.info

    @property
    def state(self) -> State:
        return self.view.state

    @property
    def date(self) -> dt.date:
        return self.view.date

    def open_parts(self) -> list[Part]:
        """Parts the journal never saw sealed (left open by a crash, or refused by the disk)."""
        return [p for p in self.view.parts if not p.sealed]

    def record(self, event: Event, **data: object) -> None:
        """Journal an event and apply it to this day's view."""
        self.view.apply(self.journal.append(event, **data))

    def stem(self, part: int) -> str:
        return naming.part_stem(self.date, self.info["school"], self.info["room"], part,
                                self.info["naming"])

    def path(self, part: Part) -> Path:
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

    def part_writer(self, part: Part, fmt: WavFormat, header: bytes,
                    max_bytes: int) -> WavPartWriter:
        """The writer of a part opening now (its `header` built once, as journaled)."""
        return WavPartWriter(self.path(part), fmt, max_bytes=max_bytes, header=header)

    def cues(self, part: Part) -> list[Cue]:
        return [Cue(m.original["frame"], file_label(m)) for m in part.markers]

    def write_sidecars(self, part: Part) -> None:
        """The part's Audacity label track and JSON marker index, replaced atomically when
        they differ from what is on disk."""
        rate = part.rate_hz
        labels = "".join(f"{m.original['frame'] / rate:.6f}\t{m.original['frame'] / rate:.6f}"
                         f"\t{file_label(m)}\n" for m in part.markers)
        index = {"part": part.number, "file": part.file, "rate_hz": rate,
                 "channels": part.channels,
                 "markers": [{"frame": m.original["frame"],
                              "time_s": round(m.original["frame"] / rate, 6), "kind": m.kind,
                              "label": m.label, "participant": m.original["participant"],
                              "wall": m.wall} for m in part.markers]}
        self.put_text(layout.sidecar(self.dir, part.file, layout.LABELS_SUFFIX).name, labels)
        self.put_text(layout.sidecar(self.dir, part.file, layout.MARKERS_SUFFIX).name,
                      json.dumps(index, ensure_ascii=False, indent=1))

    def put_text(self, name: str, text: str) -> None:
        """A side file of the day (label track, marker index, summary), replaced atomically
        when it differs from what is on disk."""
        path = self.dir / name
        if not path.exists() or path.read_text("utf-8") != text:
            atomic_write_text(path, text, layout.PRIVATE)

    def seal(self, part: Part, reason: str) -> None:
        """Journal a closed part with its frame count and the SHA-256 of the whole file."""
        path = self.path(part)
        info = wavfile.read_info(path)
        with open(path, "rb") as f:
            digest = hashlib.file_digest(f, "sha256").hexdigest()
        self.record(Event.PART_CLOSED, part=part.number, file=part.file, frames=info.frames,
                    duration_s=round(info.duration_s, 6), bytes=info.file_bytes, sha256=digest,
                    reason=reason)
        self.write_sidecars(part)

    def close(self) -> None:
        self.journal.close()
