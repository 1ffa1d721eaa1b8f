"""Export onto a real exFAT drive (FUSE on a loop device): verified, checkable, yank-proof."""

import hashlib
import subprocess
import sys

import pytest
from export_daybuilder import PartSpec, build_day
from export_drive import exfat_drive, plug_back, pull_out

from appliance.errors import StorageError
from appliance.export.exporter import export_days
from appliance.export.manifest import MANIFEST_NAME

ROOM = "2027-02-10_ОО-640101/ауд-0005"


def tree_digests(root):
    return {p.relative_to(root): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def appliance(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "appliance", *map(str, args)],
                          capture_output=True, text=True, **kwargs)


def test_export_to_exfat_passes_sha256sum_and_verify_and_catches_a_flipped_byte(
        data_dir, small_day, drive):
    before = tree_digests(data_dir / "recordings")
    result = export_days(data_dir, drive.mount, school_name="МБОУ «СОШ № 1»")
    room = drive.mount / ROOM
    assert result.rooms[0].folder == room
    assert tree_digests(data_dir / "recordings") == before
    names = sorted(p.name for p in room.iterdir())
    assert "2027-02-10_ОО-640101_ауд-0005_часть-2.wav" in names
    assert {"report.html", "report.csv", "акт-передачи.html", MANIFEST_NAME} <= set(names)
    check = subprocess.run(["sha256sum", "-c", MANIFEST_NAME], cwd=room, capture_output=True,
                           text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    # every file but SHA256SUMS itself and the seal that lists it (manifest.json, signature)
    assert check.stdout.count(": OK") == len(names) - 3
    assert {"manifest.json", "manifest.json.sig", "journal.jsonl"} <= set(names)
    ok = appliance("verify", drive.mount)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "640101" in ok.stdout and "в порядке" in ok.stdout

    damaged = room / "2027-02-10_ОО-640101_ауд-0005_часть-2.wav"
    with open(damaged, "r+b") as f:
        f.seek(5000)
        byte = f.read(1)
        f.seek(5000)
        f.write(bytes([byte[0] ^ 0x01]))
    bad = appliance("verify", drive.mount)
    assert bad.returncode == 1
    assert f"{damaged.name}: контрольная сумма не совпадает" in bad.stdout


def test_too_small_drive_is_refused_before_anything_is_written(data_dir, tmp_path):
    build_day(data_dir, [PartSpec(120.0, [1.0])], rate_hz=48000)  # 11.5 MB of audio
    with exfat_drive(tmp_path, size_mb=8) as small:
        before = sorted(small.mount.rglob("*"))
        with pytest.raises(StorageError) as err:
            export_days(data_dir, small.mount)
        assert err.value.code == "export.no_space"
        assert err.value.params["need_mb"] > 11 > err.value.params["free_mb"]
        assert "Ничего не записано" in str(err.value)
        assert sorted(small.mount.rglob("*")) == before


def test_drive_pulled_out_mid_copy_leaves_source_intact_and_reexport_completes(
        data_dir, tmp_path):
    build_day(data_dir, [PartSpec(200.0, [1.0, 90.0]), PartSpec(100.0, [0.5])], rate_hz=48000)
    source = tree_digests(data_dir / "recordings")
    with exfat_drive(tmp_path, size_mb=64) as drive:
        pulled = []

        def pull_midway(progress):
            if progress.done_bytes > 8_000_000 and not pulled:
                pulled.append(progress.file)
                pull_out(drive)

        with pytest.raises(StorageError) as err:
            export_days(data_dir, drive.mount, progress=pull_midway)
        assert err.value.code == "copy.io"
        assert tree_digests(data_dir / "recordings") == source

        plug_back(drive)
        room = drive.mount / ROOM
        assert not (room / MANIFEST_NAME).exists()
        for path in room.iterdir():  # whatever has a real name is complete and right
            if not path.name.startswith("."):
                day_file = data_dir / "recordings" / "2027-02-10" / path.name
                assert hashlib.sha256(path.read_bytes()).hexdigest() == \
                    source[day_file.relative_to(data_dir / "recordings")]
        result = export_days(data_dir, drive.mount)
        assert result.rooms[0].copied >= 1
        assert not [p for p in room.iterdir() if p.name.endswith(".partial")]
        check = subprocess.run(["sha256sum", "-c", "--quiet", MANIFEST_NAME], cwd=room)
        assert check.returncode == 0
        assert appliance("verify", drive.mount).returncode == 0
        assert tree_digests(data_dir / "recordings") == source
