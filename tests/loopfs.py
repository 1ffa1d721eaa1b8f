"""A real ext4 file system of its own on a loop device, for full and read-only disk tests
(needs root, as CI and the image build have)."""

from __future__ import annotations

import subprocess
from pathlib import Path


class Ext4:
    """A 64 MB ext4 (no reserved blocks; errors=remount-ro, as the image mounts the data
    partition) on its own loop device."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.image, self.mount_point = folder / "data.img", folder / "disk"
        subprocess.run(["truncate", "-s", "64M", str(self.image)], check=True)
        subprocess.run(["mkfs.ext4", "-q", "-m", "0", str(self.image)], check=True)
        self.loop = subprocess.run(["losetup", "-f", "--show", str(self.image)], check=True,
                                   capture_output=True, text=True).stdout.strip()
        self.mount_point.mkdir()
        self.mount()

    @property
    def sysfs(self) -> Path:
        return Path("/sys/fs/ext4") / Path(self.loop).name

    def mount(self) -> None:
        subprocess.run(["mount", "-o", "errors=remount-ro", self.loop, str(self.mount_point)],
                       check=True)

    def remount(self) -> None:
        """Unmount, repair (as a boot's fsck would) and mount read-write again, through a new
        loop device: a mount namespace made meanwhile by another process on this machine
        keeps the old superblock, read-only flag and all, alive after our unmount."""
        subprocess.run(["umount", str(self.mount_point)], check=True)
        subprocess.run(["losetup", "-d", self.loop], check=False)
        self.loop = subprocess.run(["losetup", "-f", "--show", str(self.image)], check=True,
                                   capture_output=True, text=True).stdout.strip()
        subprocess.run(["fsck.ext4", "-fy", self.loop], capture_output=True)
        self.mount()
        probe = self.mount_point / ".probe"
        probe.write_bytes(b"x")  # read-write again, or the test stops here
        probe.unlink()

    def close(self) -> None:
        subprocess.run(["umount", "-l", str(self.mount_point)], check=False)
        subprocess.run(["losetup", "-d", self.loop], check=False)
