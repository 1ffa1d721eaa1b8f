"""File and folder names demanded by the regulation: date, school code, room, part.

Pure functions: the same inputs always give the same names, on the appliance, in the export
and in the coordinator's `verify`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_WORDS = {
    "cyrillic": {"school": "ОО", "room": "ауд", "part": "часть"},
    "ascii": {"school": "OO", "room": "room", "part": "part"},
}

PART_RE = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})_(?:ОО|OO)-(?P<school>\d{6})_(?:ауд|room)-(?P<room>\d{4})"
    r"_(?:часть|part)-(?P<part>[1-9]\d*)\.wav$"
)


@dataclass(frozen=True)
class PartName:
    """What a part's file name says."""

    date: dt.date
    school: str
    room: str
    part: int


def part_stem(date: dt.date, school: str, room: str, part: int, naming: str = "cyrillic") -> str:
    """`2027-02-10_ОО-640101_ауд-0005_часть-1` (parts are numbered from 1)."""
    if part < 1:
        raise ValueError(f"part numbers start at 1, got {part}")
    w = _WORDS[naming]
    return f"{date.isoformat()}_{w['school']}-{school}_{w['room']}-{room}_{w['part']}-{part}"


def part_filename(date: dt.date, school: str, room: str, part: int,
                  naming: str = "cyrillic") -> str:
    return part_stem(date, school, room, part, naming) + ".wav"


def parse_part_filename(name: str) -> PartName | None:
    """The fields of a regulation part name, or None when `name` is not one."""
    match = PART_RE.match(name)
    if not match:
        return None
    try:
        date = dt.date.fromisoformat(match["date"])
    except ValueError:
        return None
    return PartName(date, match["school"], match["room"], int(match["part"]))


def day_dirname(date: dt.date) -> str:
    """Folder of one exam day on the appliance: `{data_dir}/recordings/{date}/`."""
    return date.isoformat()


def export_dirs(date: dt.date, school: str, room: str, naming: str = "cyrillic") -> tuple[str, str]:
    """(`2027-02-10_ОО-640101`, `ауд-0005`): the school folder and the room folder on a drive."""
    w = _WORDS[naming]
    return f"{date.isoformat()}_{w['school']}-{school}", f"{w['room']}-{room}"
