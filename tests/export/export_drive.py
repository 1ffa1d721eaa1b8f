"""A real removable-drive filesystem for tests: exFAT through FUSE on a loop device.

`exfat_drive()` makes the image, attaches it, mounts it, and always unmounts and detaches it
again, also when the test fails or has already yanked the drive.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.feeds import wait_for


def run(*cmd: str) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, capture_output=True, text=True)


def is_mounted(path: Path) -> bool:
    return os.path.ismount(path)


def listed_as_mounted(path: Path) -> bool:
    """In the mount table, also when its FUSE daemon is dead (ismount() then says no)."""
    target = str(path).encode().replace(b" ", b"\\040")
    with open("/proc/self/mounts", "rb") as mounts:
        return any(line.split()[1] == target for line in mounts)


@dataclass
class Drive:
    image: Path
    loop: str
    mount: Path

    def remount(self) -> None:
        run("mount.exfat-fuse", self.loop, str(self.mount))
        wait_for(lambda: is_mounted(self.mount))


@contextlib.contextmanager
def exfat_loop(workdir: Path, size_mb: int, mount: Path) -> Iterator[tuple[Path, str]]:
    """An exFAT image on a loop device; whatever is mounted on `mount` is undone at the end."""
    image = workdir / "usb.img"
    with open(image, "wb") as f:
        f.truncate(size_mb * 1024 * 1024)
    run("mkfs.exfat", "-L", "EXAM", str(image))
    loop = run("losetup", "-f", "--show", str(image)).stdout.strip()
    try:
        yield image, loop
    finally:
        if listed_as_mounted(mount):
            subprocess.run(["fusermount", "-u", str(mount)], capture_output=True)
            if listed_as_mounted(mount):
                subprocess.run(["fusermount", "-u", "-z", str(mount)], capture_output=True)
        subprocess.run(["losetup", "-d", loop], capture_output=True)


@contextlib.contextmanager
def exfat_drive(workdir: Path, size_mb: int) -> Iterator[Drive]:
    mount = workdir / "usb"
    mount.mkdir()
    with exfat_loop(workdir, size_mb, mount) as (image, loop):
        run("mount.exfat-fuse", loop, str(mount))
        wait_for(lambda: is_mounted(mount))
        yield Drive(image, loop, mount)


def fuse_daemon_pid(mount: Path) -> int:
    """The PID of the FUSE daemon serving `mount` (found by its exact mount path)."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if str(mount).encode() in argv and any(b"exfat" in a for a in argv[:1]):
            return int(proc.name)
    raise LookupError(f"no FUSE daemon for {mount}")


def pull_out(drive: Drive) -> None:
    """The drive vanishes: its FUSE daemon dies, every later I/O on it fails."""
    os.kill(fuse_daemon_pid(drive.mount), 9)
    wait_for(lambda: _dead(drive.mount))
    subprocess.run(["fusermount", "-u", "-z", str(drive.mount)], capture_output=True)


def _dead(mount: Path) -> bool:
    try:
        os.stat(mount)
        return not is_mounted(mount)
    except OSError:
        return True


def plug_back(drive: Drive) -> None:
    """Check and repair the filesystem (as any OS does after a yank), then mount it again."""
    subprocess.run(["fsck.exfat", "-y", drive.loop], capture_output=True)
    drive.remount()
