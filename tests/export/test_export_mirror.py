"""Export with a safety copy: each part checked against the copy, or taken from it when the
master's file is unreadable or not the sealed one; report.csv and report.html say which."""

import csv
import hashlib
import io
import shutil
from pathlib import Path

from export_daybuilder import PartSpec, build_day

from appliance.export.exporter import export_days
from appliance.export.verify import run_verify

ROOM = "2027-02-10_ОО-640101/ауд-0005"


def sources(room: Path) -> dict[str, str]:
    rows = csv.DictReader(io.StringIO((room / "report.csv").read_text(encoding="utf-8-sig")),
                          delimiter=";")
    return {row["Файл"]: row["Источник"] for row in rows}


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_master_checked_against_the_copy_or_replaced_by_it(tmp_path):
    data, mirror, dest = tmp_path / "data", tmp_path / "mirror", tmp_path / "dest"
    day = build_day(data, [PartSpec(3, [1.0]), PartSpec(3), PartSpec(3), PartSpec(3)])
    shutil.copytree(data, mirror)
    dest.mkdir()
    parts = sorted(p.name for p in day.glob("*.wav"))
    sealed = {name: sha(day / name) for name in parts}
    mirror_day = mirror / "recordings" / day.name
    (mirror_day / parts[1]).unlink()  # the copy lacks part 2
    with open(mirror_day / parts[2], "r+b") as f:  # the copy of part 3 is damaged
        f.seek(5000)
        f.write(b"\x55\x55")
    (day / parts[0]).unlink()  # the master lost part 1: taken from the copy
    with open(day / parts[3], "r+b") as f:  # the master's part 4 is damaged
        f.seek(5000)
        f.write(b"\x55\x55")

    export_days(data, dest, mirror_dir=mirror)
    room = dest / ROOM
    said = sources(room)
    assert said[parts[0]] == ("резервная копия (основной носитель не читается); "
                              "совпадает с журналом")
    assert said[parts[1]] == "основной носитель; на резервной копии файла нет"
    assert said[parts[2]] == "основной носитель; резервная копия отличается"
    assert said[parts[3]] == ("резервная копия (файл основного носителя повреждён); "
                              "совпадает с журналом")
    for name in parts:  # whichever medium it came from, the sealed evidence
        assert sha(room / name) == sealed[name]
    html = (room / "report.html").read_text(encoding="utf-8")
    assert "основной носитель не читается" in html
    assert run_verify(room) == 0


def test_without_a_copy_the_report_names_the_master(tmp_path):
    data, dest = tmp_path / "data", tmp_path / "dest"
    build_day(data, [PartSpec(2)])
    dest.mkdir()
    export_days(data, dest)
    assert set(sources(dest / ROOM).values()) == {"основной носитель"}
