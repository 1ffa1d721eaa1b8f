"""The room's human documents on the drive: report.csv, report.html and the handover act.

Everything is Russian, self-contained (inline CSS and script, no fonts or libraries from the
network) and opens offline from the drive in any browser. report.html plays each part next to
its marker index: click a participant and the player jumps there, so neither the organizer nor
an appeal commission needs special software.
"""

from __future__ import annotations

import datetime as dt
import html
import urllib.parse
from dataclasses import dataclass

from appliance.export import paper
from appliance.export.dayfolder import Alarm, DayFolder, Part
from appliance.export.manifest import HANDOVER_ACT, MANIFEST_NAME, format_csv

NO_ALARMS = "нет"


@dataclass(frozen=True)
class FileEntry:
    """A file in the room folder, as listed in the act and in SHA256SUMS."""

    name: str
    bytes: int
    sha256: str


def clock(seconds: float) -> str:
    """`01:02:03.456` for a position inside a part."""
    ms = round(seconds * 1000)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def wall_time(moment: dt.datetime) -> str:
    return moment.strftime("%H:%M:%S")


def part_verdict(day: DayFolder, part: Part) -> str:
    """«в норме» or «замечания»: any alarm in the journal or the part's sound summary."""
    summary = day.summary(part)
    if summary.get("verdict"):
        return str(summary["verdict"])
    return "замечания" if part.alarms or summary.get("alarm_counts") else "в норме"


def levels_text(day: DayFolder, part: Part) -> str:
    """Peak, RMS and speech share per channel from the summary, or "—" when there is none."""
    summary = day.summary(part)
    levels = summary.get("levels", {})
    if not levels:
        return "—"
    speech = summary.get("speech_share", [])
    return "; ".join(
        f"канал {i + 1}: пик {peak:.1f} дБFS, RMS {rms:.1f} дБFS"
        + (f", речь {speech[i] * 100:.0f}%" if i < len(speech) else "")
        for i, (peak, rms) in enumerate(zip(levels.get("peak_dbfs", []),
                                            levels.get("rms_dbfs", []), strict=False)))


def alarm_text(part: Part, alarm: Alarm) -> str:
    """When it happened (wall clock, and the position in the part to find it by ear), until
    when, and what: `09:12:03–09:12:40 (00:12:03.100 от начала части) silence: Нет сигнала…`."""
    start = wall_time(dt.datetime.fromisoformat(alarm.wall))
    end = (f"–{wall_time(dt.datetime.fromisoformat(alarm.cleared_wall))}"
           if alarm.cleared_wall else "")
    where = (f" ({clock(alarm.frame / part.rate_hz)} от начала части)"
             if alarm.frame is not None else "")
    return f"{start}{end}{where} {alarm.code}: {alarm.message}"


def alarms_text(part: Part) -> str:
    return "; ".join(alarm_text(part, a) for a in part.alarms) or NO_ALARMS


def markers_text(part: Part) -> str:
    return " | ".join(f"{clock(m.time_s)} {m.label}" for m in part.markers)


def csv_rows(day: DayFolder) -> list[dict[str, str]]:
    return [{
        "Дата": day.date.isoformat(), "Код ОО": day.school, "Аудитория": day.room,
        "Часть": str(p.number), "Файл": p.file,
        "Начало": wall_time(p.start_wall()), "Конец": wall_time(p.end_wall()),
        "Длительность, с": f"{p.duration_s:.3f}", "Размер, байт": str(p.bytes),
        "SHA-256": p.sha256 or "", "Заключение": part_verdict(day, p),
        "Тревоги": alarms_text(p), "Метки": markers_text(p),
    } for p in day.parts]


def report_csv(day: DayFolder) -> bytes:
    return format_csv(csv_rows(day))


_STYLE = """
body{font-family:sans-serif;margin:1.5em;color:#111}table{border-collapse:collapse;margin:.5em 0}
td,th{border:1px solid #999;padding:.25em .5em;text-align:left;vertical-align:top}
code{font-size:.8em;word-break:break-all}
.part{margin:1.5em 0;padding-top:.5em;border-top:2px solid #444}
button.mark{display:block;margin:.15em 0;cursor:pointer;text-align:left}
audio{width:100%;max-width:48em}.bad{color:#a00;font-weight:bold}
@page{size:A4 portrait;margin:12mm}
@media print{body{margin:0;font-size:10pt}audio,.screen{display:none}
button.mark{border:none;background:none;padding:0;color:#000;font:inherit}
.part{break-inside:auto}table{width:100%;table-layout:fixed}
td,th{overflow-wrap:anywhere}}
"""

_SCRIPT = """
function jump(id, t){var a=document.getElementById(id);a.currentTime=t;a.play();}
"""


def html_head(title: str) -> str:
    return (f"<!DOCTYPE html>\n<html lang=\"ru\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title><style>{_STYLE}</style>"
            f"<script>{_SCRIPT}</script></head><body>\n")


def _site_table(day: DayFolder, school_name: str) -> str:
    rows = [("Наименование ОО", school_name or "—"), ("Код ОО", day.school),
            ("Аудитория", day.room), ("Дата проведения", day.date.strftime("%d.%m.%Y")),
            ("Хранить до", day.keep_until.strftime("%d.%m.%Y") if day.keep_until else "—")]
    return "<table>" + "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
                               for k, v in rows) + "</table>\n"


