"""The day's paperwork for a real recorded day (tests/export/paperwork_day.py: 25 on the list,
a no-show, an early finish), each document printed to PDF by Chromium and read back: the
form's fields, the page count, the signature places on the last page with the table's end,
and no word running into the margin."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from paperwork_day import (
    ABSENT,
    COUNT,
    EARLY,
    EARLY_REASON,
    MOVED,
    MOVED_REASON,
    NAMES,
    NEZACHET,
    OVZ,
    RATE_HZ,
    expected_intro_end,
    record_day,
)

from appliance import config as config_mod
from appliance import paper
from appliance.boxkey import ensure_key, signature_valid
from appliance.capture.wavfile import read_info
from appliance.contract.audit import read_audit
from appliance.contract.dayview import load_day
from appliance.errors import StateError
from appliance.export.clips import participant_range
from appliance.export.destruction_act import Commission, count_in_words
from appliance.export.exporter import export_days
from appliance.export.manifest import HANDOVER_ACT, MANIFEST_NAME, REPORT_HTML, parse_sums
from appliance.export.package import (
    MANIFEST_JSON,
    SEAL_FILES,
    SIGNATURE_FILE,
    WRITTEN_BY_SEAL,
    parse_manifest,
)
from appliance.export.regional import (
    NEZACHET_LIST,
    TRANSFER_ACT,
    folder_name,
    recheck_name,
    write_package,
)
from appliance.export.reports import FileEntry, clock, handover_act
from appliance.export.retention import plan_purge, purge_day
from appliance.journal import read_entries
from appliance.participants import sheet
from appliance.participants.early_act import act_name
from appliance.participants.flags import CheckLimits, flag_text
from tests.pdfcheck import print_pdf

MARGIN_MM = 12


@pytest.fixture(scope="module")
def day(tmp_path_factory):
    return record_day(tmp_path_factory.mktemp("paperwork"))


@pytest.fixture(scope="module")
def folder(day):
    return load_day(day.day_dir)


@pytest.fixture(scope="module")
def rows(day, folder):
    limits = CheckLimits.from_config(config_mod.load(day.config_path).participants)
    return sheet.build_rows(folder, limits)


def mark_positions(day) -> dict[int, float]:
    """Participant -> the segment's start in the feed (s), from the journal, corrected."""
    entries = read_entries(day.day_dir / "journal.jsonl")
    moved = {e.data["frame"]: e.data["new_frame"] - e.data["frame"] for e in entries
             if e.event == "marker_corrected"}
    return {e.data["participant"]:
            (e.data["capture_frame"] + moved.get(e.data["frame"], 0)) / RATE_HZ
            for e in entries if e.event == "marker" and e.data["kind"] == "participant"}


def test_room_sheet_is_form_is02(day, folder, rows, chromium, tmp_path):
    printed = print_pdf(chromium, sheet.sheet_html(folder, rows, "МБОУ «СОШ № 1»"),
                        tmp_path / "is02.pdf")
    assert printed.landscape and len(printed.pages) == 2, printed.pages
    for field in ("ИС-02", "Ведомость учета проведения итогового собеседования в аудитории",
                  "Субъект РФ (код региона) 64", "Код МСУ 01", "Код ОО 640101",
                  "Номер аудитории 0005", f"Дата проведения {day.date:%d.%m.%Y}",
                  "МБОУ «СОШ № 1»"):
        assert printed.page_of(field), field
    # the column headings repeat on the second page
    for page in (1, 2):
        assert page in printed.page_of("ФИО участника"), page
        assert page in printed.page_of("Подпись участника"), page
    # the signature places come on the last page, with the table's last row
    last = len(printed.pages)
    assert printed.page_of("Экзаменатор-собеседник") == [last]
    assert printed.page_of("Эксперт") == [last]
    assert printed.page_of("(дата)") == [last]
    assert printed.page_of("(подпись)") == [last]
    assert last in printed.page_of(f"Участников Участник {COUNT}-й")
    assert printed.overflowing(MARGIN_MM) == []
    # every participant in list order; no technical remark on the signed copy
    assert [r.number for r in rows] == list(range(1, COUNT + 1))
    assert printed.has_words(NAMES[3]), "the longest name wraps within its cell, whole"
    assert not printed.page_of("Нет речи") and not printed.page_of(".wav")
    absent = next(r for r in rows if r.number == ABSENT)
    assert absent.mark == sheet.ABSENT and not absent.start
    early = next(r for r in rows if r.number == EARLY)
    assert early.mark == sheet.EARLY and printed.page_of("досрочно")


