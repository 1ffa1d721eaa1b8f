"""The shell helpers the units run: syntax, and the microphone wait's two ways out."""

from __future__ import annotations

import subprocess
import time

import pytest

from tests.image.conftest import REPO

SHELL_SCRIPTS = [REPO / "image-build/install.sh", REPO / "image-build/build.sh",
                 REPO / "image-build/smoke-test.sh", REPO / "image-build/smoke_guest.sh",
                 REPO / "image-build/rootfs/etc/initramfs-tools/scripts/init-bottom"
                        / "appliance-overlayroot",
                 *(p for p in (REPO / "systemd/libexec").iterdir()
                   if p.read_text().startswith("#!/bin/sh"))]


@pytest.mark.parametrize("script", SHELL_SCRIPTS, ids=lambda p: p.name)
def test_shell_script_parses(script):
    subprocess.run(["sh", "-n", str(script)], check=True, timeout=30)


def test_wait_capture_device_skips_for_simulated_microphone():
    start = time.monotonic()
    subprocess.run([str(REPO / "systemd/libexec/wait-capture-device"), "30", "--simulate"],
                   check=True, timeout=10)
    assert time.monotonic() - start < 5


def test_wait_capture_device_gives_up_after_its_timeout():
    """No sound card on this machine: it waits the full second, then lets the recorder start."""
    start = time.monotonic()
    done = subprocess.run([str(REPO / "systemd/libexec/wait-capture-device"), "1"],
                          capture_output=True, text=True, timeout=10)
    assert done.returncode == 0 and "no capture device" in done.stderr
    assert 0.9 < time.monotonic() - start < 5
