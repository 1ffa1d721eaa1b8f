"""The room's participant list (form ИС-01) for one exam day, stored in the day folder.

The roster lives in `{data_dir}/recordings/{date}/roster.json`, next to the recordings it
names, so `appliance purge` removes it with them. The recorder writes it (atomically) for the
participants page (appliance.recorder.participant_files_command) and reads it when "next
participant" is pressed. Full names never leave this file except into the room sheet (behind
the login, and in the export's sheet).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from appliance import i18n
from appliance.contract import layout
from appliance.contract.audit import AuditEvent, log_event
from appliance.errors import ConfigError
from appliance.fsutil import atomic_write_text

ROSTER_NAME = "roster.json"
MAX_NUMBER = 999
MAX_NAME_CHARS = 200
MAX_CLASS_CHARS = 20

i18n.register({
    "roster.duplicate": ("Номер {number} встречается в списке дважды",
                         "Number {number} appears twice in the list"),
    "roster.bad_number": ("Номер участника должен быть целым числом от 1 до 999, "
                          "получено «{value}»",
                          "A participant number must be a whole number 1-999, got '{value}'"),
    "roster.no_name": ("У участника {number} не указаны ФИО", "Participant {number} has no name"),
    "roster.bad_entry": ("Непонятная запись в списке: {entry}", "Unclear list entry: {entry}"),
    "roster.bad_variant": ("У участника {number} вариант «{value}» не номер от 1 до 999",
                           "Participant {number}: variant '{value}' is not a number 1-999"),
    "roster.name_too_long": ("У участника {number} ФИО длиннее {max} символов",
                             "Participant {number}: the name is longer than {max} characters"),
    "roster.class_too_long": ("У участника {number} класс длиннее {max} символов",
                              "Participant {number}: the class is longer than {max} characters"),
    "roster.unknown": ("Участника с номером {number} нет в списке",
                       "There is no participant number {number} in the list"),
    "purge.roster": ("{date}: список участников дня без записи удаляется",
                     "{date}: the participant list of a day never recorded is deleted"),
})


@dataclass
class Participant:
    number: int
    """№ п.п. in the list: the only identifier that appears in file names and markers."""
    name: str
    """ФИО: personal data, shown behind the login and in the export's sheet only."""
    class_name: str = ""
    absent: bool = False
    """Отметка о неявке («Н»): skipped by "next participant"."""
    variant: int | None = None
    """The variant number given in the list, if any (the participant also states it)."""
    ovz: bool = False
    """ОВЗ: a participant with special needs, allowed `[participants] ovz_extra_min` more."""

    def to_dict(self) -> dict:
        return {"number": self.number, "name": self.name, "class": self.class_name,
                "absent": self.absent, "variant": self.variant, "ovz": self.ovz}

    @classmethod
    def from_dict(cls, data: dict) -> Participant:
        """From the roster file or the page (`class`; older files say `class_name`)."""
        try:
            variant = data.get("variant")
            return cls(int(data["number"]), str(data.get("name", "")),
                       str(data.get("class", data.get("class_name", ""))),
                       bool(data.get("absent", False)),
                       int(variant) if variant not in (None, "") else None,
                       bool(data.get("ovz", False)))
        except (KeyError, TypeError, ValueError, AttributeError):
            raise ConfigError("roster.bad_entry", entry=str(data)[:80]) from None


@dataclass
class Roster:
    participants: list[Participant] = field(default_factory=list)

    def get(self, number: int) -> Participant | None:
        return next((p for p in self.participants if p.number == number), None)

    def require(self, number: int) -> Participant:
        found = self.get(number)
        if found is None:
            raise ConfigError("roster.unknown", number=number)
        return found

    def ordered(self) -> list[Participant]:
        return sorted(self.participants, key=lambda p: p.number)

    def next_present(self, after: set[int]) -> Participant | None:
        """The first present participant in list order whose number is not in `after`."""
        return next((p for p in self.ordered() if not p.absent and p.number not in after), None)

    def to_dict(self) -> dict:
        return {"version": 2, "participants": [p.to_dict() for p in self.ordered()]}

    @classmethod
    def from_dict(cls, data: dict) -> Roster:
        entries = data.get("participants")
        if not isinstance(entries, list):
            raise ConfigError("roster.bad_entry", entry=entries)
        roster = cls([Participant.from_dict(p) for p in entries])
        roster.validate()
        return roster

    def validate(self) -> None:
        seen: set[int] = set()
        for p in self.participants:
            if not 1 <= p.number <= MAX_NUMBER:
                raise ConfigError("roster.bad_number", value=p.number)
            if p.number in seen:
                raise ConfigError("roster.duplicate", number=p.number)
            if not p.name.strip():
                raise ConfigError("roster.no_name", number=p.number)
            if len(p.name) > MAX_NAME_CHARS:
                raise ConfigError("roster.name_too_long", number=p.number, max=MAX_NAME_CHARS)
            if len(p.class_name) > MAX_CLASS_CHARS:
                raise ConfigError("roster.class_too_long", number=p.number, max=MAX_CLASS_CHARS)
            if p.variant is not None and not 1 <= p.variant <= MAX_NUMBER:
                raise ConfigError("roster.bad_variant", number=p.number, value=p.variant)
            seen.add(p.number)


def orphans(data_dir: str | os.PathLike, today: dt.date) -> list[Path]:
    """Day folders of past dates holding a roster but no recording (a list imported for a day
    that was never recorded): nothing keeps them, so purge removes them."""
    root = layout.recordings_dir(data_dir)
    found = []
    for path in sorted(root.glob(f"*/{ROSTER_NAME}")):
        folder = path.parent
        try:
            date = dt.date.fromisoformat(folder.name)
        except ValueError:
            continue
        if date < today and not layout.is_recorded(folder):
            found.append(folder)
    return found


def remove_orphan(data_dir: str | os.PathLike, folder: Path, who: str = "cli") -> None:
    """Delete a roster-only day folder (see `orphans`), with a line in the audit journal."""
    files = sorted(p for p in folder.iterdir() if p.is_file())
    log_event(data_dir, AuditEvent.ROSTER_PURGED, date=folder.name, files=[p.name for p in files],
              source=who)
    for path in files:
        path.unlink()
    folder.rmdir()


def load(directory: str | os.PathLike) -> Roster:
    """The roster of a day folder, or an empty one when none was imported."""
    path = Path(directory) / ROSTER_NAME
    try:
        return Roster.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return Roster()


def save(directory: str | os.PathLike, roster: Roster) -> Path:
    roster.validate()
    path = Path(directory) / ROSTER_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, json.dumps(roster.to_dict(), ensure_ascii=False, indent=1),
                      layout.PRIVATE)
    return path
