"""The audit journal as the technician reads it: kinds to filter by, events and details in
words, times in local time. The journal keeps its machine names and values; only this page
turns them into sentences.
"""

from __future__ import annotations

from appliance import i18n
from appliance.contract import vocabulary  # noqa: F401 - the command names (session.action.*)
from appliance.journal import Entry
from appliance.webui.localtime import local_date, local_time

KINDS = {
    "access": ("login", "login_failed", "login_blocked", "logout", "password_set",
               "password_changed"),
    "recording": ("recorder_control", "simulated_button", "press_refused", "clock_set"),
    "data": ("settings_changed", "roster_imported", "roster_saved"),
    "files": ("download", "clip_made", "export_requested", "exported", "export_failed"),
    "deletion": ("purge_requested", "purge_started", "purged", "roster_purged"),
}
KIND_OF = {event: kind for kind, events in KINDS.items() for event in events}

i18n.register({
    "audit.kind": ("Показать", "Show"),
    "audit.kind.all": ("все записи", "all entries"),
    "audit.kind.access": ("входы и пароль", "logins and password"),
    "audit.kind.recording": ("управление записью", "recording control"),
    "audit.kind.data": ("настройки и списки участников", "settings and rosters"),
    "audit.kind.files": ("скачивание и выгрузка", "downloads and exports"),
    "audit.kind.deletion": ("удаление", "deletion"),
    "audit.kind.other": ("прочее", "other"),
    "audit.ev.password_changed": ("пароль изменён", "password changed"),
    "audit.ev.roster_imported": ("загружен список участников", "roster imported"),
    "audit.ev.roster_saved": ("изменён список участников", "roster edited"),
    "audit.ev.press_refused": ("нажатие кнопки отклонено", "button press refused"),
    "audit.ev.other": ("событие «{event}»", "event '{event}'"),
    "audit.key.source": ("кто", "by"),
    "audit.key.remote": ("адрес", "address"),
    "audit.key.address": ("адрес", "address"),
    "audit.key.failed": ("неверных паролей", "wrong passwords"),
    "audit.key.setup_code": ("неверных кодов первого входа", "wrong setup codes"),
    "audit.key.blocked": ("отклонено блокировкой", "refused by the lockout"),
    "audit.key.window_s": ("за период, с", "within, s"),
    "audit.key.command": ("команда", "command"),
    "audit.key.refused": ("отказ", "refused"),
    "audit.key.label": ("подпись метки", "marker label"),
    "audit.key.action": ("действие", "action"),
    "audit.key.code": ("причина", "reason"),
    "audit.key.message": ("сообщение", "message"),
    "audit.key.changes": ("изменения", "changes"),
    "audit.key.date": ("день", "day"),
    "audit.key.dates": ("дни", "days"),
    "audit.key.file": ("файл", "file"),
    "audit.key.files": ("файлов", "files"),
    "audit.key.bytes": ("размер, байт", "size, bytes"),
    "audit.key.count": ("человек", "people"),
    "audit.key.part": ("часть", "part"),
    "audit.key.start_frame": ("с отсчёта", "from sample"),
    "audit.key.end_frame": ("по отсчёт", "to sample"),
    "audit.key.epoch_s": ("время браузера", "browser time"),
    "audit.key.now": ("время устройства", "box time"),
    "audit.key.confirmed": ("подтверждено", "confirmed"),
    "audit.key.started": ("начата", "started"),
    "audit.key.state": ("состояние накопителя", "drive state"),
    "audit.key.device": ("накопитель", "drive"),
    "audit.key.dest": ("куда", "to"),
    "audit.key.rooms": ("аудиторий", "rooms"),
    "audit.key.error": ("ошибка", "error"),
    "audit.key.path": ("страница", "page"),
    "audit.key.participant": ("участник", "participant"),
    "audit.refused_generic": ("команда не выполнена", "the command was refused"),
    "audit.button.press": ("нажата", "pressed"),
    "audit.button.release": ("отпущена", "released"),
    "audit.yes": ("да", "yes"),
    "audit.no": ("нет", "no"),
    "audit.who.web": ("веб-страница", "web page"),
    "audit.who.cli": ("консоль", "console"),
    "audit.who.button": ("кнопка экзаменатора", "examiner's button"),
    "audit.who.recorder": ("регистратор", "recorder"),
    "audit.who.auto": ("автоматически", "automatically"),
})


def event_text(event: str, lang: str) -> str:
    try:
        return i18n.text(f"audit.ev.{event}", lang)
    except KeyError:
        return i18n.text("audit.ev.other", lang, event=event)


def _value(key: str, value: object, lang: str, config) -> str:
    if isinstance(value, bool):
        return i18n.text("audit.yes" if value else "audit.no", lang)
    if key in ("epoch_s", "now") and isinstance(value, int | float | str):
        return local_time(value, config, "%d.%m.%Y %H:%M:%S") or str(value)
    if key in ("date", "dates"):
        values = value if isinstance(value, list) else [value]
        return ", ".join(local_date(str(v)) for v in values)
    if key == "command":
        return _text_or(f"session.action.{value}", lang, value)
    if key == "action":
        return _text_or(f"audit.button.{value}", lang, value)
    if key in ("refused", "code"):
        return _text_or(str(value), lang, i18n.text("audit.refused_generic", lang))
    if key == "source":
        try:
            return i18n.text(f"audit.who.{value}", lang)
        except KeyError:
            return str(value)
    if key in ("files", "rooms") and isinstance(value, list):
        return str(len(value))
    if key == "changes" and isinstance(value, dict):
        return "; ".join(f"{name}: {_plain(pair[0])} → {_plain(pair[1])}"
                         if isinstance(pair, list) and len(pair) == 2 else f"{name}: {pair}"
                         for name, pair in value.items())
    if key == "error" and isinstance(value, dict):
        return str(value.get("message") or value.get("code") or "")
    return _plain(value)


def _text_or(key: str, lang: str, fallback: object) -> str:
    """The message `key` when it exists and needs no parameters, else `fallback`."""
    try:
        return i18n.text(key, lang)
    except (KeyError, IndexError):
        return str(fallback)


def _plain(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_plain(v)}" for k, v in value.items())
    return "" if value is None else str(value)


def details(data: dict, lang: str, config) -> list[tuple[str, str]]:
    """(label, value) pairs in words; keys without a label keep their name."""
    pairs = []
    for key, value in data.items():
        try:
            label = i18n.text(f"audit.key.{key}", lang)
        except KeyError:
            label = key
        pairs.append((label, _value(key, value, lang, config)))
    return pairs


def rows(entries: list[Entry], kind: str, lang: str, config) -> list[dict]:
    """The entries of `kind` ("" = all), newest first, ready for the table."""
    chosen = [e for e in entries if not kind or KIND_OF.get(e.event, "other") == kind]
    return [{"time": local_time(e.time, config, "%d.%m.%Y %H:%M:%S"), "raw_event": e.event,
             "kind": KIND_OF.get(e.event, "other"), "event": event_text(e.event, lang),
             "details": details(e.data, lang, config)} for e in reversed(chosen)]


def kinds(lang: str) -> list[tuple[str, str]]:
    """(value, label) for the filter, "" first (all)."""
    return [("", i18n.text("audit.kind.all", lang))] + [
        (kind, i18n.text(f"audit.kind.{kind}", lang)) for kind in (*KINDS, "other")]
