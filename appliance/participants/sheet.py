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

from appliance import paper
from appliance.capture.wavfile import read_info
from appliance.contract.dayview import DayView, Marker
from appliance.participants import roster as roster_mod
from appliance.participants.flags import CheckLimits, flag_text
from appliance.spreadsheet import safe_row

SHEET_HTML = "ведомость.html"
SHEET_CSV = "ведомость.csv"
TECH_HTML = "ведомость_копия-техспециалиста.html"
COLUMNS = ("№", "ФИО", "Класс", "Вариант", "Начало (метка)", "Конец представления", "Конец",
           "Длительность ответа", "Длительность с представлением", "Часть", "Файл",
           "Смещение в части, с", "Отметки")
ABSENT = "Н"
EARLY = "досрочно (акт ИС-08)"
READ_BLOCK_FRAMES = 48000
OVZ_NOTE = "ОВЗ"


@dataclass(frozen=True)
class Place:
    school: str
    room: str
    date: dt.date
    region: str = ""
    msu: str = ""


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
    intro_end: str = ""
    """When the introduction (name and variant) ended: the answer's start; "" when the intro
    check found no pause after it."""
    answer_s: float | None = None
    """The answer's duration, the introduction excluded (None while the intro end is unknown)."""
    ovz: bool = False
    mark: str = ""
    """The sheet's mark: «Н» for a no-show, the early finish."""
    early_reason: str | None = None
    """The early finish's reason as entered ("" when none was); None: no early finish."""

    def cells(self) -> list[str]:
        return [str(self.number or ""), self.name, self.class_name, self.variant, self.start,
                self.intro_end, self.end, _duration(self.answer_s), _duration(self.duration_s),
                str(self.part or ""), self.file,
                "" if self.offset_s is None else f"{self.offset_s:.3f}", "; ".join(self.notes)]


def roster_rows(directory: Path) -> list[SheetRow]:
    """The sheet of a day not started yet: the list alone."""
    return [SheetRow(p.number, p.name, p.class_name, str(p.variant or ""), "", "", None, None,
                     "", None, None, (["Н (неявка)"] if p.absent else []) + _ovz_note(p), [],
                     ovz=p.ovz, mark=ABSENT if p.absent else "")
            for p in roster_mod.load(directory).ordered()]


def _ovz_note(person: roster_mod.Participant) -> list[str]:
    return [OVZ_NOTE] if person.ovz else []


def build_rows(day: DayView, limits: CheckLimits | None = None) -> list[SheetRow]:
    """Roster order; each recorded segment is a row; no-shows get «Н»; markers for numbers
    not on the list come last."""
    limits = limits or CheckLimits()
    roster = roster_mod.load(day.path)
    by_number: dict[int | None, list[Marker]] = {}
    for segment in day.segments():
        by_number.setdefault(segment.participant, []).append(segment)
    rows: list[SheetRow] = []
    for person in roster.ordered():
        segments = by_number.pop(person.number, [])
        listed = {"variant": person.variant} if person.variant else {}
        info = {**listed, **day.participant_info.get(person.number, {})}
        if not segments:
            notes = ["Н (неявка)"] if person.absent else ["нет записи"]
            rows.append(SheetRow(person.number, person.name, person.class_name,
                                 str(info.get("variant", "")), "", "", None, None, "", None,
                                 None, notes + _ovz_note(person), [], ovz=person.ovz,
                                 mark=ABSENT if person.absent else ""))
        own_limits = limits.for_participant(person.ovz)
        for segment in segments:
            row = _segment_row(day, segment, person.name, person.class_name, info,
                               own_limits, person.ovz)
            row.notes += _ovz_note(person)
            rows.append(row)
    for number, segments in sorted(by_number.items(), key=lambda kv: (kv[0] is None, kv[0])):
        info = day.participant_info.get(number, {}) if number is not None else {}
        rows += [_segment_row(day, s, "(нет в списке)" if roster.participants else "",
                              "", info, limits) for s in segments]
    return rows


def _segment_row(day: DayView, segment: Marker, name: str, class_name: str, info: dict,
                 limits: CheckLimits, ovz: bool = False) -> SheetRow:
    part = day.part(segment.part)
    rate = part.rate_hz
    opened = part.start_wall()
    start_s = segment.frame / rate
    end_s = segment.end_frame / rate if segment.end_frame is not None else None
    check = _check(day, segment, limits)
    flags = check.get("flags", []) if check else []
    intro_s = (check or {}).get("intro_end_s")
    notes = [flag_text(f) for f in flags]
    mark = ""
    if info.get("early_finish"):
        mark = EARLY
        notes.append("досрочное завершение" + (f": {info['reason']}" if info.get("reason")
                                                  else ""))
    for fix in segment.corrections:
        notes.append(_correction_note(fix, rate))
    if end_s is None:
        notes.append("идёт запись")
    answer_start = start_s + intro_s if intro_s is not None else None
    return SheetRow(segment.participant, name, class_name, str(info.get("variant", "")),
                    _wall(opened, start_s), _wall(opened, end_s) if end_s is not None else "",
                    round(end_s - start_s, 3) if end_s is not None else None, part.number,
                    part.file, round(start_s, 6),
                    round(end_s, 6) if end_s is not None else None, notes, flags,
                    segment.frame,
                    intro_end=_wall(opened, answer_start) if answer_start is not None else "",
                    answer_s=(round(end_s - answer_start, 3)
                              if answer_start is not None and end_s is not None else None),
                    ovz=ovz, mark=mark,
                    early_reason=str(info.get("reason") or "") if mark else None)


