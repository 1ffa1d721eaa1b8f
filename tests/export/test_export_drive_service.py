"""The drive service as the recorder daemon runs it: auto export when the day stops, the
unprivileged mount through the udev unit, and the `drive` / `export` control commands."""

from __future__ import annotations

import functools
import threading

from export_drive import exfat_loop, is_mounted, run

from appliance.boxkey import box_fingerprint
from appliance.capture.simulated import SimulatedSource
from appliance.config import Config
from appliance.contract.control import ControlClient
from appliance.daemon.process import run_recorder
from appliance.export.drive import BlockEvent, DriveManager, UnitMounter
from appliance.export.exporter import export_days
from appliance.export.verify import run_verify
from tests.feeds import wait_for
from tests.recorder_process import SITE


def test_a_drive_plugged_during_the_day_is_exported_when_the_day_stops(data_dir, small_day,
                                                                        tmp_path):
    mount_dir = tmp_path / "media" / "usb"
    recording = threading.Event()
    recording.set()
    with exfat_loop(tmp_path, 64, mount_dir) as (_, loop):
        manager = DriveManager(mount_dir, functools.partial(export_days, data_dir),
                               day_stopped=lambda: not recording.is_set())
        manager.handle(BlockEvent("add", loop, "partition", "usb", "exfat", "EXAM"))
        manager.poll()
        assert manager.status()["state"] == "mounted"      # the day still runs: wait
        recording.clear()
        manager.poll()
        assert manager.wait(60)
        assert manager.status()["state"] == "safe_to_remove", manager.status()
        run("mount.exfat-fuse", loop, str(mount_dir))
        wait_for(lambda: is_mounted(mount_dir))
        assert run_verify(mount_dir) == 0
        run("fusermount", "-u", str(mount_dir))


def test_unprivileged_mounter_waits_for_the_unit_and_stops_it(tmp_path, monkeypatch):
    mount_dir = tmp_path / "media" / "usb"
    mount_dir.mkdir(parents=True)
    calls = tmp_path / "systemctl.calls"
    shim = tmp_path / "bin" / "systemctl"
    shim.parent.mkdir()
    shim.write_text(f"#!/bin/sh\necho \"$@\" >> {calls}\nfusermount -u {mount_dir}\n")
    shim.chmod(0o755)
    monkeypatch.setenv("PATH", f"{shim.parent}:/usr/bin:/bin:/usr/sbin:/sbin")
    with exfat_loop(tmp_path, 64, mount_dir) as (_, loop):
        mounter = UnitMounter(wait_s=20)
        unit_mounts = threading.Timer(0.5, run, ("mount.exfat-fuse", loop, str(mount_dir)))
        unit_mounts.start()
        mounter.mount(loop, "exfat", mount_dir)      # returns once the "unit" has mounted it
        assert is_mounted(mount_dir)
        mounter.unmount(mount_dir)
        unit_mounts.join()
    assert calls.read_text().split() == ["stop", f"appliance-usb@{loop.split('/')[-1]}.service"]
    assert not is_mounted(mount_dir)


def test_recorder_daemon_serves_drive_state_and_export(tmp_path):
    config = Config()
    for key, value in SITE.items():
        setattr(config.site, key, value)
    config.recording.data_dir = str(tmp_path / "data")
    config.recording.control_socket = str(tmp_path / "c.sock")
    config.export.mount_dir = str(tmp_path / "usb")
    stop = threading.Event()
    daemon = threading.Thread(target=run_recorder, args=(config,),
                              kwargs={"stop": stop, "source": SimulatedSource()})
    daemon.start()
    try:
        client = ControlClient(config.recording.control_socket)
        wait_for(lambda: config.recording.socket_path().exists(), timeout_s=20)
        assert client.call("drive")["state"] == "absent"
        assert client.call("export") == {**client.call("drive"), "started": False}
        assert box_fingerprint(config.data_dir)  # the signing key is made at the first start
    finally:
        stop.set()
        daemon.join(30)
