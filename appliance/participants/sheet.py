"""The room sheet (ведомость учёта проведения итогового собеседования в аудитории, form ИС-02)
filled in from the journal and the roster: number, full name, class, variant, start and end of
each answer, duration, part file and offset, flags.

Times come from sample positions: a segment starts `frame / rate_hz` seconds into its part,
and its wall-clock time is the part's opening time plus that offset, so the sheet, the
player and a clip cut on appeal agree to the sample. The sheet holds full names: it is shown
behind the login and written into the export's room folder, never into audio file names.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
from dataclasses import dataclass
from pathlib import Path

from appliance.capture.wavfile import read_info
from appliance.export.dayfolder import DayFolder
from appliance.journal import read_entries
from appliance.participants import roster as roster_mod
from appliance.participants import timeline
from appliance.participants.flags import CheckLimits, flag_text
from appliance.spreadsheet import safe_row

SHEET_HTML = "ведомость.html"
SHEET_CSV = "ведомость.csv"
COLUMNS = ("№", "ФИО", "Класс", "Вариант", "Начало", "Конец", "Длительность", "Часть", "Файл",
           "Смещение в части, с", "Отметки")
READ_BLOCK_FRAMES = 48000


@dataclass(frozen=True)
class Place:
    school: str
    room: str
    date: dt.date


@dataclass
class SheetRow:
    number: int | None
    name: str
    class_name: str
    variant: str
    start: str
    end: str
    duration_s: float | None
    part: int | None
    file: str
    offset_s: float | None
    end_offset_s: float | None
    notes: list[str]
    flags: list[dict]
    frame: int | None = None
    """The segment's start in frames of its part (to name it in a correction)."""

    def cells(self) -> list[str]:
        return [str(self.number or ""), self.name, self.class_name, self.variant, self.start,
                self.end, _duration(self.duration_s), str(self.part or ""), self.file,
                "" if self.offset_s is None else f"{self.offset_s:.3f}", "; ".join(self.notes)]


def roster_rows(directory: Path) -> list[SheetRow]:
    """The sheet of a day not started yet: the list alone."""
    return [SheetRow(p.number, p.name, p.class_name, "", "", "", None, None, "", None, None,
                     ["Н (неявка)"] if p.absent else [], [])
            for p in roster_mod.load(directory).ordered()]


def build_rows(day: DayFolder, limits: CheckLimits | None = None) -> list[SheetRow]:
    """Roster order; each recorded segment is a row; no-shows get «Н»; markers for numbers
    not on the list come last."""
    limits = limits or CheckLimits()
    line = timeline.build(read_entries(day.path / "journal.jsonl"))
    roster = roster_mod.load(day.path)
    by_number: dict[int | None, list[timeline.Segment]] = {}
    for segment in line.live():
        by_number.setdefault(segment.participant, []).append(segment)
    rows: list[SheetRow] = []
    for person in roster.ordered():
        segments = by_number.pop(person.number, [])
        info = line.info.get(person.number, {})
        if not segments:
            notes = ["Н (неявка)"] if person.absent else ["нет записи"]
            rows.append(SheetRow(person.number, person.name, person.class_name,
                                 info.get("variant", ""), "", "", None, None, "", None, None,
                                 notes, []))
        rows += [_segment_row(day, line, s, person.name, person.class_name, info, limits)
                 for s in segments]
    for number, segments in sorted(by_number.items(), key=lambda kv: (kv[0] is None, kv[0])):
        info = line.info.get(number, {}) if number is not None else {}
        rows += [_segment_row(day, line, s, "(нет в списке)" if roster.participants else "",
                              "", info, limits) for s in segments]
    return rows


def _segment_row(day: DayFolder, line: timeline.Timeline, segment: timeline.Segment, name: str,
                 class_name: str, info: dict, limits: CheckLimits) -> SheetRow:
    part = day.part(segment.part)
    rate = part.rate_hz
    opened = part.start_wall()
    start_s = segment.frame / rate
    end_s = segment.end_frame / rate if segment.end_frame is not None else None
    check = _check(day, segment, limits)
    flags = check.get("flags", []) if check else []
    notes = [flag_text(f) for f in flags]
    if info.get("early_finish"):
        notes.append("досрочное завершение" + (f": {info['reason']}" if info.get("reason")
                                                  else ""))
    for fix in segment.corrections:
        notes.append(_correction_note(fix, rate))
    if end_s is None:
        notes.append("идёт запись")
    return SheetRow(segment.participant, name, class_name, str(info.get("variant", "")),
                    _wall(opened, start_s), _wall(opened, end_s) if end_s is not None else "",
                    round(end_s - start_s, 3) if end_s is not None else None, part.number,
                    part.file, round(start_s, 6),
                    round(end_s, 6) if end_s is not None else None, notes, flags,
                    segment.frame)


