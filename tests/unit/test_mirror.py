"""The safety copy in the recorder (simulated source, two real tmpfs file systems): its
setting, the agreed `status["mirror"]` shape, both media equal line for line and byte for
byte, a copy on the card itself refused, the stick never taken for an export drive."""

from __future__ import annotations

import filecmp
import subprocess

import numpy as np
import pytest

from appliance import config as config_mod
from appliance.errors import ConfigError
from appliance.export.drive import BlockEvent, DriveManager
from appliance.journal import verify_chain
from appliance.recorder.media import Media
from tests.feeds import wait_for
from tests.recorder_process import journal, part_samples
from tests.unit.test_recorder_core import expected, make_config, started


@pytest.fixture
def media_mounts(tmp_path):
    """A card and a stick: two tmpfs file systems of their own (needs root)."""
    mounts = []
    for name in ("card", "stick"):
        path = tmp_path / name
        path.mkdir()
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", name, str(path)], check=True)
        mounts.append(path)
    yield mounts
    for path in mounts:
        subprocess.run(["umount", "-l", str(path)], check=True)


@pytest.mark.parametrize("value", ["zapis", "/", 5])
def test_a_bad_mirror_path_is_refused_in_russian(value):
    with pytest.raises(ConfigError, match="mirror.path"):
        config_mod.from_dict({"mirror": {"path": value}})


def test_the_mirror_may_not_be_inside_the_recordings():
    with pytest.raises(ConfigError, match="не может лежать в папке записей"):
        config_mod.from_dict({"recording": {"data_dir": "/var/lib/appliance"},
                              "mirror": {"path": "/var/lib/appliance/copy"}})
    assert config_mod.from_dict({"mirror": {"path": "/media/zapis-kopia/zapis/"}}).mirror.path \
        == "/media/zapis-kopia/zapis"
    assert config_mod.Config().mirror.path == ""


def test_status_without_a_mirror(tmp_path):
    recorder = started(make_config(tmp_path))
    try:
        assert recorder.status()["mirror"] == {"state": "off", "ok": True, "text": "выключена",
                                               "path": ""}
    finally:
        recorder.close()


def test_both_media_hold_the_same_day(media_mounts):
    card, stick = media_mounts
    config = make_config(card)
    config.recording.data_dir = str(card / "data")
    config.mirror.path = str(stick / "zapis")
    recorder = started(config)
    try:
        assert recorder.status()["mirror"] == {"state": "ok", "ok": True, "text": "пишется",
                                               "path": str(stick / "zapis")}
        recorder.handle("start")
        wait_for(lambda: recorder.status()["elapsed_s"] >= 3, what="3 s")
        recorder.handle("mark")
        recorder.handle("pause")
        recorder.handle("resume")
        wait_for(lambda: recorder.status()["part_frames"] >= 48000, what="part 2")
        recorder.handle("stop")
    finally:
        recorder.close()
    (master,) = (card / "data" / "recordings").iterdir()
    mirror = stick / "zapis" / "recordings" / master.name
    names = sorted(p.name for p in master.iterdir())
    assert names == sorted(p.name for p in mirror.iterdir())
    assert len([n for n in names if n.endswith(".wav")]) == 2
    for name in names:
        assert filecmp.cmp(master / name, mirror / name, shallow=False), name
    assert verify_chain(mirror / "journal.jsonl") is None
    for entry in (e.data for e in journal(mirror) if e.event == "part_opened"):
        samples = part_samples(mirror / entry["file"])
        assert np.array_equal(samples, expected(entry["capture_frame"], len(samples)))


def test_a_copy_on_the_card_itself_is_refused(media_mounts):
    card, _ = media_mounts
    (card / "copy").mkdir()
    media = Media(card / "data", card / "copy")
    assert media.status()["state"] == "failed"
    assert media.status()["text"] == "не пишется: на том же диске, что и основные записи"
    (change,) = media.take_changes()
    code, message, _ = media.alarm(change.medium)
    assert code == "medium_mirror" and message.startswith("Резервная копия (USB-накопитель)")


def test_no_stick_is_said_without_an_alarm_and_no_folder_is_made(media_mounts, tmp_path):
    card, stick = media_mounts
    empty_mount_point = tmp_path / "ZAPIS-KOPIA"
    empty_mount_point.mkdir()
    media = Media(card / "data", empty_mount_point / "zapis")
    assert media.status() == {"state": "absent", "ok": False,
                              "text": "не пишется: нет накопителя ZAPIS-KOPIA",
                              "path": str(empty_mount_point / "zapis")}
    assert media.take_changes() == []
    assert not (empty_mount_point / "zapis").exists()
    subprocess.run(["mount", "--bind", str(stick), str(empty_mount_point)], check=True)
    try:
        media.check()
        (change,) = media.take_changes()
        assert change.returned and change.medium is media.mirror
    finally:
        subprocess.run(["umount", "-l", str(empty_mount_point)], check=True)
    media.revive(media.mirror)
    assert media.status()["state"] == "ok"


def test_a_master_refusing_writes_is_a_fault_even_at_start(media_mounts, tmp_path):
    card, stick = media_mounts
    subprocess.run(["mount", "-o", "remount,ro", str(card)], check=True)
    media = Media(card / "data", stick / "zapis")
    (change,) = media.take_changes()
    assert change.medium is media.master and not change.returned
    assert media.status()["state"] == "ok"


class _Mounter:
    def __init__(self) -> None:
        self.mounted = []

    def mount(self, device, fs_type, mount_dir) -> None:
        self.mounted.append(device)

    def unmount(self, mount_dir) -> None:
        pass


def test_the_safety_copy_stick_is_never_an_export_drive(tmp_path):
    mounter = _Mounter()
    manager = DriveManager(tmp_path, lambda *a, **k: None, mounter=mounter, auto_export=True,
                           day_stopped=lambda: True)
    manager.handle(BlockEvent("add", "/dev/sda1", fs_type="exfat", label="ZAPIS-KOPIA"))
    assert mounter.mounted == []
    manager.handle(BlockEvent("add", "/dev/sdb1", fs_type="exfat", label="EXAM"))
    assert mounter.mounted == ["/dev/sdb1"]
