"""The day's paperwork for a real recorded day (tests/export/paperwork_day.py: 25 on the list,
a no-show, an early finish), each document printed to PDF by Chromium and read back: the
form's fields, the page count, the signature places on the last page with the table's end,
and no word running into the margin."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from paperwork_day import (
    ABSENT,
    COUNT,
    EARLY,
    MOVED,
    MOVED_REASON,
    RATE_HZ,
    expected_intro_end,
    record_day,
)

from appliance import config as config_mod
from appliance.export.dayfolder import load_day
from appliance.journal import read_entries
from appliance.participants import sheet
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
    assert printed.page_of("Александрова-Римская Екатерина")  # the longest name wraps in
    assert printed.page_of("Константиновна")  # its cell and stays whole
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
    """Rosters that carry «ОВЗ» (participants with special needs, who may have more time)
    get the column; the others do not."""
    plain = print_pdf(chromium, sheet.sheet_html(folder, rows), tmp_path / "plain.pdf")
    assert not plain.page_of("ОВЗ")
    marked = [dataclasses.replace(r, ovz=r.number == 4) for r in rows]
    printed = print_pdf(chromium, sheet.sheet_html(folder, marked), tmp_path / "ovz.pdf")
    assert printed.page_of("ОВЗ") == [1, 2] and printed.has_words("9А 5")
    pages_with_yes = [i for i, page in enumerate(printed.words, 1)
                      if any(w[4] == "да" for w in page)]
    assert pages_with_yes == [1] and printed.overflowing(MARGIN_MM) == []
