"""The test-recording wizard: a few seconds from the participant's seat, then the examiner's,
each judged by the recorder (`test` control command), with every reason, a waveform and
playback of exactly what was recorded.

The recorder saves each step as `{data_dir}/tests/test_{stamp}_{seat}.wav`; only names listed
in that folder (regular files, no symlinks) are ever served.
"""

from __future__ import annotations

import re
from pathlib import Path

from flask import Blueprint, abort, jsonify, render_template, send_file

from appliance import i18n
from appliance.dsp import SEATS
from appliance.errors import StateError
from appliance.webui import pagekit
from appliance.webui.waveform import cached_peaks

bp = Blueprint("testwizard", __name__)

TEST_NAME_RE = re.compile(r"^test_[0-9_-]+_(participant|examiner)\.wav$")
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
})


def tests_dir() -> Path:
    return pagekit.config().data_dir / "tests"


def step_seconds() -> float:
    """Half of the configured test length for each seat (the config allows no less than 4 s)."""
    return pagekit.config().checks.test_duration_s / 2


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


def recent_tests() -> list[str]:
    folder = tests_dir()
    if not folder.is_dir():
        return []
    names = [p.name for p in folder.iterdir() if TEST_NAME_RE.match(p.name)]
    return sorted(names, reverse=True)[:RECENT]


@bp.get("/test")
def test_page():
    return render_template("test.html", seats=SEATS, seconds=f"{step_seconds():g}",
                           recent=recent_tests())


@bp.post("/api/test/<seat>")
def run_step(seat: str):
    """Record one seat and return the recorder's verdict (blocks for the recording)."""
    if seat not in SEATS:
        raise StateError("tst.bad_seat", seat=seat)
    seconds = step_seconds()
    result = pagekit.recorder("test", timeout_s=seconds + ANSWER_MARGIN_S, seat=seat,
                              seconds=seconds, source="web")
    name = Path(result["file"]).name
    return jsonify({"ok": True, "seat": result["seat"], "name": name,
                    "verdict": result["verdict"], "overall": result["overall"]})


@bp.get("/test/audio/<path:name>")
def test_audio(name: str):
    return send_file(test_file(name), mimetype="audio/wav", conditional=True, max_age=0)


@bp.get("/api/test/peaks/<path:name>")
def test_peaks(name: str):
    return jsonify({"ok": True, **cached_peaks(test_file(name),
                                               pagekit.cache_dir("peaks"))})
