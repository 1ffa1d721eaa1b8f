"""Signed packages on real exFAT and FAT32 drives: a forger who rewrites every hash and every
mention still fails `appliance verify`; a package signed by another key fails with `--key`."""

import contextlib
import shutil
import subprocess
import sys

import pytest
from export_daybuilder import PartSpec, build_day
from export_drive import exfat_drive, run
from package_forger import reseal, rewrite_journal
from package_forger import sha as sha_of

from appliance.boxkey import box_fingerprint, ensure_key
from appliance.export.exporter import export_days
from tests.feeds import wait_for

ROOM = "2027-02-10_ОО-640101/ауд-0005"
PART1 = "2027-02-10_ОО-640101_ауд-0005_часть-1.wav"
PART2 = "2027-02-10_ОО-640101_ауд-0005_часть-2"


def verify(*args):
    return subprocess.run([sys.executable, "-m", "appliance", "verify", *map(str, args)],
                          capture_output=True, text=True)


def zero_one_second(wav, rate_hz=8000, offset=4096):
    with open(wav, "r+b") as f:
        f.seek(offset)
        f.write(bytes(2 * rate_hz))


@pytest.fixture
def boxes(tmp_path):
    """Two boxes that recorded the same room on the same day (a spare box), each its own key."""
    a, b = tmp_path / "box-a", tmp_path / "box-b"
    build_day(a, [PartSpec(30.0, [1.0, 12.5], alarm_at_s=20.0), PartSpec(20.0, [0.5])])
    build_day(b, [PartSpec(31.0, [2.0]), PartSpec(19.0, [0.5])])
    return a, b


def make_cases(root, boxes, attacker):
    """Under `root`: one good package and one per forgery, each in its own folder."""
    a, b = boxes
    for data, name in ((a, "good"), (b, "other-box")):
        (root / name).mkdir()
        export_days(data, root / name)
    for case in ("edited", "edited-resigned", "removed", "swapped", "swapped-resealed"):
        shutil.copytree(root / "good", root / case)

    zero_one_second(root / "edited" / ROOM / PART1)
    reseal(root / "edited" / ROOM)
    zero_one_second(root / "edited-resigned" / ROOM / PART1)
    reseal(root / "edited-resigned" / ROOM, key=attacker)

    removed = root / "removed" / ROOM
    for path in removed.glob(PART2 + ".*"):
        path.unlink()
    rewrite_journal(removed / "journal.jsonl", keep=lambda e: e.get("part") != 2)
    reseal(removed)

    for case in ("swapped", "swapped-resealed"):
        shutil.copyfile(root / "other-box" / ROOM / PART1, root / case / ROOM / PART1)
    reseal(root / "swapped-resealed" / ROOM)


def check_cases(root, box_a_print):
    good = verify(root / "good", "--key", box_a_print)
    assert good.returncode == 0, good.stdout + good.stderr
    assert box_a_print in good.stdout and "Все проверки пройдены" in good.stdout

    edited = verify(root / "edited")
    assert edited.returncode == 1
    problems = [line for line in edited.stdout.splitlines() if line.startswith("    ")]
    assert len(problems) == 1 and "ПОДПИСЬ НЕВЕРНА" in problems[0], edited.stdout

    resigned = verify(root / "edited-resigned", "--key", box_a_print.lower().replace("-", " "))
    assert resigned.returncode == 3, resigned.stdout
    assert "ЧУЖОЙ КЛЮЧ" in resigned.stdout and box_a_print not in resigned.stdout

    removed = verify(root / "removed")
    assert removed.returncode == 1
    assert "ПОДПИСЬ НЕВЕРНА" in removed.stdout and "часть-2" not in removed.stdout

    swapped = verify(root / "swapped")
    assert swapped.returncode == 1
    assert f"{PART1}: контрольная сумма не совпадает" in swapped.stdout
    assert f"{PART1}: это не та запись, что в журнале" in swapped.stdout
    resealed = verify(root / "swapped-resealed", "--key", box_a_print)
    assert resealed.returncode == 1 and "ПОДПИСЬ НЕВЕРНА" in resealed.stdout

    everything = verify(root, "--key", box_a_print)  # the other box is an unexpected key too
    assert everything.returncode == 1
    assert everything.stdout.count("в порядке") == 1


def test_forgeries_fail_and_a_good_package_passes_on_exfat(tmp_path, boxes):
    attacker = ensure_key(tmp_path / "attacker")
    with exfat_drive(tmp_path, size_mb=64) as drive:
        make_cases(drive.mount, boxes, attacker)
        check_cases(drive.mount, box_fingerprint(boxes[0]))


@contextlib.contextmanager
def fat32_drive_with(tmp_path, source):
    """A FAT32 image holding `source`'s tree (written with mtools, which handles long Cyrillic
    names), mounted read-only through fusefat."""
    image, mount = tmp_path / "fat32.img", tmp_path / "fat32"
    with open(image, "wb") as f:
        f.truncate(64 * 1024 * 1024)
    run("mkfs.vfat", "-F", "32", "-n", "EXAM", str(image))
    run("mcopy", "-s", "-i", str(image), *map(str, sorted(source.iterdir())), "::/")
    mount.mkdir()
    run("fusefat", "-o", "ro", str(image), str(mount))
    try:
        wait_for(lambda: (mount / "good").exists())
        yield mount
    finally:
        subprocess.run(["fusermount", "-u", str(mount)], capture_output=True)


