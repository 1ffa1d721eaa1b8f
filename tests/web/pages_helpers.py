"""Helpers of the page tests: reading back audit lines, WAV files and durations."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import wave
from pathlib import Path

from appliance.contract.audit import read_audit
from tests.export.export_daybuilder import PartSpec, build_day

DAY = dt.date(2027, 2, 10)
RATE_HZ = 8000
PARTICIPANTS_AT_S = (1.0, 12.5)
"""Participant markers of part 1 (30 s) of the recorded day; part 2 (20 s) has one at 0.5 s."""
SCREENSHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"


def record_day(data_dir: Path) -> Path:
    """A stopped day of two parts (a break between), three participants, one alarm."""
    return build_day(data_dir, [PartSpec(30.0, list(PARTICIPANTS_AT_S), alarm_at_s=20.0),
                                PartSpec(20.0, [0.5])], date=DAY, rate_hz=RATE_HZ)


def audit_lines(data_dir: Path, event: str) -> list:
    """The audit journal's entries of one event."""
    return [e for e in read_audit(data_dir) if e.event == event]


def wav_params(path: Path) -> tuple[int, int, int]:
    """(rate_hz, channels, frames) read back by the standard library."""
    with wave.open(str(path), "rb") as w:
        return w.getframerate(), w.getnchannels(), w.getnframes()


def wav_frames(path: Path, start: int, count: int) -> bytes:
    with wave.open(str(path), "rb") as w:
        w.setpos(start)
        return w.readframes(count)


def probe_duration_s(path: Path) -> float:
    """The duration ffprobe reads from a file (WAV or MP3)."""
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration",
                          "-of", "json", str(path)], capture_output=True, text=True, check=True)
    return float(json.loads(out.stdout)["format"]["duration"])


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"pages_{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