def test_answer_times_leave_the_introduction_out(day, folder, rows):
    positions = mark_positions(day)
    opened = folder.parts[0]
    known = 0
    for row in rows:
        if row.number == ABSENT:
            continue
        expected = expected_intro_end(positions[row.number])
        if expected is None:
            continue
        if expected < 0:
            assert row.intro_end == "" and row.answer_s is None, row
            continue
        known += 1
        start_s = positions[row.number]
        intro_s = expected - start_s
        wall = opened.start_wall() + dt.timedelta(seconds=row.offset_s + intro_s)
        assert row.intro_end in {(wall + dt.timedelta(seconds=d)).strftime("%H:%M:%S")
                                 for d in (-0.1, 0, 0.1)}, (row, intro_s)
        assert row.answer_s == pytest.approx(row.duration_s - intro_s, abs=0.05)
    assert known >= 5, "too few marks landed where the intro's end is certain"


def test_technician_copy_has_the_warnings_and_the_file_positions(day, folder, rows, chromium,
                                                                  tmp_path):
    printed = print_pdf(chromium, sheet.technician_html(folder, rows), tmp_path / "tech.pdf")
    for row in rows:  # whatever the intro check flagged, wherever the marks landed
        for flag in row.flags:
            assert printed.has_words(flag_text(flag)), flag
    moved = next(r for r in rows if r.number == MOVED)
    assert any(MOVED_REASON in n for n in moved.notes)
    assert printed.has_words("нажата раньше)")
    assert printed.page_of(folder.parts[0].file)
    assert printed.overflowing(MARGIN_MM) == []


def test_ovz_column_appears_when_the_roster_marks_it(folder, rows, chromium, tmp_path):
    """The list marks participant 4 ОВЗ (more time allowed): the column is there, «да» in
    that row only; a list without ОВЗ prints no such column."""
    assert [r.number for r in rows if r.ovz] == [OVZ]
    printed = print_pdf(chromium, sheet.sheet_html(folder, rows), tmp_path / "ovz.pdf")
    assert printed.page_of("ОВЗ") == [1, 2], "a heading on each page"
    row = next(r for r in rows if r.number == OVZ)
    assert printed.line_of("Александрова-Римская")[:5] == [
        str(OVZ), "Александрова-Римская", row.class_name, "да", row.variant]
    yes = [w for page in printed.words for w in page if w[4] == "да"]
    assert len(yes) == 1 and printed.overflowing(MARGIN_MM) == []
    without = [dataclasses.replace(r, ovz=False) for r in rows]
    plain = print_pdf(chromium, sheet.sheet_html(folder, without), tmp_path / "plain.pdf")
    assert not plain.page_of("ОВЗ")


@pytest.fixture(scope="module")
def exported(day, tmp_path_factory):
    dest = tmp_path_factory.mktemp("usb")
    export_days(day.data_dir, dest, school_name="МБОУ «СОШ № 1»")
    (room,) = [p for p in dest.glob("*/*") if p.is_dir()]
    return room


