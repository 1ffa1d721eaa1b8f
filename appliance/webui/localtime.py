"""Times as the technician reads them: dd.mm.yyyy ЧЧ:ММ in the box's time zone.

The zone is the site's (`appliance.regions.site_timezone`: `[site] timezone`, else the
region's), else the system's own. Every page shows times through `local_time` (and the
scripts through app.js `localTime`, given the zone's name) so a journal written in UTC or
with another offset reads the same as the clock on the classroom wall.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from appliance import i18n
from appliance.contract.vocabulary import ClockSource
from appliance.regions import site_timezone

DATE_TIME = "%d.%m.%Y %H:%M"
DATE_TIME_SECONDS = "%d.%m.%Y %H:%M:%S"
DATE = "%d.%m.%Y"

i18n.register({
    "clock_source.ntp": ("по сети (NTP)", "network (NTP)"),
    "clock_source.rtc": ("по часам платы (RTC)", "the board's clock (RTC)"),
    "clock_source.browser": ("установлены из браузера", "set from a browser"),
    "clock_source.unknown": ("источник неизвестен", "source unknown"),
})


def clock_source_text(source: str, lang: str) -> str:
    """Where the box's time comes from, in words (the code itself when it is a new one)."""
    return i18n.text(f"clock_source.{source}", lang) if source in set(ClockSource) else source


def zone_name(config) -> str:
    """The site's zone name, "" when it is the system's (or not known here)."""
    name = site_timezone(config.site)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ""
    return name


def zone(config) -> dt.tzinfo | None:
    """The site's zone; None means the system's local zone."""
    name = zone_name(config)
    return ZoneInfo(name) if name else None


def to_local(value: str | float | dt.datetime, config) -> dt.datetime | None:
    """An ISO time (with or without offset; without one it is taken as the system's), epoch
    seconds or a datetime, in the box's zone; None when it is not a time."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    elif isinstance(value, int | float):
        value = dt.datetime.fromtimestamp(value, dt.UTC)
    if not isinstance(value, dt.datetime):
        return None
    return value.astimezone(zone(config))


def local_time(value: str | float | dt.datetime, config, fmt: str = DATE_TIME) -> str:
    """`value` as dd.mm.yyyy ЧЧ:ММ (or `fmt`) in the box's zone; "" when it is not a time."""
    moment = to_local(value, config)
    return moment.strftime(fmt) if moment else ""


def local_date(iso_date: str) -> str:
    """A day folder's name (yyyy-mm-dd) as dd.mm.yyyy; anything else unchanged."""
    try:
        return dt.date.fromisoformat(iso_date).strftime(DATE)
    except ValueError:
        return iso_date
