"""New settings from the web page reach the running recorder (`reload_config`).

The site codes, file naming and pause mode are read when they are used, so they are swapped
in place on the pipeline thread: they count from the next start of a day (a day in progress
keeps the codes and naming it opened with, in its journal). Anything else (the microphone,
rate, data directory, button pins...) needs the daemon restarted: done at once when no day
is being recorded, and left pending while one is: taken the moment the day is stopped.
"""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

from appliance import config as config_mod
from appliance import i18n
from appliance.config import Config
from appliance.contract.vocabulary import State
from appliance.errors import StateError
from appliance.recorder.core import Recorder

i18n.register({
    "reload.in_day": ("Настройки сохранены. Звук и оборудование меняются только без записи: "
                      "они вступят в силу, как только запись будет остановлена",
                      "Settings saved. Sound and hardware settings change only when not "
                      "recording: they take effect as soon as the recording is stopped"),
})


def live_settings_only(old: Config, new: Config) -> bool:
    """Do `old` and `new` differ only in what can change without a restart?"""
    same_otherwise = dataclasses.replace(
        new, site=old.site, recording=dataclasses.replace(
            new.recording, naming=old.recording.naming, pause_mode=old.recording.pause_mode))
    return same_otherwise == old


class ConfigReloader:
    """The `reload_config` control command, and the restart it may leave pending: settings
    refused during a day are taken as soon as the day is stopped (`poll`, each second)."""

    def __init__(self, recorder: Recorder, config_path: Path, restart: threading.Event,
                 stop: threading.Event) -> None:
        self.recorder = recorder
        self.config_path = config_path
        self.restart = restart
        self.stop = stop
        self.pending = False

    def __call__(self, source: str = "cli") -> dict:
        new = config_mod.load(self.config_path)
        if live_settings_only(self.recorder.config, new):
            self.pending = False
            self.recorder.run_in_pipeline("reload_config",
                                          lambda: self.recorder.apply_config(new))
            return {"restart": False, "configured": new.site.is_complete()}
        if self._in_day():
            self.pending = True
            raise StateError("reload.in_day")
        self._restart()
        return {"restart": True, "configured": new.site.is_complete()}

    def poll(self) -> None:
        if self.pending and not self._in_day():
            self._restart()

    def _in_day(self) -> bool:
        return self.recorder.state in (State.RECORDING, State.PAUSED)

    def _restart(self) -> None:
        self.restart.set()
        self.stop.set()
