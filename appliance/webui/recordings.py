"""Recordings pages: days, parts, the player with its waveform, downloads and participant clips.

Everything is read through `appliance.contract.dayview` (never opening the evidence for
writing). A file is served only when its exact name is in the day's own listing (parts and
their sidecars from the journal) and it is a regular file, not a symlink, directly inside the
day folder: `..`, absolute paths, encoded slashes and planted symlinks all end in 404.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from flask import Blueprint, abort, jsonify, render_template, request, send_file

from appliance import i18n
from appliance.capture.wavfile import read_info
from appliance.contract.audit import AuditEvent
from appliance.contract.dayview import DayView, Part, load_day
from appliance.contract.layout import find_days
from appliance.errors import StateError, WavFormatError
from appliance.export.clips import participant_range, time_range, write_clip
from appliance.export.reports import clock
from appliance.webui import pagekit
from appliance.webui.localtime import local_time
from appliance.webui.waveform import available_frames, cached_peaks

bp = Blueprint("recordings", __name__)

MIMETYPES = {".wav": "audio/wav", ".mp3": "audio/mpeg", ".json": "application/json",
             ".txt": "text/plain"}
CLIP_FORMATS = ("wav", "mp3")

i18n.register({
    "rec.title": ("Записи", "Recordings"),
    "rec.no_days": ("Записей пока нет", "No recordings yet"),
    "rec.day": ("День", "Day"),
    "rec.parts": ("Части", "Parts"),
    "rec.part": ("Часть", "Part"),
    "rec.file": ("Файл", "File"),
    "rec.started": ("Начало", "Started"),
    "rec.duration": ("Длительность", "Duration"),
    "rec.size": ("Размер", "Size"),
    "rec.verdict": ("Заключение", "Verdict"),
    "rec.markers": ("Метки", "Markers"),
    "rec.alarms": ("Тревоги", "Alarms"),
    "rec.participants": ("Участников", "Participants"),
    "rec.open": ("Открыть", "Open"),
    "rec.play": ("Слушать", "Play"),
    "rec.download": ("Скачать", "Download"),
    "rec.recording_now": ("идёт запись", "being recorded"),
    "rec.verdict.ok": ("в норме", "OK"),
    "rec.verdict.remarks": ("замечания", "remarks"),
    "rec.verdict.open": ("запись не закрыта", "not closed yet"),
    "rec.clip": ("Фрагмент участника", "Participant clip"),
    "rec.clip.participant": ("Участник", "Participant"),
    "rec.clip.format": ("Формат", "Format"),
    "rec.clip.make": ("Скачать фрагмент", "Download the clip"),
    "rec.clip.none": ("В этот день участники не отмечены", "No participants marked this day"),
    "rec.range": ("Отрезок между метками", "Segment between two markers"),
    "rec.range.from": ("От метки", "From marker"),
    "rec.range.to": ("До метки", "To marker"),
    "rec.range.end": ("конец части", "end of the part"),
    "rec.player": ("Прослушивание", "Playback"),
    "rec.player.hint": ("Нажмите на метку, чтобы слушать с этого места, или на волну, "
                        "чтобы перейти к нему", "Click a marker to play from there, or the "
                        "waveform to jump there"),
    "rec.unit.gb": ("ГБ", "GB"), "rec.unit.mb": ("МБ", "MB"), "rec.unit.kb": ("кБ", "kB"),
    "rec.unit.b": ("Б", "B"),
    "rec.bad_format": ("Формат фрагмента «{value}» не поддерживается: wav или mp3",
                       "Clip format '{value}' is not supported: wav or mp3"),
    "rec.bad_number": ("Поле «{field}»: нужно число, получено «{value}»",
                       "Field '{field}': a number expected, got '{value}'"),
})


def _data_dir() -> Path:
    return pagekit.current_config().data_dir


def day_dir(date: str) -> Path:
    """The day folder named `date`, only when it is one of the listed day folders."""
    for path in find_days(_data_dir()):
        if path.name == date and not path.is_symlink():
            return path
    abort(404)


def open_day(date: str) -> DayView:
    return load_day(day_dir(date))


def day_file(day: DayView, name: str) -> Path:
    """A part or sidecar of `day` by its exact listed name, never anything else."""
    allowed = {p.file for p in day.parts}
    allowed |= {s.name for p in day.parts for s in day.sidecars(p)}
    if name not in allowed:
        abort(404)
    path = day.path / name
    if path.is_symlink() or not path.is_file() or path.resolve().parent != day.path.resolve():
        abort(404)
    return path


def part_verdict(day: DayView, part: Part) -> dict:
    """`{"status": ok|remarks|open, "text", "alarms": [codes]}` from the journal and summary."""
    summary = day.summary(part)
    codes = sorted({a.code for a in part.alarms} | set(summary.get("alarm_counts", {})))
    status = "open" if not part.sealed else "remarks" if codes else "ok"
    text = i18n.text(f"rec.verdict.{status}", pagekit.current_language())
    return {"status": status, "text": text, "alarms": codes}


def part_row(day: DayView, part: Part) -> dict:
    """What the tables and the player show about one part."""
    path = day.path / part.file
    size = path.stat().st_size if path.is_file() else 0
    duration_s = part.duration_s if part.frames is not None else _open_duration_s(path, part)
    return {
        "number": part.number, "file": part.file, "sealed": part.sealed,
        "started": local_time(part.opened_wall, pagekit.current_config(), "%H:%M:%S"),
        "duration_s": duration_s,
        "duration": clock(duration_s)[:8], "bytes": size, "size": human_size(size),
        "verdict": part_verdict(day, part),
        "markers": [{"time_s": m.time_s, "clock": clock(m.time_s), "kind": m.kind,
                     "label": m.shown_label, "participant": m.participant}
                    for m in part.live_markers()],
        "alarms": [{"code": a.code, "message": a.message} for a in part.alarms],
        "sidecars": [p.name for p in day.sidecars(part)],
    }


def _open_duration_s(path: Path, part: Part) -> float:
    """A part still being written: what its file holds so far."""
    try:
        return available_frames(read_info(path)) / part.rate_hz
    except (OSError, WavFormatError):
        return 0.0


def human_size(size: int) -> str:
    lang = pagekit.current_language()
    for unit, scale in (("gb", 10**9), ("mb", 10**6), ("kb", 10**3)):
        if size >= scale:
            return f"{i18n.decimal(size / scale, 1, lang)} {i18n.text(f'rec.unit.{unit}', lang)}"
    return f"{size} {i18n.text('rec.unit.b', lang)}"


def participants(day: DayView) -> list[dict]:
    """The recorded answers, as the journal's corrections say they are."""
    return [{"number": m.participant, "label": m.shown_label, "part": m.part,
             "clock": clock(m.time_s)} for m in day.segments()]


