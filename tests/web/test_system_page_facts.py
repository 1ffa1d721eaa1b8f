"""The System page's facts, read from the places Linux and the Pi firmware keep them."""

from __future__ import annotations

import os
import stat

from appliance.webui import sysinfo


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_cpu_temperature_prefers_the_cpu_zone(tmp_path):
    write(tmp_path / "thermal_zone0" / "type", "acpitz\n")
    write(tmp_path / "thermal_zone0" / "temp", "30000\n")
    write(tmp_path / "thermal_zone1" / "type", "cpu-thermal\n")
    write(tmp_path / "thermal_zone1" / "temp", "61234\n")
    assert sysinfo.cpu_temperature_c(tmp_path) == 61.234
    assert sysinfo.cpu_temperature_c(tmp_path / "none") is None


def test_throttling_flags_from_vcgencmd(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert sysinfo.throttled() is None  # a PC: no vcgencmd
    tool = tmp_path / "vcgencmd"
    tool.write_text("#!/bin/sh\necho throttled=0x50005\n")
    tool.chmod(tool.stat().st_mode | stat.S_IEXEC)
    assert sysinfo.throttled() == {"raw": "0x50005", "flags": [
        "undervoltage_now", "throttled_now", "undervoltage_since_boot",
        "throttled_since_boot"]}


def test_recent_log_falls_back_to_the_web_log(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no journalctl
    log = tmp_path / "web.log"
    log.write_text("".join(f"line {n}\n" for n in range(100)))
    source, lines = sysinfo.recent_log(log, lines=5)
    assert source == "file" and lines == [f"line {n}" for n in range(95, 100)]
    assert sysinfo.recent_log(tmp_path / "missing.log") == ("file", [])


def test_system_page_shows_disk_uptime_version_and_not_available(web_authed_client,
                                                                  web_data_dir, monkeypatch):
    monkeypatch.setenv("PATH", os.defpath.replace("/usr/bin", "/nonexistent"))
    page = web_authed_client.get("/system").get_data(as_text=True)
    assert "Система" in page and "свободно" in page and "0.1.0" in page
    assert 'id="sys-power">нет данных' in page
    web_authed_client.get("/lang/en?next=/system")
    page = web_authed_client.get("/system").get_data(as_text=True)
    assert "GB free of" in page and "not available" in page
