"""The room's human documents on the drive: report.csv, report.html and the handover act.

Everything is Russian, self-contained (inline CSS; scripts as files beside the page, never
inline; no fonts or libraries from the network) and opens offline from the drive in any
browser. report.html plays each part next to its marker index: click a participant and the
player jumps there, so neither the organizer nor an appeal commission needs special software.
Its «Проверить файлы» checks the folder against the signed manifest in the browser
(`static/report.js`, with the streaming SHA-256 of `static/hash-wasm-sha256.js`: hash-wasm
4.12.0, MIT, unmodified).
"""

from __future__ import annotations

import datetime as dt
import html
import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from appliance import paper
from appliance.contract.dayview import Alarm, DayView, Part
from appliance.export.manifest import HANDOVER_ACT, MANIFEST_NAME, SOURCE_COLUMN, format_csv

NO_ALARMS = "нет"
ORIGIN_MASTER = "основной носитель"
SCRIPTS = ("hash-wasm-sha256.js", "report.js")
"""Shipped beside report.html in the room folder (a page opened from file:// loads them)."""
STATIC_DIR = Path(__file__).with_name("static")


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


def part_verdict(day: DayView, part: Part) -> str:
    """«в норме» or «замечания»: any alarm in the journal or the part's sound summary."""
    summary = day.summary(part)
    if summary.get("verdict"):
        return str(summary["verdict"])
    return "замечания" if part.alarms or summary.get("alarm_counts") else "в норме"


def levels_text(day: DayView, part: Part) -> str:
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
    return " | ".join(f"{clock(m.time_s)} {m.shown_label}" for m in part.live_markers())


def csv_rows(day: DayView, origin: dict[str, str] | None = None) -> list[dict[str, str]]:
    """One row per part; `origin` maps a part's file to its «Источник» (which medium)."""
    return [{
        "Дата": day.date.isoformat(), "Код ОО": day.school, "Аудитория": day.room,
        "Часть": str(p.number), "Файл": p.file,
        "Начало": wall_time(p.start_wall()), "Конец": wall_time(p.end_wall()),
        "Длительность, с": f"{p.duration_s:.3f}", "Размер, байт": str(p.bytes),
        "SHA-256": p.sha256 or "", "Заключение": part_verdict(day, p),
        "Тревоги": alarms_text(p), "Метки": markers_text(p),
        SOURCE_COLUMN: (origin or {}).get(p.file, ORIGIN_MASTER),
    } for p in day.parts]


def report_csv(day: DayView, origin: dict[str, str] | None = None) -> bytes:
    return format_csv(csv_rows(day, origin))


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

