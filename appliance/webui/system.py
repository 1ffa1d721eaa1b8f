"""The System page: temperature, power and throttling flags, disk, uptime, version, the box's
signing key fingerprint, the last error of the boot partition's settings file, log."""

from __future__ import annotations

from flask import Blueprint, render_template

from appliance import __version__, i18n
from appliance.boxkey import box_fingerprint
from appliance.webui import sysinfo
from appliance.webui.pagekit import current_config

bp = Blueprint("system", __name__)

i18n.register({
    "sys.title": ("Система", "System"),
    "sys.temperature": ("Температура процессора", "CPU temperature"),
    "sys.power": ("Питание и троттлинг", "Power and throttling"),
    "sys.power_ok": ("в порядке", "OK"),
    "sys.disk": ("Диск с записями", "Recordings disk"),
    "sys.disk_value": ("свободно {free} ГБ из {total} ГБ", "{free} GB free of {total} GB"),
    "sys.uptime": ("Время работы", "Uptime"),
    "sys.uptime_value": ("{days} д {hours} ч {minutes} мин", "{days} d {hours} h {minutes} min"),
    "sys.version": ("Версия программы", "Software version"),
    "sys.log": ("Технический журнал (для специалиста)", "Technical log (for a specialist)"),
    "sys.log.hint": ("Служебные строки программы, часть на английском: пришлите их "
                     "специалисту, если регистратор работает не так", "The program's own "
                     "lines: send them to a specialist when the recorder misbehaves"),
    "sys.box_key": ("Ключ подписи выгрузок (отпечаток)", "Export signing key (fingerprint)"),
    "sys.box_key.none": ("ещё не создан (создаётся при первом запуске записи)",
                         "not made yet (made at the recorder's first start)"),
    "sys.log.journal": ("системный журнал (journalctl)", "system journal (journalctl)"),
    "sys.log.file": ("журнал веб-страницы", "the web page's log"),
    "sys.not_available": ("нет данных", "not available"),
    "sys.boot_config_error": ("Настройки с карты памяти не применены",
                              "The settings on the memory card were not applied"),
    "sys.boot_config_error.hint": (
        "Файл appliance.toml в загрузочном разделе карты содержит ошибку; действуют прежние "
        "настройки. Исправьте файл на компьютере и перезагрузите устройство.",
        "The file appliance.toml on the card's boot partition has an error; the previous "
        "settings stay in force. Fix the file on a computer and restart the box."),
    "sys.flag.undervoltage_now": ("пониженное напряжение сейчас", "under-voltage now"),
    "sys.flag.freq_capped_now": ("частота ограничена сейчас", "frequency capped now"),
    "sys.flag.throttled_now": ("троттлинг сейчас", "throttled now"),
    "sys.flag.temp_limit_now": ("температурный предел сейчас", "temperature limit now"),
    "sys.flag.undervoltage_since_boot": ("было пониженное напряжение",
                                         "under-voltage has occurred"),
    "sys.flag.freq_capped_since_boot": ("частота ограничивалась", "frequency was capped"),
    "sys.flag.throttled_since_boot": ("был троттлинг", "throttling has occurred"),
    "sys.flag.temp_limit_since_boot": ("достигался температурный предел",
                                       "temperature limit was reached"),
})


def web_log_path(config):
    """Where `appliance web` keeps its own log (shown when there is no journal)."""
    return config.data_dir / "web" / "web.log"


@bp.route("/system")
def page():
    config = current_config()
    uptime = sysinfo.uptime_s()
    source, lines = sysinfo.recent_log(web_log_path(config))
    return render_template(
        "system.html", temperature_c=sysinfo.cpu_temperature_c(),
        throttled=sysinfo.throttled(), disk=sysinfo.disk(config.data_dir),
        uptime=None if uptime is None else {"days": int(uptime // 86400),
                                            "hours": int(uptime % 86400 // 3600),
                                            "minutes": int(uptime % 3600 // 60)},
        version=__version__, log_source=source, log_lines=lines,
        boot_config_error=sysinfo.boot_config_error(),
        box_fingerprint=box_fingerprint(config.data_dir))