def test_handover_act_counts_the_folder_and_keeps_its_signatures(day, exported, chromium,
                                                                  tmp_path):
    act = (exported / HANDOVER_ACT).read_bytes()
    on_drive = sorted(p.name for p in exported.iterdir() if p.is_file())
    printed = print_pdf(chromium, act, tmp_path / "act.pdf")
    assert printed.page_of(f"Передано файлов: {len(on_drive)} ")
    listed = [name for name, _ in parse_sums((exported / MANIFEST_NAME).read_text("utf-8"))[0]]
    assert sorted({*listed, *WRITTEN_BY_SEAL}) == on_drive
    text = act.decode()
    for name, sha in parse_sums((exported / MANIFEST_NAME).read_text("utf-8"))[0]:
        if name != HANDOVER_ACT and name not in WRITTEN_BY_SEAL:  # the act lists all before it
            assert f"<td>{name}</td>" in text and sha in text, name
    for name in WRITTEN_BY_SEAL:  # and names what the seal writes after it
        assert name in text
    last = len(printed.pages)
    assert not printed.landscape and printed.page_of("Принял: ответственный организатор") == [
        last]
    assert printed.page_of("(подпись)") == [last] and printed.page_of("(дата)") == [last]
    assert printed.overflowing(MARGIN_MM) == []
    assert printed.page_of("Ключ подписи устройства (отпечаток): "
                           f"{ensure_key(day.data_dir).fingerprint}")
    verified = subprocess.run([str(Path(sys.executable).with_name("appliance")), "verify",
                               str(exported.parent.parent)], capture_output=True, text=True)
    assert "Все проверки пройдены" in verified.stdout, verified.stdout + verified.stderr


def test_handover_act_prints_the_signing_key_fingerprint(folder, chromium, tmp_path):
    files = [FileEntry(f"файл-{i}.wav", 1000 * i, f"{i:064x}") for i in range(1, 40)]
    fingerprint = "SHA256:" + "ab12" * 11
    act = handover_act(folder, files, "", fingerprint, unlisted=WRITTEN_BY_SEAL)
    printed = print_pdf(chromium, act, tmp_path / "signed.pdf")
    assert printed.page_of(f"Ключ подписи устройства (отпечаток): {fingerprint}") == [1]
    assert printed.page_of("Передано файлов: 44 ")
    last = len(printed.pages)
    assert last == 2 and last in printed.page_of("файл-39.wav")
    assert printed.page_of("(подпись)") == [last]
    for page in range(1, last + 1):
        assert page in printed.page_of("SHA-256"), "headings repeat"


def test_form_1a_lists_each_kind_of_material_and_a_free_line(day, chromium, tmp_path):
    data_dir = tmp_path / "data"
    shutil.copytree(day.data_dir, data_dir)
    plan = plan_purge(data_dir, day.date, dates=[day.date], early=True)
    purged = purge_day(data_dir, plan.due[0], day.date, "МБОУ «СОШ № 1»",
                       Commission(head="Сидорова Мария Петровна"))
    printed = print_pdf(chromium, purged.act.read_bytes(), tmp_path / "1a.pdf")
    names = [f.name for f in purged.files]
    expected = {"аудиофайлы с записями ответов участников итогового собеседования":
                sum(n.endswith(".wav") for n in names),
                "файлы меток и сводок к аудиозаписям":
                sum(n.endswith((".txt", ".json")) and n not in ("roster.json", "results.json")
                    for n in names),
                "списки участников (ФИО) и отметки о результатах": 2,
                "журналы записи дня": 1}
    assert sum(expected.values()) == len(names), names
    for kind, n in expected.items():
        assert printed.has_words(f"{kind} в количестве {n} ({count_in_words(n)}) штук;"), kind
    assert printed.has_words("в количестве ______"), "a free line for other materials"
    for field in ("форма — 1А", "Наименование ОО МБОУ «СОШ № 1»", "Код ОО 640101",
                  f"Дата проведения {day.date:%d.%m.%Y}", "Комиссия в составе:",
                  f"Дата уничтожения материалов {day.date:%d.%m.%Y}",
                  f"Дата составления акта {day.date:%d.%m.%Y}"):
        assert printed.page_of(field), field
    last = len(printed.pages)
    for role in ("Руководитель образовательной организации", "Ответственный организатор",
                 "Экзаменатор-собеседник", "Технический специалист"):
        assert printed.has_words(role) and printed.page_of(role.split()[0])[-1] == last, role
    assert printed.page_of("(подпись)") == [last]
    assert printed.has_words("/ Сидорова Мария Петровна /")
    assert printed.overflowing(MARGIN_MM) == []
    # every signature line on one line: the «/» never wraps
    slashes = [w for page in printed.words for w in page if w[4] == "/"]
    assert len(slashes) == 8 and len({round(w[1]) for w in slashes}) == 4


