"""Export to a plain folder: idempotent re-runs, repairs, reports, the coordinator's tools."""

import csv
import hashlib
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from export_daybuilder import PartSpec, build_day

from appliance.boxkey import box_fingerprint
from appliance.contract.audit import read_audit
from appliance.errors import StorageError
from appliance.export.collect import run_collect
from appliance.export.exporter import (
    FAT32_MAX_FILE_BYTES,
    export_days,
    filesystem_type,
    max_file_bytes_for,
)
from appliance.export.verify import run_verify
from appliance.journal import verify_chain

REPO = Path(__file__).resolve().parents[2]
ROOM = "2027-02-10_ОО-640101/ауд-0005"


@pytest.fixture
def dest(tmp_path):
    path = tmp_path / "dest"
    path.mkdir()
    return path


def lines_of(function, *args):
    out = []
    return function(*args, out=out.append), "\n".join(out)


def test_reexport_skips_verified_files_and_repairs_partial_ones(data_dir, small_day, dest):
    first = export_days(data_dir, dest).rooms[0]
    assert (first.copied, first.skipped) == (9, 0)  # 2 parts x 4 files + journal
    again = export_days(data_dir, dest).rooms[0]
    assert (again.copied, again.skipped) == (0, 9)

    room = dest / ROOM
    cut = room / "2027-02-10_ОО-640101_ауд-0005_часть-1.wav"
    os.truncate(cut, cut.stat().st_size // 2)
    stale = room / ".2027-02-10_ОО-640101_ауд-0005_часть-2.wav.partial"
    stale.write_bytes(b"half")
    repaired = export_days(data_dir, dest).rooms[0]
    assert (repaired.copied, repaired.skipped) == (1, 8)
    assert not stale.exists()
    assert cut.read_bytes() == (small_day / cut.name).read_bytes()
    assert lines_of(run_verify, dest)[0] == 0


def test_reports_list_parts_markers_alarms_and_play_offline(data_dir, small_day, dest):
    export_days(data_dir, dest, school_name="МБОУ «СОШ № 1»")
    room = dest / ROOM
    rows = list(csv.DictReader(io.StringIO(
        (room / "report.csv").read_text(encoding="utf-8-sig")), delimiter=";"))
    assert [r["Часть"] for r in rows] == ["1", "2"]
    assert [r["Длительность, с"] for r in rows] == ["30.000", "20.000"]
    wav = room / rows[0]["Файл"]
    assert rows[0]["Размер, байт"] == str(wav.stat().st_size)
    assert rows[0]["SHA-256"] == hashlib.sha256(wav.read_bytes()).hexdigest()
    assert "silence" in rows[0]["Тревоги"] and rows[1]["Тревоги"] == "нет"
    assert [r["Заключение"] for r in rows] == ["замечания", "в норме"]
    assert "00:00:12.500 Участник 2" in rows[0]["Метки"]
    assert "00:00:00.500 Участник 3" in rows[1]["Метки"]
    assert re.fullmatch(r"\d\d:\d\d:\d\d", rows[0]["Начало"])

    page = (room / "report.html").read_text(encoding="utf-8")
    assert "МБОУ «СОШ № 1»" in page and "640101" in page and "0005" in page
    assert page.count("<audio ") == 2
    assert "%D1%87%D0%B0%D1%81%D1%82%D1%8C-1.wav" in page  # «часть-1», URL-encoded, relative
    assert 'data-audio="part1" data-time="12.500"' in page
    assert "<script>" not in page and "onclick" not in page  # no inline script (CSP)
    assert '<script src="report.js" defer></script>' in page and (room / "report.js").exists()
    assert "канал 1: пик -3.0 дБFS, RMS -14.5 дБFS, речь 62%" in page
    assert not re.search(r"(src|href)=\"(https?:)?//", page)  # nothing from the network

    act = (room / "акт-передачи.html").read_text(encoding="utf-8")
    listed = [line.split("  ", 1) for line in (room / "SHA256SUMS").read_text().splitlines()]
    sealing = {"акт-передачи.html", "SHA256SUMS", "box-key.pem"}  # written after the act
    for sha, name in listed:
        if name not in sealing:
            assert name in act and sha in act
    assert "Передал" in act and "Принял" in act
    fingerprint = box_fingerprint(data_dir)
    assert f'<span class="fingerprint">{fingerprint}</span>' in act  # the act and the report
    assert f'<span class="fingerprint">{fingerprint}</span>' in page


def test_verify_runs_on_bare_python_without_site_packages(data_dir, small_day, dest):
    export_days(data_dir, dest)
    code = ("import sys; sys.path.insert(0, sys.argv[1]); "
            "from appliance.export.verify import main; rc = main([sys.argv[2]]); "
            "heavy = [m for m in ('numpy', 'pyaudio', 'pydub', 'scipy', 'tomli_w') "
            "if m in sys.modules]; print('HEAVY', heavy); sys.exit(rc)")
    done = subprocess.run(["/usr/bin/python3", "-S", "-c", code, str(REPO), str(dest)],
                          capture_output=True, text=True)
    assert done.returncode == 4, done.stdout + done.stderr  # all matches, signature unchecked
    assert "HEAVY []" in done.stdout and "подпись не проверена" in done.stdout
    assert "нет библиотеки cryptography" in done.stdout


def test_verify_command_imports_no_audio_library(data_dir, small_day, dest):
    """`appliance verify` through the real command line, which registers every command: none
    of them may pull an audio library in at import."""
    export_days(data_dir, dest)
    code = ("import sys; from appliance import cli; rc = cli.main(['verify', sys.argv[1]]); "
            "print('AUDIO', [m for m in ('numpy', 'pyaudio', 'pydub', 'scipy') "
            "if m in sys.modules]); sys.exit(rc)")
    done = subprocess.run([sys.executable, "-c", code, str(dest)], capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    assert "AUDIO []" in done.stdout


def test_verify_names_every_kind_of_problem(data_dir, small_day, dest):
    export_days(data_dir, dest)
    room = dest / ROOM
    (room / "2027-02-10_ОО-640101_ауд-0005_часть-2.txt").unlink()
    (room / "лишний.wav").write_bytes(b"RIFF")
    (room / ".x.wav.partial").write_bytes(b"")
    status, text = lines_of(run_verify, dest)
    assert status == 1
    assert "часть-2.txt: файла нет" in text
    assert "лишний.wav: файла нет в manifest.json" in text
    assert "лишний.wav: нет в report.csv" in text
    assert ".x.wav.partial: незавершённая копия" in text


def test_verify_checks_duration_against_the_report(data_dir, small_day, dest):
    export_days(data_dir, dest)
    room = dest / ROOM
    report = room / "report.csv"
    report.write_text(report.read_text(encoding="utf-8-sig").replace(";30.000;", ";31.000;"),
                      encoding="utf-8-sig")
    status, text = lines_of(run_verify, dest)
    assert status == 1
    assert "часть-1.wav: длительность 30.000 с, в отчёте 31.000 с" in text


def test_collect_merges_rooms_of_one_school_without_collisions(tmp_path):
    drives = []
    for room, seconds in (("0005", 10.0), ("0006", 12.0), ("0005", 15.0)):
        data, drive = tmp_path / f"data{len(drives)}", tmp_path / f"drive{len(drives)}"
        data.mkdir()
        drive.mkdir()
        build_day(data, [PartSpec(seconds, [1.0])], room=room)
        export_days(data, drive)
        drives.append(drive)
    merged = tmp_path / "школа"
    status, text = lines_of(run_collect, merged, drives[:2])
    assert status == 0, text
    school = merged / "2027-02-10_ОО-640101"
    assert sorted(p.name for p in school.iterdir()) == ["ауд-0005", "ауд-0006"]
    first = (school / "ауд-0005" / "SHA256SUMS").read_bytes()

    status, text = lines_of(run_collect, merged, drives)
    assert status == 0, text
    assert "уже есть" in text
    assert sorted(p.name for p in school.iterdir()) == ["ауд-0005", "ауд-0005_копия-2",
                                                       "ауд-0006"]
    assert (school / "ауд-0005" / "SHA256SUMS").read_bytes() == first


def test_collect_refuses_a_damaged_room(tmp_path, data_dir, small_day, dest):
    export_days(data_dir, dest)
    wav = dest / ROOM / "2027-02-10_ОО-640101_ауд-0005_часть-1.wav"
    data = bytearray(wav.read_bytes())
    data[len(data) // 2] ^= 0x80
    wav.write_bytes(data)
    status, text = lines_of(run_collect, tmp_path / "merged", [dest])
    assert status == 1
    assert "не взята" in text
    assert not (tmp_path / "merged" / ROOM).exists()


def test_export_and_failure_are_in_the_audit_journal(data_dir, small_day, dest):
    export_days(data_dir, dest)
    with pytest.raises(StorageError):
        export_days(data_dir, dest / "нет-такой")
    entries = read_audit(data_dir)
    assert [e.event for e in entries] == ["exported"]
    # 2 parts x 4 files, journal, report (CSV, HTML, 2 scripts), room sheet (HTML, CSV, the
    # technician's copy), act, public key, SHA256SUMS (manifest.json and its signature list them)
    assert entries[0].data["rooms"][0]["files"] == 19
    assert verify_chain(data_dir / "audit" / "journal.jsonl") is None


def test_open_part_is_left_out_and_reported(data_dir, small_day, dest):
    journal = small_day / "journal.jsonl"
    lines = journal.read_bytes().splitlines(keepends=True)
    closing = [i for i, line in enumerate(lines) if b'"part_closed"' in line][-1]
    cut = data_dir / "cut"
    (cut / "recordings" / "2027-02-10").mkdir(parents=True)
    for path in small_day.iterdir():
        (cut / "recordings" / "2027-02-10" / path.name).write_bytes(path.read_bytes())
    (cut / "recordings" / "2027-02-10" / "journal.jsonl").write_bytes(b"".join(lines[:closing]))
    room = export_days(cut, dest).rooms[0]
    assert room.open_parts == ["2027-02-10_ОО-640101_ауд-0005_часть-2.wav"]
    assert not (dest / ROOM / room.open_parts[0]).exists()


def test_fat32_limit_refuses_an_oversized_file_before_writing(data_dir, small_day, dest):
    assert max_file_bytes_for("vfat") == FAT32_MAX_FILE_BYTES == 4 * 1024**3 - 1
    assert max_file_bytes_for("exfat") is None
    assert filesystem_type(dest) == filesystem_type("/")
    with pytest.raises(StorageError) as err:
        export_days(data_dir, dest, max_file_bytes=400_000)
    assert err.value.code == "export.too_big"
    assert list(dest.iterdir()) == []


def test_progress_covers_writing_and_read_back_and_ends_at_one(data_dir, small_day, dest):
    copied = sum(p.stat().st_size for p in small_day.iterdir()
                 if p.is_file())
    for run in ("first", "again"):   # the second run only reads back what is on the drive
        seen = []
        export_days(data_dir, dest, progress=seen.append)
        assert seen[-1].total_bytes == 2 * copied, run
        assert seen[-1].done_bytes == 2 * copied and seen[-1].fraction == 1.0, run
        done = [p.done_bytes for p in seen]
        assert done == sorted(done), run
        first_wav = next(p.file for p in seen if p.file.endswith(".wav"))
        own = [p.done_bytes for p in seen if p.file == first_wav]
        assert own[-1] - own[0] >= (small_day / first_wav).stat().st_size, run


def test_a_source_part_that_differs_from_its_journal_is_refused_not_certified(
        data_dir, small_day, dest):
    wav = small_day / "2027-02-10_ОО-640101_ауд-0005_часть-2.wav"
    data = bytearray(wav.read_bytes())
    data[len(data) // 2] ^= 0x01
    wav.write_bytes(data)
    with pytest.raises(StorageError) as err:
        export_days(data_dir, dest)
    assert err.value.code == "copy.source_changed" and err.value.params["path"] == wav
    room = dest / ROOM
    assert not (room / wav.name).exists() and not (room / "manifest.json.sig").exists()
    assert not list(room.glob(".*.partial"))
