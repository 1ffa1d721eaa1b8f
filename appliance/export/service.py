"""Composition for the recorder: the drive manager and its udev watcher, from the config.

The recorder calls `start_drive_service(config, day_stopped=..., on_change=...)` once, calls
`manager.day_stopped()` when the day stops, shows `manager.status()` on the LEDs and the web
page, and closes the watcher at shutdown. Exports run in the manager's own thread.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

from appliance.config import Config
from appliance.export.drive import DriveManager, Mounter, UdevWatcher
from appliance.export.exporter import export_days


def drive_manager(config: Config, day_stopped: Callable[[], bool],
                  on_change: Callable[[dict], None] | None = None,
                  mounter: Mounter | None = None) -> DriveManager:
    export = functools.partial(export_days, config.data_dir,
                               school_name=config.export.school_name)
    return DriveManager(Path(config.export.mount_dir), export, mounter=mounter,
                        auto_export=config.export.auto_export, day_stopped=day_stopped,
                        on_change=on_change)


def start_drive_service(config: Config, day_stopped: Callable[[], bool],
                        on_change: Callable[[dict], None] | None = None
                        ) -> tuple[DriveManager, UdevWatcher]:
    manager = drive_manager(config, day_stopped, on_change)
    return manager, UdevWatcher(manager)
