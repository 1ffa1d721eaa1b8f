"""Every unit the appliance ships passes `systemd-analyze verify`, as installed, and the two
main units are as confined as their jobs allow (`systemd-analyze security`)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.image.conftest import REPO, lay_out

UNIT_DIR = "usr/local/lib/systemd/system"
SHIPPED_UNITS = sorted(p.name for p in (REPO / "systemd").glob("*.service"))


def unit_names() -> list[str]:
    """Template units are verified through one instance (a USB partition named sda1)."""
    return [name.replace("@.", "@sda1.") for name in SHIPPED_UNITS]


def verify(root: Path, units: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(["systemd-analyze", "verify", f"--root={root}", *units],
                          cwd=root / UNIT_DIR, capture_output=True, text=True, timeout=60)


def test_every_shipped_unit_is_installed_and_verifies_clean(installed_root):
    assert set(SHIPPED_UNITS) >= {"appliance-recorder.service", "appliance-web.service",
                                  "appliance-config.service", "appliance-usb@.service"}
    result = verify(installed_root, unit_names())
    assert result.returncode == 0, result.stderr
    assert result.stdout + result.stderr == ""


@pytest.mark.parametrize("good, broken, complaint", [
    ("WatchdogSec=10", "WatchdogSec=ten", "Failed to parse sec value, ignoring: ten"),
    ("ExecStart=/opt/appliance/venv/bin/appliance", "ExecStart=/opt/appliance/venv/bin/nope",
     "Command /opt/appliance/venv/bin/nope is not executable"),
    ("Restart=always", "Restartt=always", "Unknown key 'Restartt' in section [Service]"),
])
def test_verify_catches_a_broken_recorder_unit(installed_root, good, broken, complaint):
    unit = installed_root / UNIT_DIR / "appliance-recorder.service"
    unit.write_text(unit.read_text().replace(good, broken, 1))
    result = verify(installed_root, ["appliance-recorder.service"])
    assert complaint in result.stdout + result.stderr


def unit_settings(name: str) -> dict[str, list[str]]:
    settings: dict[str, list[str]] = {}
    for line in (REPO / "systemd" / name).read_text().splitlines():
        key, sep, value = line.partition("=")
        if sep and not line.startswith("#"):
            settings.setdefault(key, []).append(value)
    return settings


def test_recorder_unit_contract():
    """What the box needs of the recorder, read from the unit as shipped."""
    s = unit_settings("appliance-recorder.service")
    assert s["Type"] == ["notify"] and s["NotifyAccess"] == ["main"]
    assert 0 < int(s["WatchdogSec"][0]) <= 30
    assert s["Restart"] == ["always"]
    assert "sound.target" in s["After"][0]
    assert s["User"] == ["appliance"]
    assert set(s["SupplementaryGroups"][0].split()) >= {"audio", "gpio"}
    assert s["ProtectSystem"] == ["strict"]
    assert s["ReadWritePaths"][0].split() == ["/var/lib/appliance", "/media/appliance-usb",
                                              "/media/zapis-kopia"]
    assert s["CapabilityBoundingSet"] == ["CAP_SYS_TIME"]  # set_clock from the browser
    assert s["SystemCallFilter"] == ["@system-service @clock"]  # @clock: set the clock
    assert s["SystemCallArchitectures"] == ["native"]
    assert int(s["Nice"][0]) < 0 and s["IOSchedulingClass"] == ["realtime"]
    assert "$APPLIANCE_RECORDER_ARGS" in s["ExecStart"][0]


def test_web_unit_is_unprivileged_and_below_the_recorder():
    web = unit_settings("appliance-web.service")
    recorder = unit_settings("appliance-recorder.service")
    assert web["User"] == ["appliance-web"] and web["ProtectSystem"] == ["strict"]
    assert web["SupplementaryGroups"] == ["appliance systemd-journal"]  # reads recordings, log
    # Writable: only its own state, the audit journal it appends to, the settings.
    assert web["ReadWritePaths"][0].split() == [
        "/var/lib/appliance/web", "/var/lib/appliance/cache", "/var/lib/appliance/audit",
        "/etc/appliance"]
    assert web["SystemCallFilter"][0] == "@system-service"
    assert web["SystemCallArchitectures"] == ["native"]
    assert web["Restart"] == ["always"]
    assert web["CapabilityBoundingSet"] == ["CAP_NET_BIND_SERVICE"]
    assert int(web["Nice"][0]) > int(recorder["Nice"][0])
    assert int(web["CPUWeight"][0]) < int(recorder["CPUWeight"][0])


def test_installer_layout_is_idempotent(tmp_path):
    first = lay_out(tmp_path)
    snapshot = {p: (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_mode)
                for p in tmp_path.rglob("*") if p.is_file()}
    second = lay_out(tmp_path)
    assert "installed" in first and second == ""
    assert snapshot == {p: (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_mode)
                        for p in tmp_path.rglob("*") if p.is_file()}


def test_sysusers_creates_the_dedicated_user_in_its_groups(installed_root):
    conf = installed_root / "usr/local/lib/sysusers.d/appliance.conf"
    subprocess.run(["systemd-sysusers", f"--root={installed_root}", str(conf)], check=True,
                   capture_output=True, timeout=60)
    passwd = (installed_root / "etc/passwd").read_text()
    assert any(line.startswith("appliance:") for line in passwd.splitlines())
    groups = {line.split(":")[0]: line.split(":")[3].split(",")
              for line in (installed_root / "etc/group").read_text().splitlines()}
    for group in ("audio", "gpio", "dialout"):
        assert "appliance" in groups[group], group
    assert any(line.startswith("appliance-web:") for line in passwd.splitlines())
    assert "appliance-web" in groups["appliance"] and "appliance-web" in groups["systemd-journal"]
    assert "appliance" not in groups["systemd-journal"]
    assert "appliance-web" not in groups["audio"] + groups["gpio"] + groups["dialout"]


def test_tmpfiles_make_the_writable_paths(installed_root):
    for kind in ("sysusers", "tmpfiles"):
        conf = installed_root / f"usr/local/lib/{kind}.d/appliance.conf"
        extra = ["--create"] if kind == "tmpfiles" else []
        subprocess.run([f"systemd-{kind}", f"--root={installed_root}", *extra, str(conf)],
                       check=True, capture_output=True, timeout=60)
    data = installed_root / "var/lib/appliance"
    settings = installed_root / "etc/appliance"
    assert data.is_dir() and oct(data.stat().st_mode & 0o7777) == "0o750"
    assert oct(settings.stat().st_mode & 0o7777) == "0o2770"
    assert (installed_root / "media/appliance-usb").is_dir()
    users = {line.split(":")[0]: int(line.split(":")[2])
             for line in (installed_root / "etc/passwd").read_text().splitlines()}
    web = data / "web"
    assert web.stat().st_uid == users["appliance-web"]
    assert oct(web.stat().st_mode & 0o777) == "0o700"
    assert data.stat().st_uid == users["appliance"]
    for name in ("journal.jsonl", "journal.lock"):  # appended by the recorder and the web page
        audit = data / "audit" / name
        assert audit.stat().st_uid == users["appliance"]
        assert oct(audit.stat().st_mode & 0o777) == "0o660"


def exposure(root: Path, unit: str) -> float:
    done = subprocess.run(["systemd-analyze", "security", "--offline=true", f"--root={root}",
                           unit], cwd=root / UNIT_DIR, capture_output=True, text=True,
                          timeout=60)
    found = re.search(r"Overall exposure level for \S+: ([0-9.]+)", done.stdout)
    assert found, done.stdout + done.stderr
    return float(found.group(1))


@pytest.mark.parametrize("unit, target", [("appliance-web.service", 3.0),
                                          ("appliance-recorder.service", 4.0)])
def test_main_units_exposure_within_target(installed_root, unit, target):
    assert exposure(installed_root, unit) <= target


def test_exposure_score_notices_a_weaker_unit(installed_root):
    """The score is measured, not assumed: dropping the system call filter raises it."""
    unit = installed_root / UNIT_DIR / "appliance-web.service"
    before = exposure(installed_root, "appliance-web.service")
    unit.write_text("\n".join(line for line in unit.read_text().splitlines()
                              if not line.startswith("SystemCall")) + "\n")
    assert exposure(installed_root, "appliance-web.service") > before