def test_printed_report_lists_every_marker(exported, folder, chromium, tmp_path):
    printed = print_pdf(chromium, (exported / REPORT_HTML).read_bytes(), tmp_path / "r.pdf")
    markers = folder.parts[0].markers
    assert len(markers) == COUNT + 1  # start, 24 participants, stop
    for marker in markers:
        assert printed.has_words(f"{clock(marker.time_s)} — {marker.label}"), marker
    assert printed.page_of("Метки") and not printed.page_of("нажмите, чтобы прослушать")
    assert printed.overflowing(MARGIN_MM) == []


def test_is08_is_pre_filled_from_the_early_finish_mark(exported, rows, chromium, tmp_path):
    (early,) = [r for r in rows if r.early_reason is not None]
    assert early.number == EARLY
    acts = sorted(p.name for p in exported.glob("акт-ИС-08_*"))
    assert acts == [act_name(EARLY)], "one act, named by the list number"
    printed = print_pdf(chromium, (exported / acts[0]).read_bytes(), tmp_path / "is08.pdf")
    assert len(printed.pages) == 1 and not printed.landscape
    for field in ("ИС-08", "Акт о досрочном завершении выполнения заданий итогового "
                  "собеседования по уважительным причинам", "Код МСУ 01", "Код ОО 640101",
                  "Номер аудитории 0005", f"ФИО участника {early.name}",
                  f"Класс {early.class_name}", f"Номер по списку {EARLY}",
                  f"Номер варианта {early.variant}", f"Время начала ответа {early.start}",
                  f"Время досрочного завершения {early.end}", f"Причина {EARLY_REASON}"):
        assert printed.page_of(field), field
    for signer in ("Участник итогового собеседования", "Медицинский работник",
                   "Ответственный организатор", "Экзаменатор-собеседник"):
        assert printed.page_of(signer), signer
    assert printed.page_of("(подпись)") == [1] and printed.overflowing(MARGIN_MM) == []
    assert not [n for n in (p.name for p in exported.iterdir()) if early.name in n]


def test_nezachet_package_for_the_regional_centre(day, folder, rows, chromium, tmp_path):
    dest = tmp_path / "usb"
    dest.mkdir()
    package = write_package(day.data_dir, folder, dest, "МБОУ «СОШ № 1»")
    assert package.numbers == list(NEZACHET)
    on_drive = sorted(p.name for p in package.folder.iterdir())
    by_number = {r.number: r for r in rows}
    for number in NEZACHET:  # file names by number, never by name
        clip = participant_range(folder, number)
        assert f"{clip.name}.wav" in on_drive and f"{clip.name}.txt" in on_drive
        assert clip.name.endswith(f"участник-{number}")
        wav = (package.folder / f"{clip.name}.wav").read_bytes()
        info = read_info(package.folder / f"{clip.name}.wav")
        master = day.day_dir / clip.part.file
        master_info = read_info(master)
        with open(master, "rb") as f:  # the master's frames, byte for byte
            f.seek(master_info.data_offset + clip.start_frame * 2)
            expected = f.read((clip.end_frame - clip.start_frame) * 2)
        assert wav[info.data_offset:] == expected and len(expected) > 0
        labels = (package.folder / f"{clip.name}.txt").read_text("utf-8").splitlines()
        assert labels[0].startswith("0.000000\t0.000000\tУчастник")
        assert labels[-1].split("\t")[2] == "Конец ответа"
        assert float(labels[-1].split("\t")[0]) == pytest.approx(by_number[number].duration_s,
                                                                 abs=0.001)
    assert not [n for n in on_drive if any(w in n for r in rows for w in r.name.split())]
    # sealed like a room export: the box's signed manifest lists every other file
    manifest = (package.folder / MANIFEST_JSON).read_bytes()
    document = parse_manifest(manifest)
    assert signature_valid(document["public_raw"], manifest,
                           (package.folder / SIGNATURE_FILE).read_bytes())
    assert document["package"]["kind"] == "regional-nezachet"
    signed = {f["name"]: f["sha256"] for f in document["files"]}
    assert sorted([*signed, *SEAL_FILES]) == on_drive
    for name, sha in signed.items():
        assert hashlib.sha256((package.folder / name).read_bytes()).hexdigest() == sha
    assert read_audit(day.data_dir)[-1].data["participants"] == list(NEZACHET)

    listed = print_pdf(chromium, (package.folder / NEZACHET_LIST).read_bytes(),
                       tmp_path / "list.pdf")
    assert listed.page_of("Сведения об участниках итогового собеседования, имеющих «незачет»")
    for number in NEZACHET:
        row = by_number[number]
        assert listed.has_words(f"{row.name} {row.class_name} {number} {row.variant}"), row
    assert listed.page_of("(подпись)") == [len(listed.pages)]
    assert listed.overflowing(MARGIN_MM) == []
    act = print_pdf(chromium, (package.folder / TRANSFER_ACT).read_bytes(), tmp_path / "a.pdf")
    assert act.page_of(f"Передано файлов: {len(on_drive)} ")
    assert act.page_of("Принял: представитель РЦОИ")[-1] == len(act.pages)
    assert act.page_of("(подпись)") == [len(act.pages)] and act.overflowing(MARGIN_MM) == []


