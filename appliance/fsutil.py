"""Small durable-filesystem helpers: the write-to-temp, fsync, rename pattern in one place."""

from __future__ import annotations

import os
from pathlib import Path


def fsync_dir(path: str | os.PathLike) -> None:
    """Make a rename or a new file in `path` durable (the directory entry itself)."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path: str | os.PathLike, data: bytes, mode: int = 0o644) -> None:
    """Replace `path` with `data` so that a crash leaves either the old or the new content,
    and a refused write (full disk) leaves the old content and no temporary file.

    The file is fsynced again after the rename: on FAT (the boot partition) a rename makes a
    new directory entry whose size is 0 until the file itself is written back, so a power cut
    after a rename and a directory fsync alone would leave an empty file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        try:
            view = memoryview(data)
            while view:  # a short write is retried; a full disk raises ENOSPC
                view = view[os.write(fd, view):]
            os.fsync(fd)
            os.replace(tmp, path)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        tmp.unlink(missing_ok=True)  # a refused write leaves no temporary file behind
        raise
    fsync_dir(path.parent)


def atomic_write_text(path: str | os.PathLike, text: str, mode: int = 0o644) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), mode)
