"""Fixtures for the image tests: the installer's file layout under a temporary root."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
INSTALL_SH = REPO / "image-build" / "install.sh"
HOST_UNITS = Path("/usr/lib/systemd/system")


def lay_out(root: Path) -> str:
    """Run the installer in --destdir mode (files only) and return what it printed."""
    done = subprocess.run([str(INSTALL_SH), "--destdir", str(root)], check=True,
                          capture_output=True, text=True, timeout=60)
    return done.stdout


@pytest.fixture
def installed_root(tmp_path) -> Path:
    """The installer's files under tmp_path, plus what `systemd-analyze verify --root` needs
    from a real system: the host's own systemd units and a venv whose commands exist."""
    root = tmp_path / "root"
    lay_out(root)
    shutil.copytree(HOST_UNITS, root / HOST_UNITS.relative_to("/"), symlinks=True)
    venv_bin = root / "opt/appliance/venv/bin"
    venv_bin.mkdir(parents=True)
    for name, target in (("appliance", REPO / ".venv/bin/appliance"),
                         ("python3", Path(sys.executable))):
        (venv_bin / name).write_text(f"#!/bin/sh\nexec {target} \"$@\"\n")
        (venv_bin / name).chmod(0o755)
    return root
