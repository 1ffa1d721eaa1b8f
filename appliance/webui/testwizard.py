"""The test-recording wizard: a few seconds from the participant's seat, then the examiner's,
each judged by the recorder (`test` control command), with every reason, a waveform and
playback of exactly what was recorded.

The recorder saves each step in `{data_dir}/tests/` with its verdict beside it (named and
read back by `appliance.contract.soundtest_files`), so the page shows the last test again after
a reload and the dashboard says when the sound check passed. Only names listed in that folder
(regular files, no symlinks) are ever served.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import Blueprint, abort, jsonify, render_template, send_file

from appliance import i18n
from appliance.contract import soundtest_files
from appliance.contract.soundtest_files import TEST_NAME_RE, recorded_at
from appliance.contract.vocabulary import SEATS, Command
from appliance.errors import StateError
from appliance.webui import pagekit
from appliance.webui.waveform import cached_peaks

bp = Blueprint("testwizard", __name__)

RECENT = 6
ANSWER_MARGIN_S = 60.0
"""The recorder answers after the recording plus its analysis; allow this much for the latter."""

i18n.register({
    "tst.title": ("Пробная запись", "Test recording"),
    "tst.intro": ("Проверка микрофона перед экзаменом: по {seconds} с с каждого места. "
                  "Во время записи говорите обычным голосом, например считайте вслух.",
                  "A microphone check before the exam: {seconds} s from each seat. "
                  "Speak normally while it records, e.g. count aloud."),
    "tst.step.participant": ("Шаг 1. Место участника", "Step 1. The participant's seat"),
    "tst.step.examiner": ("Шаг 2. Место экзаменатора", "Step 2. The examiner's seat"),
    "tst.do.participant": ("Сядьте на место участника и нажмите «Записать»",
                           "Sit in the participant's seat and press 'Record'"),
    "tst.do.examiner": ("Теперь сядьте на место экзаменатора и нажмите «Записать»",
                        "Now sit in the examiner's seat and press 'Record'"),
    "tst.record": ("Записать", "Record"),
    "tst.recording": ("Идёт запись… говорите", "Recording… speak now"),
    "tst.overall": ("Итог проверки", "Overall result"),
    "tst.reason.code": ("Проверка", "Check"),
    "tst.reason.value": ("Измерено", "Measured"),
    "tst.reason.threshold": ("Порог", "Threshold"),
    "tst.reason.text": ("Что не так", "What is wrong"),
    "tst.reason.hint": ("Что сделать", "What to do"),
    "tst.no_reasons": ("Замечаний нет", "No remarks"),
    "tst.again": ("Повторить проверку", "Repeat the test"),
    "tst.recent": ("Предыдущие пробные записи", "Earlier test recordings"),
    "tst.bad_seat": ("Неизвестное место «{seat}»", "Unknown seat '{seat}'"),
    "tst.recent.name": ("{seat}, {date} в {time}", "{seat}, {date} at {time}"),
    "tst.seat.participant": ("Место участника", "The participant's seat"),
    "tst.seat.examiner": ("Место экзаменатора", "The examiner's seat"),
    "tst.figures": ("Измерения", "Measurements"),
    "tst.fig.channel": ("Канал", "Channel"),
    "tst.fig.speech": ("Уровень речи", "Speech level"),
    "tst.fig.noise": ("Шум", "Noise floor"),
    "tst.fig.snr": ("Речь/шум", "Speech/noise"),
    "tst.fig.hum": ("Сетевой фон", "Mains hum"),
    "tst.fig.clipping": ("Перегрузка", "Clipping"),
    "tst.fig.no_hum": ("нет", "none"),
    "tst.meter": ("Уровень сейчас", "Level now"),
    "tst.last": ("Последняя проверка: {date} в {time}", "Last test: {date} at {time}"),
    "tst.dash.pass": ("Проверка звука пройдена в {time}", "Sound check passed at {time}"),
    "tst.dash.fail": ("Проверка звука не пройдена ({time})", "Sound check failed ({time})"),
    "tst.dash.none": ("Проверка звука сегодня не проводилась", "No sound check today"),
})


def tests_dir() -> Path:
    return pagekit.current_config().data_dir / "tests"


def step_seconds() -> float:
    """Half of the configured test length for each seat (the config allows no less than 4 s)."""
    return pagekit.current_config().checks.test_duration_s / 2


def test_file(name: str) -> Path:
    """A test recording by its exact listed name, never anything else."""
    folder = tests_dir()
    listed = {p.name for p in folder.iterdir()} if folder.is_dir() else set()
    if not TEST_NAME_RE.match(name) or name not in listed:
        abort(404)
    path = folder / name
    if path.is_symlink() or not path.is_file():
        abort(404)
    return path


def display_name(name: str) -> str:
    """«Место участника, 05.12.2026 в 08:12:03» for test_2026-12-05_081203_participant.wav."""
    when, seat = recorded_at(name), soundtest_files.seat_of(name)
    return i18n.text("tst.recent.name", seat=i18n.text(f"tst.seat.{seat}"),
                     date=when.strftime("%d.%m.%Y"), time=when.strftime("%H:%M:%S"))


def recent_tests() -> list[dict]:
    return [{"name": name, "title": display_name(name)}
            for name in soundtest_files.names(tests_dir())[:RECENT]]


def last_test() -> dict | None:
    """The newest judged step with the steps it was judged with: what the page shows again
    after a reload."""
    last = soundtest_files.last_test(tests_dir())
    if last is None:
        return None
    return {"steps": last.steps, "overall": last.overall,
            "title": i18n.text("tst.last", date=last.recorded_at.strftime("%d.%m.%Y"),
                               time=last.recorded_at.strftime("%H:%M"))}


def sound_check_line(today: dt.date | None = None) -> str:
    """The dashboard's line: when today's sound check (both seats) passed, or that it failed
    or was not run today."""
    today = today or dt.date.today()
    folder = tests_dir()
    for name in soundtest_files.names(folder):
        when = recorded_at(name)
        if when.date() != today:
            break
        overall = (soundtest_files.saved_result(folder, name) or {}).get("overall")
        if overall:
            key = "tst.dash.fail" if overall["status"] == "fail" else "tst.dash.pass"
            return i18n.text(key, time=when.strftime("%H:%M"))
    return i18n.text("tst.dash.none")


@bp.get("/test")
def test_page():
    return render_template("test.html", seats=SEATS, seconds=f"{step_seconds():g}",
                           recent=recent_tests())


@bp.get("/api/test/last")
def last_result():
    return jsonify({"ok": True, "last": last_test(), "recent": recent_tests()})


@bp.post("/api/test/<seat>")
def run_step(seat: str):
    """Record one seat and return the recorder's verdict (blocks for the recording)."""
    if seat not in SEATS:
        raise StateError("tst.bad_seat", seat=seat)
    seconds = step_seconds()
    result = pagekit.recorder(Command.TEST, timeout_s=seconds + ANSWER_MARGIN_S, seat=seat,
                              seconds=seconds, source="web")
    name = Path(result["file"]).name
    return jsonify({"ok": True, "seat": result["seat"], "name": name,
                    "verdict": result["verdict"], "overall": result["overall"],
                    "recent": recent_tests()})


@bp.get("/test/audio/<path:name>")
def test_audio(name: str):
    return send_file(test_file(name), mimetype="audio/wav", conditional=True, max_age=0)


@bp.get("/api/test/peaks/<path:name>")
def test_peaks(name: str):
    return jsonify({"ok": True, **cached_peaks(test_file(name),
                                               pagekit.cache_dir("peaks"))})
