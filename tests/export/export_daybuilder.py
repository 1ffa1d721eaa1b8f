"""Build a recorded day folder as the recorder does: the real WavPartWriter, the real Journal.

Every event of FORMATS.md that the export reads is written (day_opened, started, part_opened,
marker, alarm, paused, resumed, stopped, part_closed) together with the sidecar files, so
export, reports, clips and retention are tested against the true on-disk format.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from appliance import naming
from appliance.capture.wavfile import Cue, WavFormat, read_info
from appliance.capture.writer import FAT32_SAFE_BYTES, WavPartWriter
from appliance.journal import Event, Journal
from appliance.participants.flags import CheckLimits
from appliance.participants.sheet import check_from_file

START = dt.datetime(2027, 2, 10, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=3)))


@dataclass
class PartSpec:
    seconds: float
    participants_at_s: list[float] = field(default_factory=list)
    alarm_at_s: float | None = None


def audio_block(frames: int, channels: int, seed: int) -> bytes:
    """Deterministic noise-like int16 audio: any flipped byte or wrong offset shows."""
    rng = np.random.default_rng(seed)
    return rng.integers(-12000, 12000, size=frames * channels, dtype=np.int16).tobytes()


def build_day(data_dir: Path, parts: list[PartSpec], date: dt.date = dt.date(2027, 2, 10),
              school: str = "640101", room: str = "0005", rate_hz: int = 8000,
              channels: int = 1, naming_mode: str = "cyrillic",
              keep_until: dt.date | None = None, max_part_bytes: int = FAT32_SAFE_BYTES,
              block_s: float = 10.0, journal_checks: bool = False) -> Path:
    """Write a stopped day; a part longer than `max_part_bytes` rolls over like the recorder's.

    `journal_checks` journals each participant's final intro check when the part closes, as the
    recorder does when a segment ends; without them the export's room sheet measures the audio.
    """
    day_dir = data_dir / "recordings" / date.isoformat()
    day_dir.mkdir(parents=True)
    keep = keep_until or dt.date(date.year + 1, 3, 1)
    with Journal(day_dir / "journal.jsonl") as journal:
        journal.append(Event.DAY_OPENED, date=date.isoformat(), region=school[:2], msu="01",
                       school=school, room=room, naming=naming_mode, pause_mode="split",
                       rate_hz=rate_hz, channels=channels, clock_source="ntp",
                       keep_until=keep.isoformat())
        builder = _PartBuilder(journal, day_dir, date, school, room, naming_mode,
                               WavFormat(rate_hz, channels), max_part_bytes, block_s,
                               journal_checks)
        for index, spec in enumerate(parts):
            builder.record(spec, first=index == 0, last=index == len(parts) - 1)
    return day_dir


class _PartBuilder:
    def __init__(self, journal, day_dir, date, school, room, naming_mode, fmt, max_bytes,
                 block_s, journal_checks):
        self.journal, self.day_dir, self.fmt = journal, day_dir, fmt
        self.journal_checks = journal_checks
        self.names = (date, school, room, naming_mode)
        self.max_bytes, self.block_s = max_bytes, block_s
        self.number, self.participants = 0, 0

    def record(self, spec: PartSpec, first: bool, last: bool) -> None:
        total = round(spec.seconds * self.fmt.rate_hz)
        writer, markers = self._open("start" if first else "resume")
        events = sorted((round(t * self.fmt.rate_hz), "participant")
                        for t in spec.participants_at_s)
        if spec.alarm_at_s is not None:
            events.append((round(spec.alarm_at_s * self.fmt.rate_hz), "alarm"))
        done = 0
        block = round(self.block_s * self.fmt.rate_hz)
        while done < total:
            n = min(block, total - done, writer.room_frames())
            if n == 0:
                self._close(writer, markers, "rollover")
                writer, markers = self._open(None)
                continue
            for frame, kind in [e for e in events if done <= e[0] < done + n]:
                self._event(kind, writer.frames + frame - done, markers)
            writer.write(audio_block(n, self.fmt.channels, seed=self.number * 10**6 + done))
            writer.flush()
            done += n
        end_kind = "stop" if last else "pause"
        self._marker(markers, writer.frames, end_kind, "Конец записи" if last else "Пауза")
        self.journal.append(Event.STOPPED if last else Event.PAUSED, part=self.number,
                            frame=writer.frames)
        self._close(writer, markers, "stop" if last else "pause")

    def _open(self, kind: str | None):
        self.number += 1
        stem = naming.part_stem(*self.names[:3], self.number, self.names[3])
        writer = WavPartWriter(self.day_dir / f"{stem}.wav", self.fmt, max_bytes=self.max_bytes)
        self.journal.append(Event.PART_OPENED, part=self.number, file=f"{stem}.wav",
                            rate_hz=self.fmt.rate_hz, channels=self.fmt.channels,
                            header=writer.header.hex())
        markers: list[dict] = []
        if kind:
            self.journal.append(Event.STARTED if kind == "start" else Event.RESUMED,
                                part=self.number, frame=0)
            self._marker(markers, 0, kind, "Начало записи" if kind == "start" else "Продолжение")
        return writer, markers

    def _event(self, kind: str, frame: int, markers: list[dict]) -> None:
        if kind == "participant":
            self.participants += 1
            self._marker(markers, frame, "participant", f"Участник {self.participants}",
                         self.participants)
        else:
            self.journal.append(Event.ALARM, code="silence", message="Тишина: нет сигнала",
                                part=self.number, frame=frame, value=-90.0)

    def _marker(self, markers, frame, kind, label, participant=None) -> None:
        entry = self.journal.append(Event.MARKER, part=self.number, frame=frame, kind=kind,
                                    label=label, participant=participant)
        markers.append({"frame": frame, "time_s": round(frame / self.fmt.rate_hz, 6),
                        "kind": kind, "label": label, "participant": participant,
                        "wall": entry.time})

    def _journal_checks(self, path: Path, markers: list[dict]) -> None:
        for marker, following in zip(markers, markers[1:], strict=False):
            if marker["kind"] == "participant":
                check = check_from_file(path, marker["frame"], following["frame"],
                                        CheckLimits())
                self.journal.append(Event.PARTICIPANT_CHECK, participant=marker["participant"],
                                    part=self.number, **check)

    def _close(self, writer: WavPartWriter, markers: list[dict], reason: str) -> None:
        writer.close([Cue(m["frame"], m["label"]) for m in markers])
        info = read_info(writer.path)
        with open(writer.path, "rb") as f:
            sha = hashlib.file_digest(f, "sha256").hexdigest()
        self.journal.append(Event.PART_CLOSED, part=self.number, file=writer.path.name,
                            frames=info.frames, duration_s=round(info.duration_s, 6),
                            bytes=info.file_bytes, sha256=sha, reason=reason)
        if self.journal_checks:
            self._journal_checks(writer.path, markers)
        stem = writer.path.stem
        rate = self.fmt.rate_hz
        (self.day_dir / f"{stem}.txt").write_text("".join(
            f"{m['frame'] / rate:.6f}\t{m['frame'] / rate:.6f}\t{m['label']}\n"
            for m in markers), encoding="utf-8")
        (self.day_dir / f"{stem}.markers.json").write_text(json.dumps(
            {"part": self.number, "file": writer.path.name, "rate_hz": rate,
             "channels": self.fmt.channels, "markers": markers}, ensure_ascii=False),
            encoding="utf-8")
        alarms = self.journal.events(Event.ALARM)
        counts = {"silence": 1} if any(a.data["part"] == self.number for a in alarms) else {}
        (self.day_dir / f"{stem}.summary.json").write_text(json.dumps(
            {"frames": info.frames, "rate_hz": rate, "duration_s": round(info.duration_s, 3),
             "levels": {"peak_dbfs": [-3.0] * self.fmt.channels,
                        "rms_dbfs": [-14.5] * self.fmt.channels},
             "speech_share": [0.62] * self.fmt.channels, "alarm_counts": counts,
             "alarms": []}, ensure_ascii=False), encoding="utf-8")
