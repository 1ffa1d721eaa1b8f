"""Settings page: site codes, naming with a live file-name preview, pause mode, microphone,
sample rate, and setting the recorder's clock from the browser.

Every value goes through `appliance.config`'s own validators, so the page accepts exactly what
the config file accepts; errors are shown next to their field and nothing is written unless
every field is valid (config.save replaces the file atomically). After saving, the running
recorder is told to reload it (`reload_config`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import Blueprint, jsonify, render_template, request

from appliance import config as config_mod
from appliance import i18n, naming
from appliance.contract.audit import AuditEvent
from appliance.contract.vocabulary import Command
from appliance.errors import ApplianceError, ConfigError, ControlError
from appliance.webui import pagekit
from appliance.webui.localtime import DATE_TIME_SECONDS, clock_source_text, local_time

bp = Blueprint("settings", __name__)

RATES_HZ = (44100, 48000)

i18n.register({
    "set.title": ("Настройки", "Settings"),
    "set.site": ("Место проведения", "Site"),
    "set.site.region": ("Код региона", "Region code"),
    "set.site.msu": ("Код МСУ", "Municipality (МСУ) code"),
    "set.site.school": ("Код ОО", "School code"),
    "set.site.room": ("Номер аудитории", "Room number"),
    "set.recording.naming": ("Имена файлов", "File names"),
    "set.recording.naming.cyrillic": ("кириллица (ОО, ауд, часть)", "Cyrillic (ОО, ауд, часть)"),
    "set.recording.naming.ascii": ("латиница (OO, room, part)", "Latin (OO, room, part)"),
    "set.recording.pause_mode": ("Пауза", "Pause"),
    "set.recording.pause_mode.split": ("после паузы — новая часть",
                                       "a new part after each pause"),
    "set.recording.pause_mode.continue": ("после паузы — та же часть",
                                          "the same part goes on after a pause"),
    "set.audio.device": ("Микрофон", "Microphone"),
    "set.audio.rate": ("Частота дискретизации, Гц", "Sample rate, Hz"),
    "set.preview": ("Имя файла первой части сегодня", "Today's first part will be named"),
    "set.save": ("Сохранить", "Save"),
    "set.saved": ("Настройки сохранены и переданы регистратору",
                  "Settings saved and passed to the recorder"),
    "set.saved_offline": ("Настройки сохранены. Регистратор сейчас не отвечает и применит их "
                          "при запуске", "Settings saved. The recorder does not answer now; "
                          "it applies them when it starts"),
    "set.unchanged": ("Изменений нет", "Nothing changed"),
    "set.invalid": ("Настройки не сохранены: исправьте отмеченные поля",
                    "Settings not saved: correct the marked fields"),
    "set.invalid.hint": ("Сообщение об ошибке — рядом с полем", "The message is next to the field"),
    "set.required": ("{label}: заполните поле", "{label}: this field is required"),
    "set.digits": ("{label}: нужно ровно {length} {digits}, например {example}; введено «{value}»",
                   "{label}: exactly {length} digits, e.g. {example}; entered '{value}'"),
    "set.number": ("{label}: нужно целое число; введено «{value}»",
                   "{label}: a whole number is needed; entered '{value}'"),
    "set.range": ("{label}: нужно число от {low} до {high}; введено «{value}»",
                  "{label}: a number from {low} to {high}; entered '{value}'"),
    "set.choice": ("{label}: выберите одно из предложенных значений",
                   "{label}: pick one of the offered values"),
    "set.devices_unavailable": ("Список микрофонов недоступен: {error}",
                                "The microphone list is unavailable: {error}"),
    "set.device.default": ("по умолчанию", "system default"),
    "set.clock": ("Часы регистратора", "Recorder clock"),
    "set.clock.ok": ("время надёжно", "time is trusted"),
    "set.clock.bad": ("время не подтверждено", "time is not trusted"),
    "set.clock.source": ("источник", "source"),
    "set.clock.set": ("Установить время по этому браузеру", "Set the clock from this browser"),
    "set.clock.done": ("Часы установлены: {now}", "Clock set: {now}"),
    "set.clock.unknown": ("Состояние часов неизвестно: {error}", "Clock status unknown: {error}"),
    "set.clock.bad_time": ("Браузер не передал время", "The browser sent no time"),
})


@dataclass(frozen=True)
class Field:
    section: str
    key: str
    required: bool = False
    number: bool = False

    @property
    def name(self) -> str:
        return f"{self.section}.{self.key}"


FIELDS = (
    Field("site", "region", required=True), Field("site", "msu", required=True),
    Field("site", "school", required=True), Field("site", "room", required=True),
    Field("recording", "naming"), Field("recording", "pause_mode"),
    Field("audio", "device", required=True), Field("audio", "rate", number=True),
)
FIELD_BY_NAME = {f.name: f for f in FIELDS}


def field_error(field: Field, raw: object, lang: str) -> tuple[object, str | None]:
    """(normalised value, None) or (None, a Russian/English message naming the field)."""
    label = i18n.text(f"set.{field.name}", lang)
    value = raw.strip() if isinstance(raw, str) else raw
    if field.required and value in ("", None):
        return None, i18n.text("set.required", lang, label=label)
    if field.number and isinstance(value, str) and value.isdigit():
        value = int(value)
    try:
        return config_mod.validate_field(field.section, field.key, value), None
    except ConfigError as err:
        return None, _message(err, label, lang)


def _message(err: ConfigError, label: str, lang: str) -> str:
    params = dict(err.params)
    if err.code == "config.digits":
        params["digits"] = i18n.plural_ru(int(params["length"]), "цифра", "цифры", "цифр")
    key = {"config.digits": "set.digits", "config.type": "set.number",
           "config.range": "set.range", "config.choice": "set.choice"}.get(err.code)
    return i18n.text(key, lang, label=label, **params) if key else err.message(lang)


def check_form(values: dict) -> tuple[dict, dict]:
    """({field name: valid value}, {field name: message}) for the fields present."""
    lang = pagekit.current_language()
    good, errors = {}, {}
    for name, raw in values.items():
        field = FIELD_BY_NAME.get(name)
        if field is None:
            continue
        value, error = field_error(field, raw, lang)
        if error:
            errors[name] = error
        else:
            good[name] = value
    return good, errors


def preview_name(values: dict, today: dt.date) -> str:
    """The exact file name of today's first part for the typed values."""
    return naming.part_filename(today, values["site.school"], values["site.room"], 1,
                                values["recording.naming"])