def test_appeal_package_has_the_clip_and_its_markers(day, folder, rows, chromium, tmp_path):
    number = next(r.number for r in rows if r.intro_end and r.number not in NEZACHET)
    package = write_package(day.data_dir, folder, tmp_path, appeal_number=number)
    assert package.folder.name == f"РЦОИ_повторная-проверка_{folder_name(folder)[13:]}_{number}"
    row = next(r for r in rows if r.number == number)
    printed = print_pdf(chromium, (package.folder / recheck_name(number)).read_bytes(),
                        tmp_path / "recheck.pdf")
    assert len(printed.pages) == 1
    for field in ("ИС-06-01", f"ФИО участника {row.name}", f"Номер по списку {number}",
                  f"Номер варианта {row.variant}"):
        assert printed.page_of(field), field
    intro_s = row.duration_s - row.answer_s
    assert printed.has_words(f"Конец представления: начало ответа {clock(intro_s)} "
                             f"{row.intro_end}")
    assert printed.has_words(f"Конец ответа {clock(row.duration_s)} {row.end}")
    assert printed.page_of("(подпись)") == [1] and printed.overflowing(MARGIN_MM) == []


def test_a_participant_without_a_recording_is_refused(day, folder, tmp_path):
    with pytest.raises(StateError) as err:
        write_package(day.data_dir, folder, tmp_path, appeal_number=ABSENT)
    assert err.value.message() == (f"Участник {ABSENT} не записан {day.date:%d.%m.%Y}: "
                                   "нет записи для передачи")
    assert not list(tmp_path.iterdir()), "nothing written"


def test_regional_command_writes_the_package_onto_a_drive(day, tmp_path):
    appliance = Path(sys.executable).with_name("appliance")
    run = subprocess.run([str(appliance), "regional", "--config", str(day.config_path),
                          "--date", day.date.isoformat(), "--dest", str(tmp_path)],
                         capture_output=True, text=True, env={**os.environ, "APPLIANCE_LANG": "ru"})
    assert run.returncode == 0, run.stderr
    (folder,) = tmp_path.iterdir()
    assert run.stdout.startswith(f"Пакет для РЦОИ: {folder} (участники: 7, 12, файлов: ")
    refused = subprocess.run([str(appliance), "regional", "--config", str(day.config_path),
                              "--date", "2020-01-01", "--dest", str(tmp_path)],
                             capture_output=True, text=True)
    assert refused.returncode == 2 and "Нет записей за 2020-01-01" in refused.stderr


def test_the_print_check_sees_a_line_running_off_the_page(chromium, tmp_path):
    """The checker itself: a line that cannot wrap is caught past the right margin."""
    long_line = " ".join(f"слово{i}" for i in range(60))
    body = f"<p style=\"white-space:nowrap\">{long_line}</p><p>короткая строка</p>"
    printed = print_pdf(chromium, paper.document("проверка", body), tmp_path / "wide.pdf")
    off = printed.overflowing(MARGIN_MM)
    assert off and "короткая" not in off  # Chromium cuts the rest at the page edge