def _check(day: DayView, segment: Marker, limits: CheckLimits) -> dict | None:
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


TITLE = "Ведомость учета проведения итогового собеседования в аудитории"


def _place_fields(day, school_name: str) -> list[tuple[str, str]]:
    return paper.site_fields(day.region, day.msu, day.school, school_name, day.room, day.date)


def _time_cells(row: SheetRow) -> list[str]:
    """The introduction (shown apart), the answer's start and end, its duration. When the
    intro check found no end of the introduction, the answer starts at the marker and the
    duration is marked with an asterisk (see the footnote)."""
    if not row.start:
        return ["", "", "", ""]
    if row.intro_end:
        return [f"{row.start}–{row.intro_end}", row.intro_end, row.end,
                _duration(row.answer_s)]
    duration = f"{_duration(row.duration_s)}*" if row.duration_s is not None else ""
    return ["не выделено", row.start, row.end, duration]


def sheet_html(day, rows: list[SheetRow], school_name: str = "") -> bytes:
    """Form ИС-02, the copy people sign: A4 landscape, no technical remarks (those are on the
    technician's copy, `technician_html`). `day`: anything with `region`, `msu`, `school`,
    `room` and `date` (a DayView, or a Place for a day not started yet)."""
    ovz = any(r.ovz for r in rows)
    columns = [("№ п/п", "4%"), ("ФИО участника", "19%" if ovz else "22%"), ("Класс", "5%")]
    columns += [("ОВЗ", "3%")] if ovz else []
    columns += [("Номер варианта", "7%"), ("Представление (ФИО, вариант)", "13%"),
                ("Время начала ответа", "7%"), ("Время окончания ответа", "8%"),
                ("Продолжи­тельность ответа", "9%"), ("Отметка о неявке, досрочном завершении",
                                                    "11%"),
                ("Подпись участника", "14%")]
    cells = []
    for row in rows:
        line = [str(row.number or ""), row.name, row.class_name]
        line += [("да" if row.ovz else "")] if ovz else []
        line += [row.variant, *_time_cells(row), row.mark, ""]
        cells.append([html.escape(c) for c in line])
    end = ("<p><small>Время — по позиции метки в аудиозаписи. Представление участника (ФИО, "
           "номер варианта) в продолжительность ответа не включается. * — конец представления "
           "не найден в записи: продолжительность указана вместе с представлением.</small></p>"
           + paper.signatures([paper.Signer("Экзаменатор-собеседник", dated=True),
                               paper.Signer("Эксперт", dated=True)]))
    body = (paper.heading(TITLE, "ИС-02") + paper.fields(_place_fields(day, school_name))
            + paper.grid(columns, cells, end, row_class="signed"))
    return paper.document(TITLE, body, landscape=True)


TECH_COLUMNS = ("№", "ФИО", "Начало (метка)", "Конец представления", "Конец", "Часть",
                "Смещение в части, с", "Замечания проверки и исправления")


def technician_html(day, rows: list[SheetRow], school_name: str = "") -> bytes:
    """The technician's copy: where each answer is in the files, the intro check's warnings
    and the marker corrections. Not signed, not handed to participants."""
    title = "Ведомость ИС-02: копия технического специалиста"
    widths = ["4%", "20%", "8%", "9%", "8%", "5%", "9%", "37%"]
    cells = [[html.escape(c) for c in (str(r.number or ""), r.name, r.start, r.intro_end, r.end,
                                 str(r.part or ""),
                                 "" if r.offset_s is None else f"{r.offset_s:.3f}",
                                 "; ".join(r.notes))] for r in rows]
    files = sorted({(r.part, r.file) for r in rows if r.file})
    body = (paper.heading(title) + paper.fields(_place_fields(day, school_name))
            + paper.fields([(f"Часть {n}", name) for n, name in files])
            + "<p>Для проверки записи; участникам на подпись не выдаётся.</p>"
            + paper.grid(list(zip(TECH_COLUMNS, widths, strict=True)), cells))
    return paper.document(title, body, landscape=True)
