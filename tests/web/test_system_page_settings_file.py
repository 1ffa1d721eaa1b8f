"""The System page shows why the settings file on the boot partition was not applied."""

from __future__ import annotations

import re
from pathlib import Path

from appliance.webui import sysinfo

REPO = Path(__file__).resolve().parents[2]


def test_error_file_is_where_the_boot_config_service_writes_it():
    unit = (REPO / "systemd/appliance-config.service").read_text()
    state_dir = re.search(r"--state-dir\s+(\S+)", unit).group(1)
    script = (REPO / "systemd/libexec/boot-config").read_text()
    name = re.search(r'state_dir / "([^"]+)", f"\{boot_file\}', script).group(1)
    assert sysinfo.BOOT_CONFIG_ERROR == Path(state_dir) / name


def test_system_page_shows_the_last_boot_settings_error(web_authed_client, tmp_path,
                                                       monkeypatch):
    error_file = tmp_path / "last-error.txt"
    monkeypatch.setattr(sysinfo, "BOOT_CONFIG_ERROR", error_file)
    page = web_authed_client.get("/system").get_data(as_text=True)
    assert 'id="boot-config-error"' not in page
    error_file.write_text("/boot/firmware/appliance.toml: site.room: «5» <b>не</b> 4 цифры\n")
    page = web_authed_client.get("/system").get_data(as_text=True)
    assert 'id="boot-config-error"' in page and "Настройки с карты памяти не применены" in page
    assert "site.room: «5» &lt;b&gt;не&lt;/b&gt; 4 цифры" in page
