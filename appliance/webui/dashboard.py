"""The recording dashboard: state, elapsed time, part, file, meters, alarms, controls.

Meters and state reach the page as server-sent events from one shared status poller
(statushub); each event carries the recorder's `levels_time` and the server's `server_time`,
so the delay a browser sees can be measured. Controls go to the recorder's control socket;
its refusals come back with their Russian reason.
"""

from __future__ import annotations

import json
import time

from flask import Blueprint, Response, current_app, jsonify, render_template, request, session

from appliance import i18n
from appliance.errors import ApplianceError, ControlError
from appliance.webui import auth, recorder_link
from appliance.webui.access import WebEvent, audit
from appliance.webui.app import current_config, current_language, t
from appliance.webui.statushub import StatusHub, hours_left

bp = Blueprint("dashboard", __name__)

CONTROL_COMMANDS = ("start", "mark", "pause", "resume", "stop")
MAX_LABEL_CHARS = 200
KEEPALIVE_S = 10.0
MAX_STREAMS = 10  # each open stream holds a server thread (commands/web.py THREADS = 16)
CLOCK_SOURCES = ("ntp", "rtc", "browser", "unknown")

i18n.register({
    "dash.title": ("Запись", "Recording"),
    "dash.state.idle": ("Готов", "Ready"),
    "dash.state.recording": ("Идёт запись", "Recording"),
    "dash.state.paused": ("Пауза", "Paused"),
    "dash.state.stopped": ("Остановлено", "Stopped"),
    "dash.state.unknown": ("Нет связи", "No connection"),
    "dash.elapsed": ("Записано", "Recorded"),
    "dash.part": ("Часть", "Part"),
    "dash.file": ("Файл", "File"),
    "dash.participants": ("Участников отмечено", "Participants marked"),
    "dash.levels": ("Уровень", "Level"),
    "dash.channel": ("Канал {n}", "Channel {n}"),
    "dash.alarms": ("Предупреждения", "Alarms"),
    "dash.no_alarms": ("Нет", "None"),
    "dash.free": ("Свободно", "Free space"),
    "dash.hours_left": ("{hours} ч записи", "{hours} h of recording"),
    "dash.clock": ("Часы", "Clock"),
    "dash.clock_ok": ("в порядке ({source})", "OK ({source})"),
    "dash.clock_bad": ("не в порядке", "not trusted"),
    "dash.device": ("Микрофон", "Microphone"),
    "dash.device_missing": ("не подключён", "not connected"),
    "dash.start": ("Начать запись", "Start"),
    "dash.mark": ("Следующий участник", "Next participant"),
    "dash.mark_label": ("Метка (необязательно), например номер участника",
                        "Label (optional), e.g. the participant's number"),
    "dash.pause": ("Пауза", "Pause"),
    "dash.resume": ("Продолжить", "Resume"),
    "dash.stop": ("Завершить день", "Stop"),
    "dash.stop_confirm": ("Завершить запись на сегодня? Файлы будут закрыты.",
                          "Stop today's recording? The files will be closed."),
    "dash.done": ("Выполнено: {what}", "Done: {what}"),
    "dash.not_configured": ("Не заданы коды места проведения — откройте «Настройки»",
                            "The site codes are not set — open Settings"),
    "dash.bad_command": ("Неизвестная команда «{cmd}»", "Unknown command '{cmd}'"),
    "dash.too_many_watchers": ("Слишком много открытых страниц записи ({count})",
                               "Too many recording pages are open ({count})"),
    "dash.too_many_watchers.hint": ("Закройте лишние вкладки или устройства",
                                    "Close the extra tabs or devices"),
    "dash.clock_source.ntp": ("по сети (NTP)", "network (NTP)"),
    "dash.clock_source.rtc": ("по часам платы (RTC)", "the board's clock (RTC)"),
    "dash.clock_source.browser": ("установлены из браузера", "set from a browser"),
    "dash.clock_source.unknown": ("источник неизвестен", "source unknown"),
    "control.unreachable.hint": ("Подождите несколько секунд: служба перезапускается сама. "
                                 "Если сообщение не исчезает, перезагрузите регистратор; "
                                 "журнал — на странице «Система»",
                                 "Wait a few seconds: the service restarts by itself. If the "
                                 "message stays, restart the recorder; the log is on the "
                                 "System page"),
    "dash.label_too_long": ("Метка длиннее {max} символов", "The label is longer than {max} "
                            "characters"),
})


def _hub() -> StatusHub:
    hub = current_app.extensions.get("appliance.status_hub")
    if hub is None:
        app = current_app._get_current_object()

        def socket_path():
            with app.app_context():
                return current_config().recording.socket_path()
        hub = current_app.extensions.setdefault("appliance.status_hub", StatusHub(socket_path))
    return hub


@bp.route("/")
def index():
    sources = {source: t(f"dash.clock_source.{source}") for source in CLOCK_SOURCES}
    return render_template("dashboard.html", commands=CONTROL_COMMANDS, clock_sources=sources)


@bp.route("/api/status")
def status():
    reply = recorder_link.call("status")
    reply["hours_left"] = hours_left(reply)
    return jsonify({"ok": True, **reply})


@bp.route("/api/control/<cmd>", methods=["POST"])
def control(cmd: str):
    if cmd not in CONTROL_COMMANDS:
        raise ApplianceError("dash.bad_command", cmd=cmd)
    body = request.get_json(silent=True) or {}
    args = {"source": "web"}
    label = str(body.get("label") or "").strip()
    if cmd == "mark" and label:
        if len(label) > MAX_LABEL_CHARS:
            raise ApplianceError("dash.label_too_long", max=MAX_LABEL_CHARS)
        args["label"] = label
    try:
        result = recorder_link.call(cmd, **args)
    except ApplianceError as err:
        audit(WebEvent.CONTROL, command=cmd, refused=err.code)
        raise
    audit(WebEvent.CONTROL, command=cmd, **({"label": label} if "label" in args else {}))
    return jsonify({"ok": True, "result": result})


@bp.route("/api/events")
def events():
    """Server-sent events: one `data:` line of JSON per status poll, until the session ends."""
    hub, lang, expires = _hub(), current_language(), session.get("expires", 0)
    session_id = session.get("sid", "")
    if hub.watchers >= MAX_STREAMS:
        raise ControlError("dash.too_many_watchers", count=hub.watchers)

    def stream():
        hub.watch()
        try:
            yield "retry: 1000\n\n"
            seq = 0
            while time.time() < expires and not auth.revoked(session_id):
                snapshot = hub.next_after(seq, KEEPALIVE_S)
                if snapshot is None:
                    yield ": keepalive\n\n"
                    continue
                seq = snapshot.seq
                yield f"data: {_event_json(snapshot, lang)}\n\n"
        finally:
            hub.unwatch()

    return Response(stream(), mimetype="text/event-stream",
                    headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


def _hint(err: ApplianceError, lang: str) -> str:
    try:
        return i18n.text(f"{err.code}.hint", lang, **err.params)
    except KeyError:
        return ""


def _event_json(snapshot, lang: str) -> str:
    event = {"seq": snapshot.seq, "server_time": snapshot.server_time}
    if snapshot.error is None:
        event.update(ok=True, status=snapshot.status)
    else:
        err = snapshot.error
        event.update(ok=False, error={"code": err.code, "text": err.message(lang),
                                      "hint": _hint(err, lang)})
    return json.dumps(event, ensure_ascii=False, separators=(",", ":"))