def test_forgeries_fail_and_a_good_package_passes_on_fat32(tmp_path, boxes):
    attacker = ensure_key(tmp_path / "attacker")
    source = tmp_path / "packages"
    source.mkdir()
    make_cases(source, boxes, attacker)
    with fat32_drive_with(tmp_path, source) as mount:
        assert (mount / "good" / ROOM / PART1).stat().st_size > 0
        assert run("findmnt", "-n", "-o", "FSTYPE", str(mount)).stdout.strip() == "fuse.fusefat"
        check_cases(mount, box_fingerprint(boxes[0]))


def test_keys_file_names_the_known_boxes(tmp_path, boxes):
    (tmp_path / "drive").mkdir()
    export_days(boxes[0], tmp_path / "drive")
    known = tmp_path / "известные.txt"
    known.write_text(f"# ОО 640101\n{box_fingerprint(boxes[0])}  ауд. 0005\n", encoding="utf-8")
    assert verify(tmp_path / "drive", "--keys", known).returncode == 0
    known.write_text("AAAA-BBBB-CCCC-DDDD\n", encoding="utf-8")
    assert verify(tmp_path / "drive", "--keys", known).returncode == 3
    missing = verify(tmp_path / "drive", "--keys", tmp_path / "нет.txt")
    assert missing.returncode == 2 and "Файл ключей" in missing.stdout
    assert "Traceback" not in missing.stderr


def test_collect_copies_checked_packages_and_keeps_a_summary(tmp_path, boxes):
    drives = []
    for number, data in enumerate(boxes):
        drive = tmp_path / f"drive{number}"
        drive.mkdir()
        export_days(data, drive)
        drives.append(drive)
    zero_one_second(drives[1] / ROOM / PART1)  # the spare box's drive is damaged
    archive = tmp_path / "архив"
    done = verify("--collect", archive, *drives, "--key", box_fingerprint(boxes[0]))
    assert done.returncode == 1, done.stdout  # one package refused
    assert "не взята" in done.stdout and "Traceback" not in done.stderr
    copied = archive / ROOM
    assert sorted(p.name for p in copied.iterdir()) == sorted(
        p.name for p in (drives[0] / ROOM).iterdir())
    assert verify(archive, "--key", box_fingerprint(boxes[0])).returncode == 0

    rows = (archive / "сводка.csv").read_text(encoding="utf-8-sig").splitlines()
    assert rows[0] == "ОО;Аудитория;Дата;Частей;Длительность;Итог;Ключ устройства;Папка"
    good = f"640101;0005;2027-02-10;2;0:00:50;в порядке;{box_fingerprint(boxes[0])};{copied}"
    bad = (f"640101;0005;2027-02-10;2;0:00:50;ОШИБКИ;{box_fingerprint(boxes[1])};"
           f"{drives[1] / ROOM}")
    assert rows[1:] == [good, bad]
    page = (archive / "сводка.html").read_text(encoding="utf-8")
    assert box_fingerprint(boxes[1]) in page and "ОШИБКИ" in page and "<script" not in page

    again = verify("--collect", archive, drives[0], "--key", box_fingerprint(boxes[0]))
    assert again.returncode == 0 and "уже есть" in again.stdout


def test_a_hostile_manifest_cannot_reach_outside_the_folder(tmp_path, boxes):
    drive = tmp_path / "drive"
    drive.mkdir()
    export_days(boxes[0], drive)
    room = drive / ROOM
    (tmp_path / "secret.txt").write_text("x")
    manifest = room / "manifest.json"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(
        '"name": "box-key.pem"', '"name": "../../../secret.txt"'), encoding="utf-8")
    checked = verify(drive)
    assert checked.returncode == 1 and "manifest.json не читается" in checked.stdout
    assert "Traceback" not in checked.stderr
    collected = verify("--collect", tmp_path / "archive", drive)
    assert collected.returncode == 1 and not (tmp_path / "archive" / ROOM).exists()


def test_the_act_and_report_csv_are_compared_with_the_manifest(tmp_path, boxes):
    drive = tmp_path / "drive"
    drive.mkdir()
    export_days(boxes[0], drive)
    room = drive / ROOM
    sha = sha_of(room / PART1)
    for doc in ("акт-передачи.html", "report.csv"):
        path = room / doc
        path.write_bytes(path.read_bytes().replace(sha.encode(), b"0" * 64))
    checked = verify(drive)
    assert checked.returncode == 1
    assert f"акт-передачи.html: {PART1} — размер или SHA-256 не совпадает" in checked.stdout
    assert f"report.csv: {PART1} — размер или SHA-256 не совпадает" in checked.stdout
