"""The package for the regional centre (РЦОИ): the recordings of participants with «незачет»,
or of one participant whose answer is re-checked on appeal (protocol ИС-06-01).

One folder per package, finished like a room export (every file written and read back, then
sealed last by the same `package.seal_package`: the box's key, SHA256SUMS, the signed
manifest.json):
- each participant's clip, an exact copy of the master's frames, named by the list number
  (`…_участник-7.wav`), never by name, with its markers relative to the clip (`….txt`,
  Audacity labels: the start, the end of the introduction when known, the end);
- the list «Сведения об участниках, имеющих «незачет»» (or, for an appeal, the participant's
  sheet for the re-check with the markers);
- the transfer act to the regional centre.
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass
from pathlib import Path

from appliance import i18n, naming, paper
from appliance.boxkey import ensure_key
from appliance.contract.audit import AuditEvent, log_event
from appliance.contract.dayview import DayView
from appliance.errors import StateError
from appliance.export.clips import participant_range, wav_bytes
from appliance.export.package import WRITTEN_BY_SEAL, seal_package
from appliance.export.reports import FileEntry, clock, transfer_act
from appliance.export.verified_copy import write_verified
from appliance.participants import results
from appliance.participants.flags import CheckLimits
from appliance.participants.sheet import SheetRow, build_rows

NEZACHET_LIST = "список-незачет.html"
TRANSFER_ACT = "акт-передачи-РЦОИ.html"
FOLDER_WORDS = {"cyrillic": ("РЦОИ_незачет", "РЦОИ_повторная-проверка"),
                "ascii": ("RCOI_nezachet", "RCOI_appeal")}

i18n.register({
    "regional.none": ("За {date} нет участников с отметкой «незачет»",
                      "No participant of {date} is marked «незачет»"),
    "regional.not_recorded": ("Участник {n} не записан {date}: нет записи для передачи",
                              "Participant {n} was not recorded on {date}: nothing to hand over"),
})


@dataclass(frozen=True)
class Package:
    folder: Path
    files: list[FileEntry]
    numbers: list[int]


def recheck_name(number: int) -> str:
    return f"повторная-проверка_участник-{number}.html"


def folder_name(day: DayView, appeal_number: int | None = None) -> str:
    words = FOLDER_WORDS[day.naming]
    school_dir, room_dir = naming.export_dirs(day.date, day.school, day.room, day.naming)
    if appeal_number is None:
        return f"{words[0]}_{school_dir}_{room_dir}"
    return f"{words[1]}_{school_dir}_{room_dir}_{appeal_number}"


def write_package(data_dir: str | os.PathLike, day: DayView, dest_dir: str | os.PathLike,
                  school_name: str = "", appeal_number: int | None = None,
                  limits: CheckLimits | None = None, who: str = "cli") -> Package:
    """The «незачет» package of `day` (the participants marked in results.json), or with
    `appeal_number` the re-check package of that one participant; into `dest_dir`."""
    numbers = [appeal_number] if appeal_number is not None else sorted(results.load(day.path))
    if not numbers:
        raise StateError("regional.none", date=paper.date_text(day.date))
    rows: dict[int | None, SheetRow] = {}
    for row in build_rows(day, limits):  # the first segment, as `participant_range` cuts
        if row.file:
            rows.setdefault(row.number, row)
    for number in numbers:
        if number not in rows:
            raise StateError("regional.not_recorded", n=number, date=paper.date_text(day.date))
    key = ensure_key(data_dir)
    folder = Path(dest_dir) / folder_name(day, appeal_number)
    folder.mkdir(parents=True, exist_ok=True)
    for seal in WRITTEN_BY_SEAL:  # a folder with a signed manifest is a finished folder
        (folder / seal).unlink(missing_ok=True)
    files: list[FileEntry] = []

    def put(name: str, data: bytes) -> None:
        outcome = write_verified(data, folder / name)
        files.append(FileEntry(name, outcome.bytes, outcome.sha256))

    clips: dict[int, FileEntry] = {}
    for number in numbers:
        clip = participant_range(day, number)
        put(f"{clip.name}.wav", wav_bytes(day, clip))
        clips[number] = files[-1]
        length_s = (clip.end_frame - clip.start_frame) / clip.part.rate_hz
        put(f"{clip.name}.txt", _labels(rows[number], length_s).encode("utf-8"))
    if appeal_number is None:
        put(NEZACHET_LIST, nezachet_list(day, [rows[n] for n in numbers], clips, school_name))
    else:
        put(recheck_name(appeal_number),
            recheck_sheet(day, rows[appeal_number], clips[appeal_number], school_name))
    put(TRANSFER_ACT, _act(day, list(files), school_name, appeal_number is not None,
                           key.fingerprint))
    subject = {"kind": "regional-appeal" if appeal_number is not None else "regional-nezachet",
               "date": day.date.isoformat(), "school": day.school, "room": day.room,
               "participants": numbers}
    files = seal_package(folder, files, key, subject)
    log_event(data_dir, AuditEvent.REGIONAL_PACKAGE, date=day.date.isoformat(),
              participants=numbers, appeal=appeal_number is not None, folder=folder.name,
              files=[{"file": f.name, "bytes": f.bytes, "sha256": f.sha256} for f in files],
              source=who)
    return Package(folder, files, numbers)


def _intro_s(row: SheetRow) -> float | None:
    if row.answer_s is None or row.duration_s is None:
        return None
    return round(row.duration_s - row.answer_s, 3)


def clip_markers(row: SheetRow, length_s: float) -> list[tuple[float, str]]:
    """(seconds into the clip, label): the start, the intro's end when known, the end."""
    marks = [(0.0, f"Участник {row.number}: начало (представление)")]
    intro = _intro_s(row)
    if intro is not None:
        marks.append((intro, "Конец представления: начало ответа"))
    return marks + [(round(length_s, 3), "Конец ответа")]


