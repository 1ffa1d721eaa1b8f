"""Times on the page: dd.mm.yyyy ЧЧ:ММ in the site's zone, the system's when none is known;
Russian plurals and the decimal comma."""

from __future__ import annotations

import datetime as dt

from appliance import i18n
from appliance.config import Config
from appliance.webui.localtime import local_date, local_time, zone_name


def site(**values) -> Config:
    config = Config()
    for key, value in values.items():
        setattr(config.site, key, value)
    return config


def test_the_site_zone_turns_any_offset_into_the_wall_clock():
    config = site(timezone="Asia/Yekaterinburg")
    assert zone_name(config) == "Asia/Yekaterinburg"
    assert local_time("2027-02-10T06:05:30+00:00", config) == "10.02.2027 11:05"
    assert local_time("2027-02-10T09:05:30+03:00", config, "%H:%M:%S") == "11:05:30"
    assert local_time(1_802_000_000.0, config) == dt.datetime.fromtimestamp(
        1_802_000_000, dt.timezone(dt.timedelta(hours=5))).strftime("%d.%m.%Y %H:%M")
    assert local_time("не время", config) == ""


def test_the_region_gives_the_zone_and_without_either_the_system_s_is_used():
    assert zone_name(site(region="64")) == "Europe/Saratov"
    plain = site()
    assert zone_name(plain) == ""
    moment = dt.datetime(2027, 2, 10, 6, 5, tzinfo=dt.UTC)
    assert local_time(moment, plain) == moment.astimezone().strftime("%d.%m.%Y %H:%M")
    assert local_date("2027-02-10") == "10.02.2027" and local_date("x") == "x"


def test_russian_plurals_and_decimal_comma():
    forms = ("запись", "записи", "записей")
    assert [i18n.plural_ru(n, *forms) for n in (1, 2, 5, 11, 21, 31, 112, 104)] == [
        "запись", "записи", "записей", "записей", "запись", "запись", "записей", "записи"]
    assert i18n.decimal(0.4, 1, "ru") == "0,4" and i18n.decimal(-6.96, 2, "ru") == "-6,96"
    assert i18n.decimal(0.4, 1, "en") == "0.4"
    params = i18n.localized({"duration_min": 0.41, "n": 3}, "ru")
    assert f"{params['duration_min']:.1f} мин, {params['n']}" == "0,4 мин, 3"