def devices() -> tuple[list[dict], str | None]:
    """Input devices the recorder's PortAudio lists, or an error text when it cannot say."""
    try:
        return list(pagekit.recorder(Command.DEVICES)), None
    except ApplianceError as err:
        return [], i18n.text("set.devices_unavailable", pagekit.current_language(),
                             error=err.message(pagekit.current_language()))


def current_values(config: config_mod.Config) -> dict:
    return {f.name: getattr(getattr(config, f.section), f.key) for f in FIELDS}


@bp.get("/settings")
def settings_page():
    config = pagekit.current_config()
    found, devices_error = devices()
    return render_template("settings.html", values=current_values(config), devices=found,
                           devices_error=devices_error, rates=RATES_HZ,
                           namings=("cyrillic", "ascii"), pause_modes=("split", "continue"))


@bp.get("/api/settings/preview")
def settings_preview():
    """The file name for the values being typed, or the messages of the fields it needs."""
    config = pagekit.current_config()
    values = {**current_values(config), **request.args.to_dict()}
    wanted = {n: values[n] for n in ("site.school", "site.room", "recording.naming")}
    good, errors = check_form(wanted)
    if errors:
        return jsonify({"ok": True, "file": None, "fields": errors})
    return jsonify({"ok": True, "file": preview_name(good, dt.date.today()), "fields": {}})


@bp.post("/api/settings")
def settings_save():
    body = request.get_json(silent=True) or {}
    good, errors = check_form({n: body[n] for n in FIELD_BY_NAME if n in body})
    lang = pagekit.current_language()
    if errors:
        error = {"code": "set.invalid", "text": i18n.text("set.invalid", lang),
                 "hint": i18n.text("set.invalid.hint", lang)}
        return jsonify({"ok": False, "fields": errors, "error": error}), 400
    path = pagekit.config_path()
    config = config_mod.load(path)
    changes = {}
    for name, value in good.items():
        field = FIELD_BY_NAME[name]
        section = getattr(config, field.section)
        old = getattr(section, field.key)
        if old != value:
            changes[name] = [old, value]
    if not changes:
        return jsonify({"ok": True, "changed": {}, "message": i18n.text("set.unchanged", lang)})
    config_mod.save_changes({name: new for name, (_, new) in changes.items()}, path)
    pagekit.audit(AuditEvent.SETTINGS_CHANGED, changes=changes)
    message, applied = i18n.text("set.saved", lang), True
    try:
        pagekit.recorder(Command.RELOAD_CONFIG, source="web")
    except ControlError:  # saved; the recorder reads the file when it starts
        message, applied = i18n.text("set.saved_offline", lang), False
    except ApplianceError as err:  # saved; refused during a day (says so itself)
        message, applied = err.message(lang), False
    return jsonify({"ok": True, "changed": changes, "applied": applied, "message": message})


def clock_view(clock: dict) -> dict:
    """The recorder's clock with what the page shows: local time, source in words."""
    source = clock_source_text(str(clock.get("source", "")), pagekit.current_language())
    return {**clock, "source_text": source,
            "now_local": local_time(clock.get("now", ""), pagekit.current_config(),
                                    DATE_TIME_SECONDS)}


@bp.get("/api/clock")
def clock_status():
    return jsonify({"ok": True, "clock": clock_view(pagekit.recorder(Command.STATUS)["clock"])})


@bp.post("/api/clock")
def clock_set():
    """Set the recorder's clock to the browser's time (the technician's laptop or phone)."""
    body = request.get_json(silent=True) or {}
    epoch_s = body.get("epoch_s")
    if isinstance(epoch_s, bool) or not isinstance(epoch_s, (int, float)):
        raise ConfigError("set.clock.bad_time")
    result = pagekit.recorder(Command.SET_CLOCK, epoch_s=float(epoch_s), source="browser")
    pagekit.audit(AuditEvent.CLOCK_SET, epoch_s=float(epoch_s), now=result.get("now"))
    clock = clock_view(result)
    return jsonify({"ok": True, "clock": clock,
                    "message": i18n.text("set.clock.done", pagekit.current_language(),
                                         now=clock["now_local"])})