def _part_section(day: DayFolder, part: Part) -> str:
    audio_id = f"part{part.number}"
    src = urllib.parse.quote(part.file)
    marks = "".join(
        f"<li><button class=\"mark\" onclick=\"jump('{audio_id}',{m.time_s:.3f})\">"
        f"{clock(m.time_s)} — {html.escape(m.label)}</button></li>" for m in part.markers)
    verdict = part_verdict(day, part)
    alarms = alarms_text(part)
    cls = "" if alarms == NO_ALARMS else " class=\"bad\""
    return (
        f"<div class=\"part\"><h2>Часть {part.number}: {html.escape(part.file)}</h2>"
        f"<table><tr><th>Начало</th><td>{wall_time(part.start_wall())}</td>"
        f"<th>Конец</th><td>{wall_time(part.end_wall())}</td>"
        f"<th>Длительность</th><td>{clock(part.duration_s)}</td></tr>"
        f"<tr><th>Размер, байт</th><td>{part.bytes}</td><th>Заключение</th>"
        f"<td>{html.escape(verdict)}</td><th>Тревоги</th><td{cls}>{html.escape(alarms)}</td>"
        f"</tr><tr><th>Уровни</th><td colspan=\"5\">{html.escape(levels_text(day, part))}</td>"
        f"</tr><tr><th>SHA-256</th><td colspan=\"5\"><code>{part.sha256}</code></td></tr>"
        f"</table><audio id=\"{audio_id}\" controls preload=\"metadata\" src=\"{src}\"></audio>"
        f"<h3>Метки <span class=\"screen\">(нажмите, чтобы прослушать)</span></h3>"
        f"<ol class=\"marks\">{marks}</ol></div>\n")


def report_html(day: DayFolder, school_name: str = "") -> bytes:
    title = f"Аудиозапись итогового собеседования — ОО {day.school}, аудитория {day.room}"
    body = [html_head(title), f"<h1>{html.escape(title)}</h1>", _site_table(day, school_name),
            "<p>Контрольные суммы всех файлов — в файле SHA256SUMS "
            "(проверка: <code>sha256sum -c SHA256SUMS</code> или <code>appliance verify</code>)."
            "</p>"]
    body += [_part_section(day, p) for p in day.parts]
    body.append("</body></html>\n")
    return "".join(body).encode("utf-8")


FILE_COLUMNS = [("№", "5%"), ("Файл", "30%"), ("Размер, байт", "12%"), ("SHA-256", "53%")]


def files_grid(files: list[FileEntry], end: str = "") -> str:
    """The files with sizes and SHA-256, `end` (the signatures) kept with the last rows."""
    rows = [[str(i), html.escape(f.name), str(f.bytes), f"<code>{f.sha256}</code>"]
            for i, f in enumerate(files, 1)]
    return paper.grid(FILE_COLUMNS, rows, end)


def handover_act(day: DayFolder, files: list[FileEntry], school_name: str = "",
                 fingerprint: str = "", unlisted: tuple[str, ...] = (MANIFEST_NAME,)) -> bytes:
    """Акт передачи: what left the room on this drive, with sizes and SHA-256.

    `files` are listed with their checksums; `unlisted` are the files written after the act
    (the manifest, its signature), named and counted too, so the count is the folder's.
    `fingerprint`: the fingerprint of the box's key that signed the package, printed when the
    package is signed."""
    return transfer_act(
        "Акт передачи аудиозаписей итогового собеседования по русскому языку",
        paper.site_fields(day.region, day.msu, day.school, school_name, day.room, day.date),
        files, HANDOVER_ACT,
        [paper.Signer("Передал: технический специалист", dated=True),
         paper.Signer("Принял: ответственный организатор", dated=True)],
        unlisted=unlisted, fingerprint=fingerprint)


def transfer_act(title: str, site: list[tuple[str, str]], files: list[FileEntry],
                 act_name: str, signers: list[paper.Signer], what: str = "",
                 unlisted: tuple[str, ...] = (MANIFEST_NAME,), fingerprint: str = "") -> bytes:
    """An act of handing a folder over (see `handover_act`); `what` says what it holds."""
    total = sum(f.bytes for f in files)
    count = len(files) + 1 + len(unlisted)
    after = ", ".join([f"этот акт ({act_name})", *unlisted])
    signed = ("" if not fingerprint else
              f"<p>Пакет подписан ключом устройства. Отпечаток ключа: "
              f"<code>{html.escape(fingerprint)}</code></p>")
    body = (paper.heading(title) + paper.fields(site)
            + (f"<p>{html.escape(what)}</p>" if what else "")
            + f"<p>Передано файлов: {count} — перечисленные ниже {len(files)} (общий объём "
            f"{total} байт) и {html.escape(after)}. Контрольные суммы всех файлов, кроме "
            f"{html.escape(', '.join(unlisted))}, — в файле {html.escape(MANIFEST_NAME)}.</p>"
            + signed + files_grid(files, paper.signatures(signers)))
    return paper.document(title, body)
