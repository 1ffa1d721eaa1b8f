"""Recovery after a crash or power cut: every part left open becomes a valid, sealed WAV.

Runs automatically when the recorder starts (before it accepts a start) and by
`appliance recover`. A part is repaired in place: the size fields are set to the whole frames
that reached the disk, a torn header is rebuilt from the copy journaled when the part opened,
the journaled markers are embedded as cues, and the part is sealed with its SHA-256.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from appliance.capture import wavfile
from appliance.capture.writer import append_cues
from appliance.journal import Event
from appliance.recorder.day import Day, find_days

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RecoveredPart:
    day: str
    file: str
    frames: int
    changed: bool


def recover_day(day: Day) -> list[RecoveredPart]:
    """Repair and seal the day's open parts; returns what was done."""
    done = []
    for part in day.open_parts():
        path = day.path(part)
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
            os.close(fd)
        info, changed = wavfile.repair(path, part.header)
        if not info.cues and part.markers:
            append_cues(path, info.data_offset, info.data_bytes, day.cues(part))
        day.record(Event.PART_RECOVERED, part=part.part, file=part.file, frames=info.frames,
                   changed=changed)
        day.seal(part, "recovered")
        log.info("recovered %s: %d frames (changed: %s)", part.file, info.frames, changed)
        done.append(RecoveredPart(day.info.get("date", ""), part.file, info.frames, changed))
    return done


def recover_all(data_dir: str | Path) -> list[RecoveredPart]:
    """Recover every day under `data_dir` (the recorder must not be running)."""
    done = []
    for directory in find_days(data_dir):
        day = Day.load(directory)
        try:
            done.extend(recover_day(day))
        finally:
            day.close()
    return done

