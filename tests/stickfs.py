"""The safety copy's USB stick for tests: a real exFAT (FUSE, on a loop device) or FAT32
(fusefat on the image) file system that can be filled, pulled out, lazily unmounted and
plugged back. The kernel here has no vfat driver; fusefat writes long names but not Cyrillic
ones, so FAT32 tests record with ASCII names."""

from __future__ import annotations

import contextlib
import os
import subprocess
from pathlib import Path

from tests.feeds import wait_for

LABEL = "ZAPIS-KOPIA"


def _run(*cmd: str) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, capture_output=True, text=True)


def _listed(mount: Path) -> bool:
    target = str(mount).encode().replace(b" ", b"\\040")
    with open("/proc/self/mounts", "rb") as mounts:
        return any(line.split()[1] == target for line in mounts)


class Stick:
    """A stick image mounted at `folder/usb`; `kind` is "exfat" or "fat32"."""

    def __init__(self, folder: Path, kind: str = "exfat", size_mb: int = 64) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.kind = kind
        self.image, self.mount_point = folder / f"{kind}.img", folder / "usb"
        with open(self.image, "wb") as f:
            f.truncate(size_mb * 1024 * 1024)
        if kind == "exfat":
            _run("mkfs.exfat", "-L", LABEL, str(self.image))
            self.loop = _run("losetup", "-f", "--show", str(self.image)).stdout.strip()
        else:
            _run("mkfs.vfat", "-F", "32", "-n", LABEL, str(self.image))
            self.loop = ""
        self.mount_point.mkdir()
        self.mount()

    def mount(self) -> None:
        if self.kind == "exfat":
            _run("mount.exfat-fuse", self.loop, str(self.mount_point))
        else:
            _run("fusefat", "-o", "rw+", str(self.image), str(self.mount_point))
        wait_for(lambda: os.path.ismount(self.mount_point), timeout_s=10, what="stick mounted")

    def _daemon_pid(self) -> int:
        for proc in Path("/proc").iterdir():
            if proc.name.isdigit():
                try:
                    argv = (proc / "cmdline").read_bytes().split(b"\0")
                except OSError:
                    continue
                if str(self.mount_point).encode() in argv and argv[0].endswith(
                        (b"exfat-fuse", b"fusefat")):
                    return int(proc.name)
        raise LookupError(f"no FUSE daemon for {self.mount_point}")

    def pull_out(self) -> None:
        """The stick vanishes: its FUSE daemon dies, every later I/O on it fails."""
        os.kill(self._daemon_pid(), 9)
        subprocess.run(["fusermount", "-u", "-z", str(self.mount_point)], capture_output=True)
        wait_for(lambda: not _listed(self.mount_point), timeout_s=10, what="stick gone")

    def lazy_unmount(self) -> None:
        """`umount -l`: the folder goes away at once, files open on it still take writes."""
        _run("umount", "-l", str(self.mount_point))

    def plug_back(self) -> None:
        """Checked and mounted again, as a box does when the stick is plugged in."""
        wait_for(lambda: not _listed(self.mount_point), timeout_s=20, what="old mount gone")
        if self.kind == "exfat":
            subprocess.run(["fsck.exfat", "-y", self.loop], capture_output=True)
        else:
            subprocess.run(["fsck.vfat", "-a", str(self.image)], capture_output=True)
        self.mount()

    def close(self) -> None:
        if _listed(self.mount_point):
            subprocess.run(["fusermount", "-u", "-z", str(self.mount_point)],
                           capture_output=True)
        if self.loop:
            subprocess.run(["losetup", "-d", self.loop], capture_output=True)


def fill(mount_point: Path) -> Path:
    """Take every free block of the file system; returns the filler to delete."""
    filler = mount_point / "filler.bin"
    subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=1M"], capture_output=True)
    return filler


@contextlib.contextmanager
def tmpfs_stick(work: Path, size_mb: int):
    """A tmpfs of its own standing in for the safety copy's stick in benchmarks (a mirror on
    the data disk itself is refused); yields its mount point."""
    mount = work / "stick"
    mount.mkdir()
    _run("mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "benchstick", str(mount))
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)