def _labels(row: SheetRow, length_s: float) -> str:
    return "".join(f"{t:.6f}\t{t:.6f}\t{label}\n" for t, label in clip_markers(row, length_s))


def _site(day: DayView, school_name: str) -> list[tuple[str, str]]:
    return paper.site_fields(day.region, day.msu, day.school, school_name, day.room, day.date)


def nezachet_list(day: DayView, rows: list[SheetRow], clips: dict[int, FileEntry],
                  school_name: str = "") -> bytes:
    """Сведения об участниках итогового собеседования, имеющих «незачет»."""
    title = "Сведения об участниках итогового собеседования, имеющих «незачет»"
    columns = [("№ п/п", "6%"), ("ФИО участника", "28%"), ("Класс", "8%"),
               ("Номер по списку", "9%"), ("Номер варианта", "9%"),
               ("Файл аудиозаписи", "30%"), ("Длительность", "10%")]
    cells = [[str(i), html.escape(r.name), html.escape(r.class_name), str(r.number),
              html.escape(r.variant), html.escape(clips[r.number].name),
              clock(r.duration_s or 0)[:8]] for i, r in enumerate(rows, 1)]
    end = paper.signatures([paper.Signer("Руководитель образовательной организации",
                                         dated=True),
                            paper.Signer("Ответственный организатор", dated=True)])
    body = (paper.heading(title) + paper.fields(_site(day, school_name))
            + paper.grid(columns, cells, end))
    return paper.document(title, body)


def recheck_sheet(day: DayView, row: SheetRow, clip: FileEntry,
                  school_name: str = "") -> bytes:
    """What the regional commission needs beside its protocol ИС-06-01: whose answer, which
    file (with its SHA-256), and where in it the introduction and the answer are."""
    title = "Сведения к протоколу повторной проверки итогового собеседования (ИС-06-01)"
    marks = clip_markers(row, row.duration_s or 0.0)
    columns = [("Метка", "50%"), ("Время от начала файла", "25%"), ("Время по часам", "25%")]
    walls = [row.start, row.intro_end, row.end] if row.intro_end else [row.start, row.end]
    cells = [[html.escape(label), clock(t), html.escape(wall)]
             for (t, label), wall in zip(marks, walls, strict=True)]
    end = paper.signatures([paper.Signer("Технический специалист", dated=True)])
    body = (paper.heading(title, "к форме ИС-06-01") + paper.fields(_site(day, school_name))
            + paper.fields([("ФИО участника", row.name), ("Класс", row.class_name),
                            ("Номер по списку", str(row.number)), ("Номер варианта", row.variant),
                            ("Файл аудиозаписи", clip.name), ("Размер, байт", str(clip.bytes))])
            + f"<p>SHA-256: <code>{clip.sha256}</code></p>"
            + "<p>Протокол повторной проверки (форма ИС-06-01) заполняет эксперт региональной "
              "комиссии по проверке итогового собеседования.</p>"
            + paper.grid(columns, cells, end))
    return paper.document(title, body)


def _act(day: DayView, files: list[FileEntry], school_name: str, appeal: bool,
         fingerprint: str) -> bytes:
    what = ("аудиозапись ответа участника для повторной проверки региональной комиссией"
            if appeal else "аудиозаписи ответов участников итогового собеседования, "
            "получивших неудовлетворительный результат («незачет»)")
    return transfer_act(
        "Акт передачи в РЦОИ аудиозаписей ответов участников итогового собеседования",
        _site(day, school_name), files, TRANSFER_ACT,
        [paper.Signer("Передал: ответственный организатор образовательной организации",
                      dated=True),
         paper.Signer("Принял: представитель РЦОИ (муниципальный координатор)", dated=True)],
        what=f"Передаются на USB-носителе: {what}.", unlisted=WRITTEN_BY_SEAL,
        fingerprint=fingerprint)
