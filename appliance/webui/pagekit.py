"""What the settings, test and recordings pages need from the app, in one place.

The app (app.py) owns the config path, the session language and the recorder link; these
helpers give the page modules a narrow view of them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import request

from appliance.config import Config
from appliance.export.audit import log_event
from appliance.recorder.control import ControlClient


def config() -> Config:
    """The current settings (re-read after every save)."""
    from appliance.webui.app import current_config
    return current_config()


def cache_dir(name: str) -> Path:
    """A cache of the page's own (waveform peaks, clips being sent), inside its state dir."""
    from appliance.webui.auth import web_dir
    return web_dir(config()) / "cache" / name


def config_path() -> Path:
    from appliance.webui.app import config_path as app_config_path
    return app_config_path()


def lang() -> str:
    """The page language of this request: "ru" or "en"."""
    from appliance.webui.app import current_language
    return current_language()


def recorder(cmd: str, timeout_s: float | None = None, **args: Any) -> Any:
    """The recorder's reply to a control command; ApplianceError when it refuses or is down.
    `timeout_s` is for the commands that answer only after a recording (the test)."""
    if timeout_s is not None:
        return ControlClient(config().recording.socket_path(), timeout_s).call(cmd, **args)
    from appliance.webui import recorder_link
    return recorder_link.call(cmd, **args)


def audit(event: str, **data: object) -> None:
    """One line in the audit journal, saying that the web page did it and from where."""
    log_event(config().data_dir, event, source="web", remote=request.remote_addr or "", **data)