.check-ok{color:#060;font-weight:bold}.fingerprint{font-family:monospace;font-size:1.2em}
@media print{#check{display:none}}
"""


def html_head(title: str, scripts: tuple[str, ...] = ()) -> str:
    tags = "".join(f"<script src=\"{html.escape(s)}\" defer></script>" for s in scripts)
    return (f"<!DOCTYPE html>\n<html lang=\"ru\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title><style>{_STYLE}</style>{tags}</head><body>\n")


def report_scripts() -> list[tuple[str, bytes]]:
    """(name, bytes) of the scripts report.html loads, to be written beside it."""
    return [(name, (STATIC_DIR / name).read_bytes()) for name in SCRIPTS]


def _site_table(day: DayView, school_name: str) -> str:
    rows = [("Наименование ОО", school_name or "—"), ("Код ОО", day.school),
            ("Аудитория", day.room), ("Дата проведения", day.date.strftime("%d.%m.%Y")),
            ("Хранить до", day.keep_until.strftime("%d.%m.%Y") if day.keep_until else "—")]
    return "<table>" + "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
                               for k, v in rows) + "</table>\n"


def _part_section(day: DayView, part: Part, origin: str) -> str:
    audio_id = f"part{part.number}"
    src = urllib.parse.quote(part.file)
    marks = "".join(
        f"<li><button class=\"mark\" data-audio=\"{audio_id}\" data-time=\"{m.time_s:.3f}\">"
        f"{clock(m.time_s)} — {html.escape(m.shown_label)}</button></li>"
        for m in part.live_markers())
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
        f"<tr><th>Источник</th><td colspan=\"5\">{html.escape(origin)}</td></tr>"
        f"</table><audio id=\"{audio_id}\" controls preload=\"metadata\" src=\"{src}\"></audio>"
        f"<h3>Метки <span class=\"screen\">(нажмите, чтобы прослушать)</span></h3>"
        f"<ol class=\"marks\">{marks}</ol></div>\n")


def fingerprint_line(fingerprint: str) -> str:
    return ("<p>Ключ подписи устройства (отпечаток): "
            f"<span class=\"fingerprint\">{html.escape(fingerprint)}</span></p>\n")


_CHECK_SECTION = """<section id="check"><h2>Проверить файлы</h2>
<p>Проверка прямо в браузере, без интернета и без установки программ: выберите эту папку
аудитории (где лежит этот отчёт). Каждый файл будет прочитан и сверен с подписанным
манифестом (manifest.json), журналом дня и подписью устройства. Файлы никуда не отправляются.
Сравните показанный отпечаток ключа с отпечатком в акте передачи.</p>
<p><label>Папка аудитории: <input type="file" id="check-folder" webkitdirectory multiple>
</label></p>
<p id="check-summary"></p>
<table id="check-table" hidden><thead><tr><th>Файл</th><th>Итог</th></tr></thead>
<tbody></tbody></table>
<noscript><p class="bad">В браузере отключены скрипты: проверка здесь невозможна.
Используйте <code>appliance verify</code>.</p></noscript>
</section>
"""


def report_html(day: DayView, school_name: str = "", fingerprint: str = "",
                origin: dict[str, str] | None = None) -> bytes:
    title = f"Аудиозапись итогового собеседования — ОО {day.school}, аудитория {day.room}"
    body = [html_head(title, SCRIPTS), f"<h1>{html.escape(title)}</h1>",
            _site_table(day, school_name), fingerprint_line(fingerprint),
            "<p>Контрольные суммы всех файлов — в подписанном файле manifest.json и в "
            "SHA256SUMS (проверка: «Проверить файлы» ниже, <code>appliance verify</code> "
            "или <code>sha256sum -c SHA256SUMS</code>).</p>", _CHECK_SECTION]
    body += [_part_section(day, p, (origin or {}).get(p.file, ORIGIN_MASTER))
             for p in day.parts]
    body.append("</body></html>\n")
    return "".join(body).encode("utf-8")


_FILES_ROW = re.compile(r"<tr><td>\d+</td><td>([^<]*)</td><td>(\d+)</td>"
                        r"<td><code>([0-9a-f]{64})</code></td></tr>")


def parse_files_table(text: str) -> list[FileEntry]:
    """The files an act lists (`files_grid`'s rows), for `verify` to compare with the manifest."""
    return [FileEntry(html.unescape(name), int(size), sha)
            for name, size, sha in _FILES_ROW.findall(text)]


FILE_COLUMNS = [("№", "5%"), ("Файл", "30%"), ("Размер, байт", "12%"), ("SHA-256", "53%")]


def files_grid(files: list[FileEntry], end: str = "") -> str:
    """The files with sizes and SHA-256, `end` (the signatures) kept with the last rows."""
    rows = [[str(i), html.escape(f.name), str(f.bytes), f"<code>{f.sha256}</code>"]
            for i, f in enumerate(files, 1)]
    return paper.grid(FILE_COLUMNS, rows, end)


def handover_act(day: DayView, files: list[FileEntry], school_name: str = "",
                 fingerprint: str = "", *, unlisted: tuple[str, ...]) -> bytes:
    """Акт передачи: what left the room on this drive, with sizes and SHA-256.

    `files` are listed with their checksums; `unlisted` are the files written after the act
    (the seal: the key, SHA256SUMS, the signed manifest), named and counted too, so the count
    is the folder's.
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
                 act_name: str, signers: list[paper.Signer], what: str = "", *,
                 unlisted: tuple[str, ...], fingerprint: str = "") -> bytes:
    """An act of handing a folder over (see `handover_act`); `what` says what it holds."""
    total = sum(f.bytes for f in files)
    count = len(files) + 1 + len(unlisted)
    after = f"этот акт ({act_name})" + (
        f" и записанные после него {', '.join(unlisted)}" if unlisted else "")
    signed = fingerprint_line(fingerprint) if fingerprint else ""
    body = (paper.heading(title) + paper.fields(site)
            + (f"<p>{html.escape(what)}</p>" if what else "")
            + f"<p>Передано файлов: {count} — перечисленные ниже {len(files)} (общий объём "
            f"{total} байт), {html.escape(after)}. Контрольные суммы "
            f"файлов — в файле {html.escape(MANIFEST_NAME)}"
            + ("; весь пакет заверен подписью устройства" if fingerprint else "") + ".</p>"
            + signed + files_grid(files, paper.signatures(signers)))
    return paper.document(title, body)
