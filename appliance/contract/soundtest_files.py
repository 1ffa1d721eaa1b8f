"""The test recordings' folder: how its files are named, and the verdict saved beside each.

The recorder saves each step of a test as `{data_dir}/tests/test_{stamp}_{seat}.wav` (stamp:
local time) with its verdict beside it (`.json`, written whole and renamed into place). The
wizard page, the dashboard and the school summary read them back here, without the web
framework, so all three say the same about the last test.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from appliance.contract.vocabulary import SEATS

TEST_NAME_RE = re.compile(
    r"^test_(?P<stamp>\d{4}-\d\d-\d\d_\d{6})_(?P<seat>participant|examiner)\.wav$")
STAMP_FORMAT = "%Y-%m-%d_%H%M%S"


def recording_path(folder: Path, seat: str, when: dt.datetime) -> Path:
    """Where a test step recorded at local time `when` from `seat` is saved."""
    return folder / f"test_{when.strftime(STAMP_FORMAT)}_{seat}.wav"


def names(folder: Path) -> list[str]:
    """The test recordings' names, newest first (the stamp sorts by time)."""
    if not folder.is_dir():
        return []
    return sorted((p.name for p in folder.iterdir() if TEST_NAME_RE.match(p.name)),
                  reverse=True)


def recorded_at(name: str) -> dt.datetime:
    """The local time a test recording's name says it was made."""
    return dt.datetime.strptime(TEST_NAME_RE.match(name)["stamp"], STAMP_FORMAT)


def seat_of(name: str) -> str:
    return TEST_NAME_RE.match(name)["seat"]


def save_result(path: Path, result: dict) -> None:
    """A step's verdict beside its recording (written whole, then renamed into place)."""
    names_by_seat = {seat: Path(file).name for seat, file in result.get("files", {}).items()}
    saved = {**{k: v for k, v in result.items() if k != "files"}, "names": names_by_seat}
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(saved, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, path)


def saved_result(folder: Path, name: str) -> dict | None:
    """The verdict saved beside a recording, or None (not judged yet, unreadable)."""
    try:
        saved = json.loads((folder / name).with_suffix(".json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return saved if isinstance(saved, dict) else None


@dataclass(frozen=True)
class LastTest:
    """The newest judged step of a test and the steps it was judged with."""

    name: str
    recorded_at: dt.datetime
    steps: dict[str, dict]
    """Seat -> {"name": the step's recording, "verdict": its verdict}."""
    overall: dict | None
    """The two seats' verdict, once both were recorded."""

    @property
    def verdict(self) -> dict:
        """The test's verdict so far: both seats' once there is one, else this step's."""
        return self.overall or self.steps[seat_of(self.name)]["verdict"]


def last_test(folder: Path) -> LastTest | None:
    """The newest judged step in `folder`, or None when no test was judged there."""
    for name in names(folder):
        saved = saved_result(folder, name)
        if saved is None or not isinstance(saved.get("verdict"), dict):
            continue
        steps = {}
        for seat, step_name in saved.get("names", {}).items():
            step = saved if step_name == name else saved_result(folder, step_name)
            if seat in SEATS and step and TEST_NAME_RE.match(step_name):
                steps[seat] = {"name": step_name, "verdict": step["verdict"]}
        steps.setdefault(seat_of(name), {"name": name, "verdict": saved["verdict"]})
        return LastTest(name, recorded_at(name), steps, saved.get("overall"))
    return None
