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
                 REPO / "image-build/rootfs/etc/initramfs-tools/hooks/appliance-e2fsck",
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


@pytest.mark.parametrize("name, reason", [
    ("mmcblk0p1", "not a USB drive name"),  # the SD card's boot partition
    ("vda1", "not a USB drive name"),
    ("sdzz9", "no block device"),
])
def test_usb_drive_refuses_what_is_not_a_usb_partition(name, reason):
    for action in ("check", "mount"):
        done = subprocess.run([str(REPO / "systemd/libexec/usb-drive"), action, name],
                              capture_output=True, text=True, timeout=30)
        assert done.returncode != 0 and reason in done.stderr


def test_polkit_rule_asks_usb_drive_about_every_unit():
    rule = (REPO / "systemd/appliance.polkit").read_text()
    assert 'polkit.spawn(["/usr/local/lib/appliance/usb-drive", "check", unit[1]])' in rule
    assert "/^appliance-usb@(sd[a-z]+[0-9]*)\\.service$/" in rule
    assert 'subject.user != "appliance"' in rule  # the recorder's user, not the web page's


def test_build_names_the_missing_build_packages(tmp_path):
    """check_tools: every package of build-deps.txt must be installed (python3-venv too: the
    build makes its own venv), and the message says how to install them."""
    deps = (REPO / "image-build/build-deps.txt").read_text().split()
    assert {"python3-venv", "mmdebstrap", "qemu-system-arm", "mtools", "curl"} <= set(deps)
    shims = tmp_path / "bin"
    shims.mkdir()
    (shims / "id").write_text("#!/bin/sh\necho 0\n")
    (shims / "dpkg-query").write_text(
        '#!/bin/sh\nfor last; do :; done\n'
        '[ "$last" = python3-venv ] || [ "$last" = mtools ] || echo "install ok installed"\n')
    for shim in shims.iterdir():
        shim.chmod(0o755)
    done = subprocess.run([str(REPO / "image-build/build.sh")], capture_output=True, text=True,
                          timeout=60, env={"PATH": f"{shims}:/usr/bin:/bin:/usr/sbin:/sbin",
                                           "OUT": str(tmp_path / "out")})
    assert done.returncode == 1
    assert "missing packages: python3-venv mtools" in done.stderr
    assert "apt-get install -y $(cat image-build/build-deps.txt)" in done.stderr
    assert not (tmp_path / "out/build-venv").exists()


def test_keep_machine_id_copies_a_valid_id_once(tmp_path):
    script = REPO / "systemd/libexec/keep-machine-id"
    kept, source = tmp_path / "system/machine-id", tmp_path / "machine-id"
    source.write_text("uninitialized\n")
    refused = subprocess.run([str(script), str(kept), str(source)], capture_output=True,
                             text=True, timeout=30)
    assert refused.returncode != 0 and not kept.exists()
    source.write_text("0123456789abcdef0123456789abcdef\n")
    subprocess.run([str(script), str(kept), str(source)], check=True, timeout=30)
    assert kept.read_text() == "0123456789abcdef0123456789abcdef\n"
    source.write_text("fedcba9876543210fedcba9876543210\n")  # a later boot's transient id
    subprocess.run([str(script), str(kept), str(source)], check=True, timeout=30)
    assert kept.read_text() == "0123456789abcdef0123456789abcdef\n"
