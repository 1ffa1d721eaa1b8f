"""The settings file on the boot partition: generated from the code, applied only when valid."""

from __future__ import annotations

import dataclasses
import importlib.util
import re
import subprocess
import sys
import tomllib
from importlib.machinery import SourceFileLoader

import pytest

from appliance import config as config_mod
from tests.image.conftest import REPO

BOOT_CONFIG = REPO / "systemd/libexec/boot-config"
SETTING_LINE = re.compile(r"^#(\w+ = .*)$")


def load_script(name: str, path):
    loader = SourceFileLoader(name, str(path))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(name, loader))
    loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def template() -> str:
    return load_script("config_template", REPO / "image-build/config_template.py").render()


def test_template_has_every_setting_at_its_default(template):
    uncommented = "\n".join(SETTING_LINE.sub(r"\1", line) for line in template.splitlines())
    assert tomllib.loads(uncommented) == config_mod.to_dict(config_mod.Config())


def test_template_as_shipped_means_the_defaults(template, tmp_path):
    path = tmp_path / "appliance.toml"
    path.write_text(template)
    assert config_mod.load(path) == config_mod.Config()
    assert "#room = \"\"" in template and "# Номер аудитории" in template


def test_template_lists_every_field_with_its_docstring(template):
    """Generated from the dataclasses, so a field added to a section appears by itself."""
    assert "# Where recordings, journals and state live" in template
    every_field = [f"#{f.name} = " for section in dataclasses.fields(config_mod.Config)
                   for f in dataclasses.fields(section.default_factory())]
    assert all(marker in template for marker in every_field)


def run_boot_config(tmp_path) -> str:
    done = subprocess.run(
        [sys.executable, str(BOOT_CONFIG), "--boot-file", str(tmp_path / "boot.toml"),
         "--config", str(tmp_path / "etc/appliance.toml"), "--state-dir",
         str(tmp_path / "state"), "--no-hostname", "--etc", str(tmp_path / "etc")],
        capture_output=True, text=True, timeout=60, check=True, cwd=REPO)
    return done.stdout + done.stderr


def test_boot_file_applied_once_then_kept_then_invalid_refused(tmp_path):
    (tmp_path / "etc").mkdir()
    boot, live = tmp_path / "boot.toml", tmp_path / "etc/appliance.toml"
    assert "absent" in run_boot_config(tmp_path) and not live.exists()
    boot.write_text('[site]\nroom = "0005"\nschool = "640101"\n')
    assert "applied" in run_boot_config(tmp_path)
    assert config_mod.load(live).site.room == "0005"
    live.write_text('[site]\nroom = "0007"\n')  # saved later on the web page
    assert "unchanged" in run_boot_config(tmp_path)
    assert config_mod.load(live).site.room == "0007"
    boot.write_text('[site]\nroom = "5"\n')  # a typo on the PC
    out = run_boot_config(tmp_path)
    assert "invalid" in out and "site.room" in out
    assert config_mod.load(live).site.room == "0007"
    assert "site.room" in (tmp_path / "state/last-error.txt").read_text()
    boot.write_text('[site]\nroom = "0012"\n')
    assert "applied" in run_boot_config(tmp_path)
    assert config_mod.load(live).site.room == "0012"
    assert not (tmp_path / "state/last-error.txt").exists()


def test_a_boot_file_with_a_renamed_setting_is_still_applied(tmp_path):
    """A technician's file written before a setting was renamed: the box still boots with it."""
    (tmp_path / "etc").mkdir()
    (tmp_path / "boot.toml").write_text("[participants]\nshort_min = 5.0\n")
    out = run_boot_config(tmp_path)
    assert "applied" in out and "participants.too_short_minutes" in out
    live = config_mod.load(tmp_path / "etc/appliance.toml")
    assert live.participants.too_short_minutes == 5.0


def test_host_name_from_room_else_unique_unset(tmp_path, monkeypatch):
    module = load_script("boot_config", BOOT_CONFIG)
    path = tmp_path / "appliance.toml"
    path.write_text('[site]\nroom = "0005"\n')
    assert module.host_name(module.site_settings(path)) == "room-0005"
    path.write_text("")
    serial = tmp_path / "serial-number"
    serial.write_bytes(b"10000000a1b2c3d4\0")
    monkeypatch.setattr(module, "SERIAL_FILE", serial)
    assert module.host_name(module.site_settings(path)) == "room-unset-c3d4"
    path.write_text('[site]\nroom = "x"\n')
    assert module.host_name(module.site_settings(path)) == "room-unset-c3d4"


def test_image_template_sets_the_setup_code_on_the_boot_partition(tmp_path):
    """install.sh --image: one setting uncommented (validated), every other still a comment."""
    done = subprocess.run(
        [sys.executable, str(REPO / "image-build/config_template.py"),
         "--set", "web.setup_code_file=/boot/firmware/setup-code.txt"],
        capture_output=True, text=True, timeout=60, check=True, cwd=REPO)
    lines = done.stdout.splitlines()
    assert 'setup_code_file = "/boot/firmware/setup-code.txt"' in lines
    path = tmp_path / "appliance.toml"
    path.write_text(done.stdout)
    loaded = config_mod.load(path)
    assert loaded.web.setup_code_file == "/boot/firmware/setup-code.txt"
    assert dataclasses.replace(loaded, web=config_mod.WebConfig()) == config_mod.Config()
    refused = subprocess.run(
        [sys.executable, str(REPO / "image-build/config_template.py"), "--set", "web.nope=1"],
        capture_output=True, text=True, timeout=60, cwd=REPO)
    assert refused.returncode != 0 and "web.nope" in refused.stderr
