"""The day on disk: where a day's folder, journal and a part's side files are.

`{data_dir}/recordings/{date}/journal.jsonl` and, per part, `{stem}.wav` with `{stem}.txt`
(labels), `{stem}.markers.json` and `{stem}.summary.json` (FORMATS.md). One definition each,
for the recorder that writes them and everyone who reads them.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

from appliance import i18n, naming
from appliance.errors import ConfigError

JOURNAL_NAME = "journal.jsonl"
PRIVATE = 0o640
"""Mode of every recorded file: recordings hold minors' voices and names."""
LABELS_SUFFIX = ".txt"
MARKERS_SUFFIX = ".markers.json"
SUMMARY_SUFFIX = ".summary.json"
SIDECAR_SUFFIXES = (LABELS_SUFFIX, MARKERS_SUFFIX, SUMMARY_SUFFIX)
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

i18n.register({
    "day.bad_date": ("Дата «{value}» не в формате ГГГГ-ММ-ДД", "Date '{value}' is not YYYY-MM-DD"),
})


def recordings_dir(data_dir: str | os.PathLike) -> Path:
    return Path(data_dir) / "recordings"


def day_dir(data_dir: str | os.PathLike, date: dt.date) -> Path:
    """The folder of one exam day (it may not exist yet)."""
    return recordings_dir(data_dir) / naming.day_dirname(date)


def day_of(value: object) -> dt.date:
    """An exam day as a page or a command names it (`YYYY-MM-DD` only, so it can never be a
    path), or a refusal naming what was given."""
    text = str(value)
    try:
        if ISO_DATE.fullmatch(text):
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    raise ConfigError("day.bad_date", value=text[:40])


def journal_path(directory: str | os.PathLike) -> Path:
    return Path(directory) / JOURNAL_NAME


def is_recorded(directory: str | os.PathLike) -> bool:
    """Whether the folder holds a recorded day (its journal), not just a roster."""
    return journal_path(directory).exists()


def find_days(data_dir: str | os.PathLike) -> list[Path]:
    """Day folders that have a journal, oldest first."""
    root = recordings_dir(data_dir)
    if not root.exists():
        return []
    return sorted(p.parent for p in root.glob(f"*/{JOURNAL_NAME}"))


def sidecar(directory: str | os.PathLike, part_file: str, suffix: str) -> Path:
    """A part's side file: `suffix` is one of SIDECAR_SUFFIXES."""
    return Path(directory) / (Path(part_file).stem + suffix)
