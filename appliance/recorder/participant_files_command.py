"""The `save_roster` and `set_nezachet` control commands: the recorder writes the participant
list (`roster.json`) and the «незачет» marks (`results.json`) of a day folder.

The day folder holds the evidence, so only the recorder writes it; the participants page (its
own user, read-only on the recordings) reads the technician's file and sends the list here.
Nothing it sends is trusted: the date must be a plain date, the list passes the roster's own
checks (numbers, names, lengths, at most one entry per number), the folder is the recorder's
own data directory's (no path comes from the page), and one write at a time.
"""

from __future__ import annotations

import threading

from appliance import i18n
from appliance.contract import layout
from appliance.contract.vocabulary import Command
from appliance.errors import ConfigError, StateError, StorageError, os_error_words
from appliance.participants import results
from appliance.participants import roster as roster_mod

i18n.register({
    "part.no_recording": ("За {date} нет записей", "No recordings of {date}"),
    "part.bad_mark": ("Отметка «незачет» должна быть «да» или «нет», получено «{value}»",
                      "The «незачет» mark must be yes or no, got '{value}'"),
    "part.write_failed": ("Не удалось записать файл в папку дня ({name}): {reason}. Список "
                          "и отметки на этой странице не изменены",
                          "Could not write into the day folder ({name}): {reason}. The list "
                          "and the marks on this page are unchanged"),
})

def participant_files_handlers(recorder) -> dict:
    """`save_roster(date, participants)` -> {"count"}; `set_nezachet(date, participant,
    nezachet)` -> {"nezachet": [numbers]}. Both refuse in words and leave the files as
    they were."""
    lock = threading.Lock()

    def folder(date: object):
        return layout.day_dir(recorder.config.data_dir, layout.day_of(date))

    def save_roster(date: str = "", participants: object = None, source: str = "web") -> dict:
        if not isinstance(participants, list) or len(participants) > roster_mod.MAX_NUMBER:
            raise ConfigError("roster.bad_entry", entry=str(participants)[:80])
        roster = roster_mod.Roster.from_dict({"participants": participants})
        directory = folder(date)
        with lock:
            _write(roster_mod.ROSTER_NAME, roster_mod.save, directory, roster)
        return {"count": len(roster.participants)}

    def set_nezachet(date: str = "", participant: object = None, nezachet: object = None,
                     source: str = "web") -> dict:
        if not isinstance(participant, int) or isinstance(participant, bool) \
                or not 1 <= participant <= roster_mod.MAX_NUMBER:
            raise ConfigError("roster.bad_number", value=str(participant)[:40])
        if not isinstance(nezachet, bool):
            raise ConfigError("part.bad_mark", value=str(nezachet)[:40])
        directory = folder(date)
        if not layout.is_recorded(directory):  # the expert marks recorded answers
            raise StateError("part.no_recording", date=layout.day_of(date).strftime("%d.%m.%Y"))
        with lock:
            roster = roster_mod.load(directory)
            if roster.participants:
                roster.require(participant)
            marks = _write(results.RESULTS_NAME, results.set_nezachet, directory, participant,
                           nezachet)
        return {"nezachet": sorted(marks)}

    return {Command.SAVE_ROSTER: save_roster, Command.SET_NEZACHET: set_nezachet}


def _write(name: str, write, *args):
    """`write(*args)`, with a refused write (a read-only or full disk) said in words."""
    try:
        return write(*args)
    except OSError as err:
        raise StorageError("part.write_failed", name=name, reason=os_error_words(err)) from err
