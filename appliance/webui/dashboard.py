"""The recording dashboard: state, elapsed time, part, file, meters, alarms, controls.

Meters and state reach the page as server-sent events from one shared status poller
(statushub); each event carries the recorder's `levels_time` and the server's `server_time`,
so the delay a browser sees can be measured. Controls go to the recorder's control socket;
its refusals come back with their Russian reason. The same socket gives the USB drive's state
and starts an export (`drive`, `export`), and presses the simulated examiner's button
(`button`, only when the recorder runs with simulated GPIO).
"""

from __future__ import annotations

import json
import time

from flask import Blueprint, Response, current_app, jsonify, render_template, request, session

from appliance import i18n
from appliance.contract.audit import AuditEvent
from appliance.contract.status import Status
from appliance.contract.vocabulary import (
    Action,
    ButtonAction,
    ClockSource,
    Command,
    DriveState,
    LedPattern,
)
from appliance.errors import ApplianceError, ControlError, StateError
from appliance.participants.flags import flag_text
from appliance.webui import auth, pagekit
from appliance.webui.access import audit
from appliance.webui.localtime import clock_source_text
from appliance.webui.pagekit import current_config, current_language, t
from appliance.webui.statushub import StatusHub
from appliance.webui.testwizard import sound_check_line
from appliance.webui.units import UNIT_CODES

bp = Blueprint("dashboard", __name__)

MAX_LABEL_CHARS = 200
KEEPALIVE_S = 10.0
MAX_STREAMS = 10  # each open stream holds a server thread (commands/web.py THREADS = 16)

