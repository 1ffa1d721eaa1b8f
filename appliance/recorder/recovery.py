"""Recovery after a crash or power cut: every part left open becomes a valid, sealed WAV.

Runs automatically when the recorder starts (before it accepts a start) and by
`appliance recover`. A part is repaired in place: the size fields are set to the whole frames
that reached the disk, a torn header is rebuilt from the copy journaled when the part opened,
the journaled markers are embedded as cues, and the part is sealed with its SHA-256 and given
the sound summary a closed part has (made from the file: the levels; the alarms are in the
journal).
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from appliance.capture import wavfile
from appliance.capture.writer import append_cues
from appliance.contract import layout
from appliance.dsp.levels import levels_of_blocks
from appliance.dsp.summary import PartSummary
from appliance.journal import Event
from appliance.recorder.day import Day
from appliance.recorder.media import Media
from appliance.recorder.mirror import MirroredDay, load_days
from appliance.recorder.resync import catch_up_now

SUMMARY_BLOCK_S = 0.1  # the recorder's block (audio.block_ms default)
SUMMARY_BATCH = 600  # blocks read and measured at a time (a minute of audio)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RecoveredPart:
    day: str
    file: str
    frames: int
    changed: bool


def recover_day(day: Day) -> list[RecoveredPart]:
    """Repair and seal the day's open parts, and complete the side files of sealed parts a
    cut interrupted; returns the parts repaired."""
    done = []
    for part in day.open_parts():
        path = day.path(part)
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
            os.close(fd)
        info, changed = wavfile.repair(path, part.header)
        if not info.cues and part.markers:
            append_cues(path, info.data_offset, info.data_bytes, day.cues(part))
        day.record(Event.PART_RECOVERED, part=part.number, file=part.file, frames=info.frames,
                   changed=changed)
        day.seal(part, "recovered")
        log.info("recovered %s: %d frames (changed: %s)", part.file, info.frames, changed)
        done.append(RecoveredPart(day.info.get("date", ""), part.file, info.frames, changed))
    for part in day.view.parts:
        day.write_sidecars(part)  # written only where a cut left them missing or behind
        summary = layout.sidecar(day.dir, part.file, layout.SUMMARY_SUFFIX)
        if not summary.exists():
            day.put_text(summary.name, json.dumps(summarize(day.path(part)),
                                                  ensure_ascii=False, indent=1))
    return done


def summarize(path: Path) -> dict:
    """The part's summary from its audio, read a minute at a time (constant memory)."""
    info = wavfile.read_info(path)
    fmt = info.format
    block = max(1, int(fmt.rate_hz * SUMMARY_BLOCK_S))
    summary = PartSummary(fmt.rate_hz, fmt.channels)
    with open(path, "rb") as f:
        f.seek(info.data_offset)
        left = info.frames
        while left:
            frames = min(left, block * SUMMARY_BATCH)
            pcm = np.frombuffer(f.read(frames * fmt.frame_bytes), "<i2")
            whole = frames - frames % block
            if whole:
                blocks = pcm[:whole * fmt.channels].reshape(-1, block, fmt.channels)
                for levels, one in zip(levels_of_blocks(blocks), blocks, strict=True):
                    summary.feed(one, levels)
            if frames > whole:
                rest = pcm[whole * fmt.channels:].reshape(1, -1, fmt.channels)
                summary.feed(rest[0], levels_of_blocks(rest)[0])
            left -= frames
    return summary.to_dict()


def recover_all(data_dir: str | Path, mirror_path: str = "") -> list[RecoveredPart]:
    """Recover every day under `data_dir` and, with a safety copy, on it too: the day is
    repaired on the first writable medium and the other is made equal to it (the recorder
    must not be running)."""
    media = Media(data_dir, mirror_path)
    done = []
    for day in load_days(media, data_dir):
        try:
            done.extend(recover_day(day))
            if isinstance(day, MirroredDay) and len(media.live()) == 2:
                for result in catch_up_now(day, media):
                    if not result["ok"]:
                        log.error("%s not made equal on both media: %s", result["file"],
                                  result.get("error"))
        finally:
            day.close()
    return done

