"""Facts about the box for the System page, each read where the Pi (or Linux) keeps it.

Anything the machine does not report is None, and the page says "not available": a PC has no
vcgencmd, a container may have no thermal zone or journal.
"""

from __future__ import annotations

import collections
import os
import shutil
import subprocess
from pathlib import Path

THERMAL_DIR = Path("/sys/class/thermal")
UNITS = ("appliance-recorder", "appliance-web")
LOG_LINES = 50
BOOT_CONFIG_ERROR = Path("/var/lib/appliance/boot-config/last-error.txt")
"""Why the settings file on the boot partition was not applied: `--state-dir` of
systemd/appliance-config.service + the name systemd/libexec/boot-config writes (a test keeps
them equal). The file is deleted when a valid file is applied."""

# Bits of `vcgencmd get_throttled` (Raspberry Pi firmware documentation).
THROTTLE_BITS = {0: "undervoltage_now", 1: "freq_capped_now", 2: "throttled_now",
                 3: "temp_limit_now", 16: "undervoltage_since_boot",
                 17: "freq_capped_since_boot", 18: "throttled_since_boot",
                 19: "temp_limit_since_boot"}


def cpu_temperature_c(thermal_dir: Path = THERMAL_DIR) -> float | None:
    """The CPU zone's temperature (the first zone when none says cpu)."""
    zones = sorted(thermal_dir.glob("thermal_zone*"))
    zones.sort(key=lambda zone: "cpu" not in _read(zone / "type").lower())
    for zone in zones:
        try:
            return int(_read(zone / "temp")) / 1000
        except ValueError:
            continue
    return None


def throttled() -> dict | None:
    """{"raw": "0x50005", "flags": [...]} from vcgencmd, or None where there is none."""
    vcgencmd = shutil.which("vcgencmd")
    if not vcgencmd:
        return None
    try:
        out = subprocess.run([vcgencmd, "get_throttled"], capture_output=True, text=True,
                             timeout=5).stdout
        raw = out.strip().partition("=")[2]
        value = int(raw, 16)
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
    return {"raw": raw, "flags": [name for bit, name in THROTTLE_BITS.items()
                                  if value >> bit & 1]}


def uptime_s() -> float | None:
    try:
        return float(_read(Path("/proc/uptime")).split()[0])
    except (ValueError, IndexError):
        return None


def disk(path: Path) -> dict | None:
    try:
        usage = shutil.disk_usage(path)
    except OSError:
        return None
    return {"total_bytes": usage.total, "used_bytes": usage.used, "free_bytes": usage.free}


def recent_log(own_log: Path, lines: int = LOG_LINES) -> tuple[str, list[str]]:
    """("journal", lines) from journalctl for the appliance units when it answers,
    else ("file", the last lines of the web page's own log)."""
    journalctl = shutil.which("journalctl")
    if journalctl:
        units = [arg for unit in UNITS for arg in ("-u", unit)]
        try:
            done = subprocess.run([journalctl, *units, "-n", str(lines), "--no-pager",
                                   "-o", "short-iso"], capture_output=True, encoding="utf-8",
                                  errors="replace", timeout=10,
                                  env={**os.environ, "LC_ALL": "C.UTF-8"})  # Cyrillic intact
            out = [line for line in done.stdout.splitlines() if line.strip()]
            if done.returncode == 0 and out and not out[0].startswith("-- No entries"):
                return "journal", out
        except (OSError, subprocess.SubprocessError):
            pass
    try:
        with open(own_log, encoding="utf-8", errors="replace") as f:
            return "file", [line.rstrip("\n") for line in collections.deque(f, lines)]
    except FileNotFoundError:
        return "file", []


def boot_config_error(path: Path | None = None) -> str | None:
    """The last boot-partition settings error, or None when the last file was applied."""
    try:
        return (path or BOOT_CONFIG_ERROR).read_text(encoding="utf-8",
                                                     errors="replace").strip() or None
    except OSError:
        return None


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii", errors="replace").strip()
    except OSError:
        return ""
