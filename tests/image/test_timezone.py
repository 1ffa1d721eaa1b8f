"""The room's time zone: from `[site] timezone`, else from the region code; set at boot."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import zoneinfo

import pytest

from appliance import config as config_mod
from appliance import regions
from appliance.errors import ConfigError
from tests.image.conftest import REPO
from tests.image.test_boot_config import BOOT_CONFIG

WINTER = dt.datetime(2027, 2, 10, 6, 0, tzinfo=dt.UTC)


def utc_offset_h(zone: str) -> float:
    return WINTER.astimezone(zoneinfo.ZoneInfo(zone)).utcoffset().total_seconds() / 3600


def test_every_region_has_a_real_zone():
    """89 subjects of the Federation and Baikonur; each zone exists in the tz database."""
    assert len(regions.TIMEZONES) == 90
    assert all(len(code) == 2 and code.isdigit() for code in regions.TIMEZONES)
    for code, zone in regions.TIMEZONES.items():
        assert zoneinfo.ZoneInfo(zone), code
    offsets = {utc_offset_h(zone) for zone in regions.TIMEZONES.values()}
    assert min(offsets) == 2 and max(offsets) == 12  # Kaliningrad … Kamchatka, Chukotka


@pytest.mark.parametrize("region, zone, offset", [
    ("64", "Europe/Saratov", 4), ("25", "Asia/Vladivostok", 10), ("77", "Europe/Moscow", 3),
    ("39", "Europe/Kaliningrad", 2), ("41", "Asia/Kamchatka", 12), ("54", "Asia/Novosibirsk", 7),
])
def test_region_code_gives_its_zone(region, zone, offset):
    site = config_mod.from_dict({"site": {"region": region}}).site
    assert regions.site_timezone(site) == zone and utc_offset_h(zone) == offset


def test_setting_wins_over_the_region_and_is_validated():
    site = config_mod.from_dict({"site": {"region": "64", "timezone": "Asia/Omsk"}}).site
    assert regions.site_timezone(site) == "Asia/Omsk"
    assert regions.site_timezone(config_mod.SiteConfig()) == ""
    for bad in ("Europe/Nowhere", "../../etc/passwd", "/etc/localtime"):
        with pytest.raises(ConfigError, match="site.timezone"):
            config_mod.from_dict({"site": {"timezone": bad}})


def local_date(localtime, moment: dt.datetime) -> str:
    """The date C and Python in a process whose zone is `localtime` give to `moment`."""
    done = subprocess.run(
        [sys.executable, "-c", "import datetime, sys; print(datetime.datetime.fromtimestamp("
         "float(sys.argv[1])).date(), datetime.datetime.now().astimezone().strftime('%z'))",
         str(moment.timestamp())],
        env={**os.environ, "TZ": f":{localtime}"}, capture_output=True, text=True, check=True,
        timeout=30)
    return done.stdout.strip()


def test_boot_sets_the_zone_so_an_exam_at_0830_in_primorye_gets_its_date(tmp_path):
    etc = tmp_path / "etc"
    etc.mkdir()
    (tmp_path / "appliance.toml").write_text('[site]\nregion = "25"\n')
    subprocess.run([sys.executable, str(BOOT_CONFIG), "--boot-file", str(tmp_path / "none"),
                    "--config", str(tmp_path / "appliance.toml"), "--state-dir",
                    str(tmp_path / "state"), "--no-hostname", "--etc", str(etc)],
                   check=True, capture_output=True, timeout=60, cwd=REPO)
    assert os.readlink(etc / "localtime") == "/usr/share/zoneinfo/Asia/Vladivostok"
    assert (etc / "timezone").read_text() == "Asia/Vladivostok\n"
    exam = dt.datetime(2027, 2, 9, 22, 30, tzinfo=dt.UTC)  # 08:30 on the 10th in Vladivostok
    assert local_date(etc / "localtime", exam) == "2027-02-10 +1000"
    (tmp_path / "appliance.toml").write_text('[site]\nregion = "25"\ntimezone = "Europe/Moscow"\n')
    subprocess.run([sys.executable, str(BOOT_CONFIG), "--boot-file", str(tmp_path / "none"),
                    "--config", str(tmp_path / "appliance.toml"), "--state-dir",
                    str(tmp_path / "state"), "--no-hostname", "--etc", str(etc)],
                   check=True, capture_output=True, timeout=60, cwd=REPO)
    assert local_date(etc / "localtime", exam) == "2027-02-10 +0300"
    assert local_date(etc / "localtime", exam - dt.timedelta(hours=2)) == "2027-02-09 +0300"
