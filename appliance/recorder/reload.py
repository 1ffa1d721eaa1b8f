"""New settings from the web page reach the running recorder (`reload_config`).

The site codes, file naming and pause mode are read when they are used, so they are swapped
in place on the pipeline thread: they count from the next start of a day (a day in progress
keeps the codes and naming it opened with, in its journal). Anything else (the microphone,
rate, data directory, button pins...) needs the daemon restarted: done at once when no day
is being recorded, refused while one is (the file stays saved and counts from the next start).
"""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

from appliance import config as config_mod
from appliance import i18n
from appliance.config import Config
from appliance.errors import StateError
from appliance.recorder.core import Recorder

i18n.register({
    "reload.in_day": ("Настройки сохранены, но звук и оборудование меняются только без "
                      "записи: остановите запись, и они вступят в силу",
                      "Settings saved, but sound and hardware settings change only when not "
                      "recording: stop the recording for them to take effect"),
})


def live_settings_only(old: Config, new: Config) -> bool:
    """Do `old` and `new` differ only in what can change without a restart?"""
    same_otherwise = dataclasses.replace(
        new, site=old.site, recording=dataclasses.replace(
            new.recording, naming=old.recording.naming, pause_mode=old.recording.pause_mode))
    return same_otherwise == old


def reload_handler(recorder: Recorder, config_path: Path, restart: threading.Event,
                   stop: threading.Event):
    def reload_config(source: str = "cli") -> dict:
        new = config_mod.load(config_path)
        if live_settings_only(recorder.config, new):
            recorder.run_in_pipeline("reload_config", lambda: recorder.apply_config(new))
            return {"restart": False, "configured": new.site.is_complete()}
        if recorder.state.value in ("recording", "paused"):
            raise StateError("reload.in_day")
        restart.set()
        stop.set()
        return {"restart": True, "configured": new.site.is_complete()}
    return reload_config
