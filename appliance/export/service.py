"""Composition for the recorder daemon: the drive manager and its udev watcher, from the config.

`start_drive_service(config, day_stopped=...)` is called once by `run_recorder`, which polls
`manager.poll()` every second (a drive waiting while the day runs is exported when it stops),
adds the `drive` and `export` control commands (`drive_handlers`) for the web page and the CLI,
and closes the watcher at shutdown. Exports run in the manager's own thread, never the
pipeline's, so capture is never blocked.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path

from appliance.config import Config
from appliance.contract.vocabulary import Command
from appliance.export.drive import DriveManager, Mounter, UdevWatcher, UnitMounter

log = logging.getLogger(__name__)


def drive_manager(config: Config, day_stopped: Callable[[], bool],
                  on_change: Callable[[dict], None] | None = None,
                  mounter: Mounter | UnitMounter | None = None) -> DriveManager:
    from appliance.export.exporter import export_days  # its reports pull in numpy: not at import

    export = functools.partial(export_days, config.data_dir,
                               school_name=config.export.school_name,
                               mirror_dir=config.mirror.path)
    return DriveManager(Path(config.export.mount_dir), export, mounter=mounter,
                        auto_export=config.export.auto_export, day_stopped=day_stopped,
                        on_change=on_change)


def start_drive_service(config: Config, day_stopped: Callable[[], bool],
                        on_change: Callable[[dict], None] | None = None
                        ) -> tuple[DriveManager, UdevWatcher | None]:
    """The manager, and its watcher unless udev cannot be watched here (no pyudev or
    libudev, no netlink in a container): then drives are exported only on demand."""
    manager = drive_manager(config, day_stopped, on_change)
    try:
        watcher = UdevWatcher(manager)
    except (ImportError, OSError) as err:
        log.warning("USB drive watcher not started (%s); export on demand only", err)
        watcher = None
    return manager, watcher


def drive_handlers(manager: DriveManager) -> dict:
    """Control commands: `drive` (state, progress, "safe to remove") and `export` (start one
    onto the mounted drive now; `started` is False when there is none or one is running)."""
    def export() -> dict:
        return {"started": manager.start_export(), **manager.status()}
    return {Command.DRIVE: manager.status, Command.EXPORT: export}