@bp.get("/recordings")
def days_page():
    days = []
    for path in reversed(find_days(_data_dir())):
        day = load_day(path)
        rows = [part_row(day, p) for p in day.parts]
        days.append({"date": path.name, "parts": rows, "school": day.school, "room": day.room,
                     "duration": clock(sum(r["duration_s"] for r in rows))[:8],
                     "size": human_size(sum(r["bytes"] for r in rows)),
                     "participants": len(participants(day)),
                     "remarks": any(r["verdict"]["status"] == "remarks" for r in rows)})
    return render_template("recordings.html", days=days)


@bp.get("/recordings/<date>")
def day_page(date: str):
    day = open_day(date)
    return render_template("day.html", date=date, day=day,
                           parts=[part_row(day, p) for p in day.parts],
                           participants=participants(day), formats=CLIP_FORMATS)


@bp.get("/recordings/<date>/part/<int:number>")
def part_page(date: str, number: int):
    day = open_day(date)
    try:
        part = day.part(number)
    except KeyError:
        abort(404)
    return render_template("part.html", date=date, day=day, part=part_row(day, part),
                           formats=CLIP_FORMATS)


@bp.get("/api/recordings/<date>/peaks/<int:number>")
def part_peaks(date: str, number: int):
    day = open_day(date)
    try:
        part = day.part(number)
    except KeyError:
        abort(404)
    path = day_file(day, part.file)
    return jsonify({"ok": True, **cached_peaks(path, pagekit.cache_dir("peaks"))})


@bp.get("/recordings/<date>/audio/<path:name>")
def part_audio(date: str, name: str):
    """The part for the <audio> element: Range requests, so seeking never loads the file."""
    path = day_file(open_day(date), name)
    return send_file(path, mimetype=MIMETYPES.get(path.suffix, "application/octet-stream"),
                     conditional=True, max_age=0)


@bp.get("/recordings/<date>/download/<path:name>")
def download(date: str, name: str):
    day = open_day(date)
    path = day_file(day, name)
    pagekit.audit(AuditEvent.DOWNLOAD, date=date, file=name, bytes=path.stat().st_size)
    mimetype = MIMETYPES.get(path.suffix, "application/octet-stream")
    return send_file(path, mimetype=mimetype, as_attachment=True, download_name=name,
                     conditional=True)


@bp.post("/recordings/<date>/clip")
def make_clip(date: str):
    """One participant's segment (or the segment between two markers) as WAV or MP3."""
    day = open_day(date)
    fmt = request.form.get("format", "wav")
    if fmt not in CLIP_FORMATS:
        raise StateError("rec.bad_format", value=fmt)
    if request.form.get("participant"):
        clip = participant_range(day, _int_field("participant"))
    else:
        part = _int_field("part")
        if part not in {p.number for p in day.parts}:
            abort(404)
        clip = time_range(day, part, _float_field("from_s"), _float_field("to_s"))
    cache = pagekit.cache_dir("clips")
    cache.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=cache))
    try:
        path = write_clip(day, clip, work, fmt, pagekit.current_config().export.mp3_bitrate)
        handle = open(path, "rb")  # noqa: SIM115 - send_file closes it after the response
    finally:
        shutil.rmtree(work)
    pagekit.audit(AuditEvent.CLIP_MADE, date=date, part=clip.part.number,
                  start_frame=clip.start_frame, end_frame=clip.end_frame, file=path.name)
    return send_file(handle, mimetype=MIMETYPES[path.suffix], as_attachment=True,
                     download_name=path.name)


def _int_field(name: str) -> int:
    value = request.form.get(name, "")
    try:
        return int(value)
    except ValueError:
        raise StateError("rec.bad_number", field=name, value=value) from None


def _float_field(name: str) -> float:
    value = request.form.get(name, "")
    try:
        return float(value)
    except ValueError:
        raise StateError("rec.bad_number", field=name, value=value) from None
