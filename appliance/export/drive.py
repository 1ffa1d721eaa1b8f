"""USB drive detection and mounting, kept apart from the copy.

`DriveManager.handle(BlockEvent)` is the whole decision logic: a USB partition with a
supported filesystem appears → mount it under the fixed mount dir with safe options → export
in a background thread when the day is stopped (or on demand) → sync and unmount → "safe to
remove". `UdevWatcher` is the thin pyudev shell that turns kernel events into BlockEvents;
tests feed BlockEvents directly (insertions cannot happen on a machine without USB).
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from appliance import i18n
from appliance.config import MIRROR_LABEL
from appliance.contract.vocabulary import DriveState
from appliance.errors import ApplianceError, StorageError

log = logging.getLogger(__name__)

SUPPORTED_FS = ("vfat", "exfat", "ext4")
SAFE_OPTIONS = "nosuid,nodev,noexec,noatime"

i18n.register({
    "drive.mount_failed": ("Накопитель {device} не подключается: {detail}",
                           "Drive {device} cannot be mounted: {detail}"),
    "drive.unsupported": ("Накопитель {device}: файловая система «{fs}» не поддерживается "
                          "(нужна FAT32, exFAT или ext4)", "Drive {device}: filesystem '{fs}' "
                          "is not supported (FAT32, exFAT or ext4 needed)"),
    "drive.removed": ("Накопитель извлечён во время выгрузки; записи на устройстве не пострадали. "
                      "Вставьте его снова, выгрузка продолжится",
                      "The drive was removed during the export; the recordings on the "
                      "appliance are intact. Plug it in again to finish"),
    "drive.not_mounted": ("служба {unit} не подключила его", "{unit} did not mount it"),
    "drive.failed": ("Выгрузка не удалась: {detail}", "The export failed: {detail}"),
})


@dataclass(frozen=True)
class BlockEvent:
    """What the export needs to know from one udev block-device event."""

    action: str
    """"add", "remove" or "change"."""
    device_node: str
    devtype: str = "partition"
    bus: str = "usb"
    fs_type: str = ""
    label: str = ""

    @classmethod
    def from_udev(cls, device) -> BlockEvent:
        """From a `pyudev.Device` (its `action` is set for monitor events)."""
        props = device.properties
        return cls(device.action or "add", device.device_node or "", device.device_type or "",
                   props.get("ID_BUS", ""), props.get("ID_FS_TYPE", ""),
                   props.get("ID_FS_LABEL", ""))

    @property
    def is_usb_filesystem(self) -> bool:
        return self.bus == "usb" and bool(self.fs_type)


def mount_options(fs_type: str, uid: int, gid: int) -> str:
    """No device files, no set-uid, no programs from the stick; files owned by the service."""
    if fs_type == "ext4":
        return SAFE_OPTIONS
    owner = f"uid={uid},gid={gid},fmask=0137,dmask=0027"
    if fs_type == "vfat":
        return f"{SAFE_OPTIONS},{owner},flush,utf8,shortname=mixed"
    return f"{SAFE_OPTIONS},{owner}"


def kernel_filesystems() -> set[str]:
    try:
        with open("/proc/filesystems", encoding="ascii") as f:
            return {line.split()[-1] for line in f if line.strip()}
    except OSError:
        return set()


class Mounter:
    """Mounts with mount(8); uses the FUSE driver (`mount.exfat-fuse`) when the kernel lacks one."""

    def mount(self, device: str, fs_type: str, mount_dir: Path) -> None:
        mount_dir.mkdir(parents=True, exist_ok=True)
        options = mount_options(fs_type, os.getuid(), os.getgid())
        fuse_helper = shutil.which(f"mount.{fs_type}-fuse")
        if fs_type not in kernel_filesystems() and fuse_helper:
            cmd = [fuse_helper, device, str(mount_dir), "-o", options]
        else:
            cmd = ["mount", "-t", fs_type, "-o", options, device, str(mount_dir)]
        self._run(cmd, device)

    def unmount(self, mount_dir: Path) -> None:
        os.sync()
        if os.path.ismount(mount_dir):
            self._run(["umount", str(mount_dir)], str(mount_dir))

    @staticmethod
    def _run(cmd: list[str], device: str) -> None:
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            raise StorageError("drive.mount_failed", device=device,
                               detail=(done.stderr or done.stdout).strip())


class UnitMounter:
    """For an unprivileged recorder (the image): root mounts the drive through
    `appliance-usb@NAME.service` (started by the udev rule), so `mount` only waits for the
    mount point, and `unmount` syncs and stops that unit (polkit allows it; docs/IMAGE.md)."""

    def __init__(self, wait_s: float = 15.0) -> None:
        self.wait_s = wait_s
        self._unit = ""

    def mount(self, device: str, fs_type: str, mount_dir: Path) -> None:
        self._unit = f"appliance-usb@{Path(device).name}.service"
        deadline = time.monotonic() + self.wait_s
        while not os.path.ismount(mount_dir):
            if time.monotonic() > deadline:
                raise StorageError("drive.mount_failed", device=device,
                                   detail=i18n.text("drive.not_mounted", unit=self._unit))
            time.sleep(0.2)  # polling a mount point: there is no event to wait on here

    def unmount(self, mount_dir: Path) -> None:
        os.sync()
        if self._unit and os.path.ismount(mount_dir):
            Mounter._run(["systemctl", "stop", self._unit], str(mount_dir))


def default_mounter() -> Mounter | UnitMounter:
    """root mounts by itself (a development machine); anyone else relies on the udev unit."""
    return Mounter() if os.geteuid() == 0 else UnitMounter()


ExportFunction = Callable[[Path, Callable], object]
"""`export(dest_dir, progress)`, e.g. a partial of `exporter.export_days`."""


class DriveManager:
    """Drive state for the LEDs and the web page. Thread-safe; exports run in a worker thread."""

    def __init__(self, mount_dir: Path, export: ExportFunction,
                 mounter: Mounter | UnitMounter | None = None,
                 auto_export: bool = True, day_stopped: Callable[[], bool] = lambda: True,
                 on_change: Callable[[dict], None] | None = None) -> None:
        self.mount_dir = Path(mount_dir)
        self._export, self._mounter = export, mounter or default_mounter()
        self._auto, self._day_stopped, self._on_change = auto_export, day_stopped, on_change
        self._lock = threading.Lock()
        self._state, self._device, self._message = DriveState.ABSENT, "", ""
        self._fraction, self._result = 0.0, None
        self._worker: threading.Thread | None = None

    def status(self) -> dict:
        with self._lock:
            return {"state": str(self._state), "device": self._device, "message": self._message,
                    "progress": round(self._fraction, 4), "result": self._result}

    def handle(self, event: BlockEvent) -> None:
        """React to one udev event (called from the watcher's thread or a test)."""
        if event.label == MIRROR_LABEL:
            return  # the safety copy's stick: the recorder writes it, never an export
        if event.action == "add" and event.devtype == "partition" and event.is_usb_filesystem:
            self._attach(event)
        elif event.action == "remove" and event.device_node == self._device:
            self._detach()

    def day_stopped(self) -> None:
        """The recorder calls this when the day is stopped: export if a drive waits."""
        if self._auto and self.status()["state"] == DriveState.MOUNTED:
            self.start_export()

    def poll(self) -> None:
        """Called every second or so by the recorder daemon: a drive that waits while the day
        was still running is exported as soon as the day is stopped."""
        if self._day_stopped():
            self.day_stopped()

    def start_export(self) -> bool:
        """Start an export to the mounted drive; False when there is none or one is running."""
        with self._lock:
            if self._state not in (DriveState.MOUNTED, DriveState.FAILED) or not self._device:
                return False
            if not os.path.ismount(self.mount_dir):
                return False
            self._state, self._fraction, self._message = DriveState.EXPORTING, 0.0, ""
            self._worker = threading.Thread(target=self._run_export, name="export", daemon=True)
            self._worker.start()
        self._changed()
        return True

    def wait(self, timeout_s: float) -> bool:
        worker = self._worker
        if worker:
            worker.join(timeout_s)
        return not (worker and worker.is_alive())

    def _attach(self, event: BlockEvent) -> None:
        if event.fs_type not in SUPPORTED_FS:
            self._set(DriveState.FAILED, event.device_node,
                      i18n.text("drive.unsupported", device=event.device_node, fs=event.fs_type))
            return
        try:
            self._mounter.mount(event.device_node, event.fs_type, self.mount_dir)
        except ApplianceError as err:
            self._set(DriveState.FAILED, event.device_node, str(err))
            return
        self._set(DriveState.MOUNTED, event.device_node, "")
        if self._auto and self._day_stopped():
            self.start_export()

    def _detach(self) -> None:
        with self._lock:
            exporting = self._state == DriveState.EXPORTING
        if not exporting:
            self._unmount_quietly()
            self._set(DriveState.ABSENT, "", "")
        # while exporting, the worker sees the I/O error and reports the removal itself

    def _run_export(self) -> None:
        try:
            result = self._export(self.mount_dir, self._progress)
            self._mounter.unmount(self.mount_dir)
        except Exception as err:  # top of the export thread: report, never crash the recorder
            log.exception("export failed")
            removed = self._device_missing() or not os.path.ismount(self.mount_dir)
            self._unmount_quietly()
            self._set(DriveState.FAILED, self._device,
                      i18n.text("drive.removed") if removed
                      else i18n.text("drive.failed", detail=err))
            return
        with self._lock:
            self._result = result.summary() if hasattr(result, "summary") else None
            self._fraction = 1.0
        self._set(DriveState.SAFE_TO_REMOVE, self._device, "")

    def _device_missing(self) -> bool:
        return not os.path.exists(self._device)

    def _unmount_quietly(self) -> None:
        try:
            self._mounter.unmount(self.mount_dir)
        except ApplianceError as err:
            log.warning("%s", err)

    def _progress(self, progress) -> None:
        with self._lock:
            self._fraction = progress.fraction

    def _set(self, state: DriveState, device: str, message: str) -> None:
        with self._lock:
            self._state, self._device, self._message = state, device, message
        self._changed()

    def _changed(self) -> None:
        if self._on_change:
            self._on_change(self.status())


class UdevWatcher:
    """pyudev's monitor in its own thread, feeding a DriveManager. `close()` stops it."""

    def __init__(self, manager: DriveManager) -> None:
        import pyudev

        monitor = pyudev.Monitor.from_netlink(pyudev.Context())
        monitor.filter_by("block")
        self._observer = pyudev.MonitorObserver(
            monitor, callback=lambda device: manager.handle(BlockEvent.from_udev(device)),
            name="udev-drives")
        self._observer.start()

    def close(self) -> None:
        self._observer.stop()

    def __enter__(self) -> UdevWatcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