def _check(day: DayFolder, segment: timeline.Segment, limits: CheckLimits) -> dict | None:
    """The journaled check when it measured this very segment, else one made from the file
    (a corrected marker moved the segment, or the recorder stopped before judging it)."""
    check = segment.check
    if check and check.get("final") and check.get("frame") == segment.frame:
        return check
    part = day.part(segment.part)
    if not part.sealed or segment.end_frame is None:
        return check
    return check_from_file(day.path / part.file, segment.frame, segment.end_frame, limits)


def check_from_file(path: Path, start_frame: int, end_frame: int, limits: CheckLimits) -> dict:
    """Run the intro check over frames [start, end) of a WAV part."""
    import numpy as np  # here, not at the top: the web page imports this module

    from appliance.participants.introcheck import SegmentCheck
    info = read_info(path)
    checker = SegmentCheck(limits, info.format.rate_hz)
    frame_bytes = info.format.frame_bytes
    with open(path, "rb") as f:
        f.seek(info.data_offset + start_frame * frame_bytes)
        left = end_frame - start_frame
        while left > 0:
            data = f.read(min(left, READ_BLOCK_FRAMES) * frame_bytes)
            if not data:
                break
            block = np.frombuffer(data, np.int16).reshape(-1, info.format.channels)
            checker.feed(block)
            left -= block.shape[0]
    return {"frame": start_frame, "final": True, **checker.to_dict(final=True)}


def _correction_note(fix: dict, rate_hz: int) -> str:
    what = []
    previous = fix.get("previous", {})
    if "participant" in fix:
        what.append(f"участник {previous.get('participant')} → {fix['participant']}")
    if fix.get("new_frame") is not None:
        what.append(f"начало {previous.get('frame', 0) / rate_hz:.3f} → "
                    f"{fix['new_frame'] / rate_hz:.3f} с")
    if fix.get("void"):
        what.append("метка отменена")
    reason = f" ({fix['reason']})" if fix.get("reason") else ""
    return f"исправлено {fix['wall'][:19].replace('T', ' ')}: " + ", ".join(what) + reason


def _wall(opened: dt.datetime, offset_s: float) -> str:
    return (opened + dt.timedelta(seconds=offset_s)).strftime("%H:%M:%S")


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    whole = int(round(seconds))
    return f"{whole // 60:d}:{whole % 60:02d}"


def sheet_csv(rows: list[SheetRow]) -> bytes:
    """`;`-separated UTF-8 with a BOM: opens correctly in Russian Excel; no cell is taken
    for a formula (appliance.spreadsheet)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(safe_row(row.cells()) for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


_STYLE = """
body{font-family:sans-serif;margin:1.5em;color:#111}table{border-collapse:collapse}
td,th{border:1px solid #555;padding:.2em .4em;text-align:left;vertical-align:top;font-size:.9em}
.flag{color:#a00;font-weight:bold}.absent{color:#666}
@media print{body{margin:0}@page{size:A4 landscape;margin:1cm}}
"""


def _school(name: str, code: str) -> str:
    return f"{name} (код ОО {code})" if name else f"Код ОО {code}"


def sheet_html(day, rows: list[SheetRow], school_name: str = "") -> bytes:
    """A self-contained printable page (no scripts, no external files). `day`: anything with
    `school`, `room` and `date` (a DayFolder, or a Place for a day not started yet)."""
    title = "Ведомость учёта проведения итогового собеседования в аудитории"
    head = (f"<!DOCTYPE html>\n<html lang=\"ru\"><head><meta charset=\"utf-8\">"
            f"<title>{title}</title><style>{_STYLE}</style></head><body>\n"
            f"<h1>{title}</h1><p>{html.escape(_school(school_name, day.school))}, аудитория "
            f"{html.escape(day.room)}, дата "
            f"{day.date.strftime('%d.%m.%Y')}. Время начала и окончания — по позиции метки "
            f"в записи.</p>\n<table><tr>"
            + "".join(f"<th>{html.escape(c)}</th>" for c in COLUMNS) + "<th>Подпись</th></tr>\n")
    body = []
    for row in rows:
        cells = row.cells()
        cls = " class=\"flag\"" if row.flags else (" class=\"absent\"" if not row.file else "")
        body.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells[:-1])
                    + f"<td{cls}>{html.escape(cells[-1])}</td><td></td></tr>\n")
    foot = ("</table><p>Экзаменатор-собеседник ____________ / ______________________ /</p>"
            "</body></html>\n")
    return (head + "".join(body) + foot).encode("utf-8")
