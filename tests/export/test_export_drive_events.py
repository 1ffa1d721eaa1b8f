"""Drive detection fed with udev events: real mount (exFAT via FUSE), export, safe to remove."""

import functools
import os
import subprocess

import pytest
from export_drive import exfat_loop

from appliance.contract.vocabulary import DriveState
from appliance.export.drive import BlockEvent, DriveManager, mount_options
from appliance.export.exporter import export_days
from appliance.export.verify import run_verify
from tests.feeds import wait_for


@pytest.fixture
def usb(tmp_path):
    mount_dir = tmp_path / "media" / "usb"
    with exfat_loop(tmp_path, 64, mount_dir) as (_, loop):
        yield loop, mount_dir


def manager_for(data_dir, mount_dir, **kwargs):
    states = []
    manager = DriveManager(mount_dir, functools.partial(export_days, data_dir),
                           on_change=lambda s: states.append(s["state"]), **kwargs)
    return manager, states


def plug(loop, fs_type="exfat", bus="usb"):
    return BlockEvent("add", loop, "partition", bus, fs_type, "EXAM")


def test_inserted_drive_is_mounted_exported_and_left_safe_to_remove(data_dir, small_day, usb):
    loop, mount_dir = usb
    manager, states = manager_for(data_dir, mount_dir)
    manager.handle(plug(loop))
    assert manager.wait(60)
    status = manager.status()
    assert status["state"] == "safe_to_remove", status
    assert status["progress"] == 1.0
    assert status["result"]["rooms"][0]["files"] == 19  # in manifest, with the sheet's copy
    assert states == ["mounted", "exporting", "safe_to_remove"]
    assert not os.path.ismount(mount_dir)

    # the FUSE daemon of the export's mount may hold the device a moment after the unmount
    wait_for(lambda: subprocess.run(["mount.exfat-fuse", "-o", "ro", loop, str(mount_dir)],
                                      capture_output=True).returncode == 0)
    wait_for(lambda: os.path.ismount(mount_dir))
    assert run_verify(mount_dir, out=lambda line: None) == 0


def test_no_export_while_the_day_is_running_until_it_stops(data_dir, small_day, usb):
    loop, mount_dir = usb
    running = {"yes": True}
    manager, states = manager_for(data_dir, mount_dir, day_stopped=lambda: not running["yes"])
    manager.handle(plug(loop))
    assert manager.status()["state"] == "mounted" and os.path.ismount(mount_dir)
    running["yes"] = False
    manager.day_stopped()
    assert manager.wait(60)
    assert manager.status()["state"] == "safe_to_remove"


def test_removal_of_an_idle_drive_unmounts_it(data_dir, small_day, usb):
    loop, mount_dir = usb
    manager, _ = manager_for(data_dir, mount_dir, auto_export=False)
    manager.handle(plug(loop))
    assert os.path.ismount(mount_dir)
    with open("/proc/mounts", encoding="utf-8") as mounts:
        line = next(m for m in mounts if m.split()[1] == str(mount_dir))
    # exfat-fuse drops noexec (the kernel drivers on the Pi keep it): nosuid and nodev hold
    assert {"nosuid", "nodev"} <= set(line.split()[3].split(","))
    manager.handle(BlockEvent("remove", loop))
    assert manager.status()["state"] == "absent" and not os.path.ismount(mount_dir)


def test_other_devices_are_ignored_and_bad_filesystems_reported(data_dir, tmp_path):
    mount_dir = tmp_path / "usb"
    manager, states = manager_for(data_dir, mount_dir)
    manager.handle(plug("/dev/sda1", bus="ata"))
    manager.handle(BlockEvent("add", "/dev/sdb", "disk", "usb", "exfat"))
    manager.handle(BlockEvent("add", "/dev/sdb1", "partition", "usb", ""))
    assert states == []
    manager.handle(plug("/dev/sdb1", fs_type="ntfs"))
    status = manager.status()
    assert status["state"] == DriveState.FAILED
    assert "«ntfs» не поддерживается" in status["message"]
    assert not manager.start_export()


def test_unmountable_device_is_reported_not_raised(data_dir, tmp_path):
    manager, _ = manager_for(data_dir, tmp_path / "usb")
    manager.handle(plug(str(tmp_path / "нет-устройства")))
    assert manager.status()["state"] == "failed"
    assert "не подключается" in manager.status()["message"]


@pytest.mark.parametrize("fs_type, must_have", [
    ("vfat", {"nosuid", "nodev", "noexec", "flush", "utf8", "uid=1000"}),
    ("exfat", {"nosuid", "nodev", "noexec", "fmask=0137", "dmask=0027"}),
    ("ext4", {"nosuid", "nodev", "noexec", "noatime"}),
])
def test_mount_options_are_safe(fs_type, must_have):
    assert must_have <= set(mount_options(fs_type, 1000, 1000).split(","))


def test_event_from_a_real_udev_device():
    import pyudev

    device = pyudev.Devices.from_device_file(pyudev.Context(), "/dev/loop0")
    event = BlockEvent.from_udev(device)
    assert event.device_node == "/dev/loop0" and event.devtype == "disk"
    assert not event.is_usb_filesystem