i18n.register({
    "dash.title": ("Запись", "Recording"),
    "dash.state.idle": ("Готов", "Ready"),
    "dash.state.recording": ("Идёт запись", "Recording"),
    "dash.state.paused": ("Пауза", "Paused"),
    "dash.state.stopped": ("Остановлено", "Stopped"),
    "dash.state.unknown": ("Нет связи", "No connection"),
    "dash.state.not_configured": ("Не готов", "Not ready"),
    "dash.device_simulated": ("имитация микрофона (проверочный режим)",
                              "simulated microphone"),
    "dash.state.not_recording": ("Запись НЕ ИДЁТ", "NOT recording"),
    "dash.elapsed": ("Записано", "Recorded"),
    "dash.part": ("Часть", "Part"),
    "dash.file": ("Файл", "File"),
    "dash.participants": ("Участников отмечено", "Participants marked"),
    "dash.levels": ("Уровень", "Level"),
    "dash.channel": ("Канал {n}", "Channel {n}"),
    "dash.alarms": ("Предупреждения", "Alarms"),
    "dash.no_alarms": ("Нет", "None"),
    "dash.stale": ("Данные устарели {seconds} с: страница не получает состояние регистратора, "
                   "показанное может быть неверным",
                   "Data stale for {seconds} s: the page gets no status from the recorder, "
                   "what it shows may be wrong"),
    "dash.free": ("Свободно", "Free space"),
    "dash.hours_left": ("{hours} ч записи", "{hours} h of recording"),
    "dash.clock": ("Часы", "Clock"),
    "dash.mirror": ("Копия", "Safety copy"),
    "dash.clock_ok": ("в порядке ({source})", "OK ({source})"),
    "dash.clock_bad": ("не в порядке", "not trusted"),
    "dash.device": ("Микрофон", "Microphone"),
    "dash.device_missing": ("не подключён", "not connected"),
    "dash.start": ("Начать запись", "Start"),
    "dash.mark": ("Следующий участник", "Next participant"),
    "dash.mark_label": ("Метка (необязательно), не вводите ФИО: только номер участника",
                        "Marker label (optional), no names: the participant's number only"),
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
    "control.unreachable.hint": ("Подождите несколько секунд: служба перезапускается сама. "
                                 "Если сообщение не исчезает, перезагрузите регистратор; "
                                 "журнал — на странице «Система»",
                                 "Wait a few seconds: the service restarts by itself. If the "
                                 "message stays, restart the recorder; the log is on the "
                                 "System page"),
    "dash.label_too_long": ("Метка длиннее {max} символов", "The label is longer than {max} "
                            "characters"),
    "dash.refusal": ("Не выполнено", "Refused"),
    "dash.leds": ("Индикаторы", "LEDs"),
    "dash.led.red": ("красный", "red"),
    "dash.led.green": ("зелёный", "green"),
    "led.not_ready": ("Не готов", "Not ready"),
    "led.ready": ("Готов", "Ready"),
    "led.recording": ("Идёт запись", "Recording"),
    "led.paused": ("Пауза", "Paused"),
    "led.alarm": ("Тревога", "Alarm"),
    "led.export_running": ("Идёт выгрузка — не извлекать", "Exporting — do not remove"),
    "led.export_failed": ("Выгрузка не удалась", "Export failed"),
    "led.safe_to_remove": ("Накопитель можно извлечь", "Safe to remove the drive"),
    "led.fault": ("Нет связи с регистратором", "No connection to the recorder"),
    "led.not_recording": ("Запись не идёт!", "Not recording!"),
    "led.pressed": ("Кнопка нажата", "Button pressed"),
    "led.long_reached_idle": ("Кнопка нажата: отпустите — начнётся запись",
                              "Button held: release it and the recording starts"),
    "led.long_reached": ("Долгое нажатие: отпустить — пауза, держать 5 с — стоп",
                         "Long press: release to pause, hold 5 s to stop"),
    "led.refused": ("Нажатие не выполнено", "Press refused"),
    "dash.button": ("Кнопка экзаменатора (имитация)", "Examiner's button (simulated)"),
    "dash.button.help": ("Держите: коротко — старт / следующий участник / продолжить; "
                         "2 с — пауза; 5 с — завершить день",
                         "Hold: short — start / next participant / resume; 2 s — pause; "
                         "5 s — stop the day"),
    "dash.button_not_simulated": ("Кнопка экзаменатора не имитируется: регистратор работает "
                                  "с настоящей кнопкой ({detail})",
                                  "The examiner's button is not simulated: the recorder uses "
                                  "the real button ({detail})"),
    "dash.bad_button_action": ("Кнопка: действие «{action}» неизвестно",
                               "Button: unknown action '{action}'"),
    "dash.drive": ("USB-накопитель", "USB drive"),
    "dash.drive.absent": ("не подключён", "not connected"),
    "dash.drive.mounted": ("подключён ({device})", "connected ({device})"),
    "dash.drive.exporting": ("идёт выгрузка: {percent} % — не извлекать",
                             "exporting: {percent} % — do not remove"),
    "dash.drive.safe_to_remove": ("выгрузка проверена — накопитель можно извлечь",
                                  "export verified — the drive can be removed"),
    "dash.drive.failed": ("ошибка: {message}", "failed: {message}"),
    "dash.export": ("Выгрузить на USB-накопитель", "Export to the USB drive"),
    "dash.export_confirm": ("Выгрузить записи на подключённый USB-накопитель? Не извлекайте его, "
                            "пока не появится «можно извлечь».",
                            "Export the recordings to the connected USB drive? Do not remove "
                            "it until it says it is safe to remove."),
    "dash.export_started": ("Выгрузка начата", "Export started"),
    "dash.export.absent": ("Выгрузка не начата: USB-накопитель не подключён",
                           "Export not started: no USB drive connected"),
    "dash.export.absent.hint": ("Вставьте накопитель (FAT32, exFAT или ext4) и подождите, "
                                "пока он появится как «подключён»",
                                "Plug in a drive (FAT32, exFAT or ext4) and wait until it "
                                "shows as connected"),
    "dash.export.exporting": ("Выгрузка уже идёт", "An export is already running"),
    "dash.export.safe_to_remove": ("Выгрузка на этот накопитель уже завершена",
                                   "The export to this drive is already done"),
    "dash.export.safe_to_remove.hint": ("Извлеките накопитель и вставьте снова, чтобы "
                                        "выгрузить ещё раз", "Remove the drive and plug it in "
                                        "again to export once more"),
    "dash.export.mounted": ("Выгрузка не начата: накопитель не смонтирован",
                            "Export not started: the drive is not mounted"),
    "dash.export.failed": ("Выгрузка не начата: {message}", "Export not started: {message}"),
    "dash.flags": ("Проверка участников", "Participant check"),
    "dash.flags.current": ("Сейчас отвечает: участник {n}, {elapsed}",
                           "Answering now: participant {n}, {elapsed}"),
    "dash.flags.none": ("Замечаний нет", "No remarks"),
    "dash.flags.participant": ("Участник {n}", "Participant {n}"),
    "audit.ev.export_requested": ("выгрузка на USB запрошена", "USB export requested"),
    "audit.ev.simulated_button": ("кнопка экзаменатора (имитация)", "examiner's button "
                                  "(simulated)"),
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


@bp.app_context_processor
def drive_box():
    """`drive_texts()` for the drive box (templates/drive_box.html) on any page."""
    def drive_texts() -> dict:
        return {"states": {state: t(f"dash.drive.{state}", device="{device}",
                                    percent="{percent}", message="{message}")
                           for state in DriveState},
                "export_confirm": t("dash.export_confirm"),
                "export_started": t("dash.export_started")}
    return {"drive_texts": drive_texts}


@bp.route("/")
def index():
    sources = {source: clock_source_text(source, current_language()) for source in ClockSource}
    return render_template("dashboard.html", commands=list(Action), clock_sources=sources,
                           sound_check=sound_check_line(),
                           led_names={name: t(f"led.{name}")
                                      for name in (*LedPattern, "long_reached_idle")},
                           units={code: t(f"unit.{code}") for code in UNIT_CODES})


@bp.route("/api/status")
def status():
    reply = pagekit.recorder(Command.STATUS)
    reply["hours_left"] = Status.from_json(reply).recording_hours_left()
    return jsonify({"ok": True, **reply})


@bp.route("/api/control/<cmd>", methods=["POST"])
def control(cmd: str):
    if cmd not in set(Action):
        raise ApplianceError("dash.bad_command", cmd=cmd)
    body = request.get_json(silent=True) or {}
    args = {"source": "web"}
    label = str(body.get("label") or "").strip()
    if cmd == "mark" and label:
        if len(label) > MAX_LABEL_CHARS:
            raise ApplianceError("dash.label_too_long", max=MAX_LABEL_CHARS)
        args["label"] = label
    try:
        result = pagekit.recorder(cmd, **args)
    except ApplianceError as err:
        audit(AuditEvent.CONTROL, command=cmd, refused=err.code)
        raise
    audit(AuditEvent.CONTROL, command=cmd, **({"label": label} if "label" in args else {}))
    return jsonify({"ok": True, "result": result})


@bp.get("/api/button")
def button_info():
    """`simulated`: whether the recorder has the `button` command (simulated GPIO only). Asked
    with an empty action, which the command refuses without touching the button."""
    try:
        pagekit.recorder(Command.BUTTON, action="")
    except ApplianceError as err:
        if err.code == "control.unreachable":
            raise
        return jsonify({"ok": True, "simulated": err.code == "button.bad_action"})
    return jsonify({"ok": True, "simulated": True})


@bp.post("/api/button/<action>")
def button(action: str):
    """Press or release the simulated examiner's button (the recorder times the gesture)."""
    if action not in set(ButtonAction):
        raise ApplianceError("dash.bad_button_action", action=action)
    try:
        result = pagekit.recorder(Command.BUTTON, action=action, source="web")
    except ApplianceError as err:
        if err.code == "control.bad_request":  # the recorder has no such command
            raise StateError("dash.button_not_simulated", detail=err.message()) from err
        raise
    audit(AuditEvent.SIMULATED_BUTTON, action=action)
    return jsonify({"ok": True, "result": result})


@bp.get("/api/drive")
def drive():
    return jsonify({"ok": True, "drive": pagekit.recorder(Command.DRIVE)})


@bp.post("/api/drive/export")
def export():
    """Start an export onto the mounted drive now; a refusal says why, by the drive's state."""
    reply = pagekit.recorder(Command.EXPORT)
    audit(AuditEvent.EXPORT_REQUESTED, started=reply["started"], state=reply["state"],
          device=reply.get("device", ""))
    if not reply["started"]:
        raise StateError(f"dash.export.{reply['state']}", message=reply.get("message", ""))
    return jsonify({"ok": True, "drive": reply})


@bp.route("/api/events")
def events():
    """Server-sent events: one `data:` line of JSON per status poll, until the session ends."""
    hub, lang, expires = _hub(), current_language(), session.get("expires", 0)
    session_id = session.get("sid", "")
    if hub.watchers >= MAX_STREAMS:
        raise ControlError("dash.too_many_watchers", count=hub.watchers)

    def stream():
        seq = hub.watch()
        try:
            yield "retry: 1000\n\n"
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
        event.update(ok=True, status=_with_flag_texts(snapshot.status, lang))
    else:
        err = snapshot.error
        event.update(ok=False, error={"code": err.code, "text": err.message(lang),
                                      "hint": _hint(err, lang)})
    return json.dumps(event, ensure_ascii=False, separators=(",", ":"))


def _with_flag_texts(status: dict, lang: str) -> dict:
    """The status with each intro-check flag's `message` in the page language (the recorder
    writes them in its own); the shared snapshot itself is left as it is."""
    participant = status.get("participant")
    if not participant:
        return status
    current = participant.get("current")
    if not (participant.get("flagged") or (current and current.get("flags"))):
        return status

    def texts(flags: list[dict]) -> list[dict]:
        return [{**flag, "message": flag_text(flag, lang)} for flag in flags]

    flagged = [{**row, "flags": texts(row["flags"])} for row in participant.get("flagged", [])]
    if current:
        current = {**current, "flags": texts(current.get("flags") or [])}
    return {**status, "participant": {**participant, "flagged": flagged, "current": current}}
