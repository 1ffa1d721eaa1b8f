"""Copy one file so that a finished name always means "complete and checked".

The bytes go to a hidden temporary name, are fsynced, dropped from the page cache and read
back from the drive; only when the read-back SHA-256 equals the source's is the file renamed
to its real name (and the folder fsynced). A drive pulled out at any moment leaves at most a
`.partial` file that no reader mistakes for a result. The source is only ever opened for reading.

Threading: plain blocking I/O; safe to run in a background thread (hashlib releases the GIL).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from appliance import i18n
from appliance.errors import StorageError
from appliance.fsutil import fsync_dir

CHUNK_BYTES = 4 * 1024 * 1024
PARTIAL_SUFFIX = ".partial"

i18n.register({
    "copy.source_changed": ("Файл {path} на устройстве не совпадает с журналом (SHA-256): "
                            "копия не сделана", "File {path} on the appliance does not match "
                            "its journal (SHA-256): not copied"),
    "copy.readback": ("Проверка копии {path} не прошла: прочитано не то, что записано",
                      "Checking the copy {path} failed: what was read back differs"),
    "copy.io": ("Ошибка записи на накопитель ({path}): {detail}",
                "Writing to the drive failed ({path}): {detail}"),
})

Progress = Callable[[int], None]
"""Called with the number of bytes just written."""


@dataclass(frozen=True)
class CopyOutcome:
    path: Path
    sha256: str
    bytes: int
    skipped: bool
    """True when the destination already held a verified copy and nothing was written."""


def sha256_file(path: str | os.PathLike, progress: Progress | None = None,
                drop_cache: bool = False) -> str:
    """SHA-256 (hex) of a file; `drop_cache` reads it from the device, not from memory."""
    digest = hashlib.sha256()
    with open(path, "rb", buffering=0) as f:
        if drop_cache:
            _drop_cache(f.fileno())
        buffer = bytearray(CHUNK_BYTES)
        view = memoryview(buffer)
        while n := f.readinto(buffer):
            digest.update(view[:n])
            if progress:
                progress(n)
    return digest.hexdigest()


def partial_name(dest: Path) -> Path:
    return dest.with_name(f".{dest.name}{PARTIAL_SUFFIX}")


def copy_verified(src: Path, dest: Path, expected_sha256: str | None = None,
                  progress: Progress | None = None) -> CopyOutcome:
    """Copy `src` to `dest` with read-back verification; skip when `dest` is already right.

    `expected_sha256` (from the journal) is what the copy read back from the drive must hash
    to: one hash proves both that the source was the sealed file and that the copy is right, so
    the source is not hashed on the way (only on a mismatch, to say which side is wrong). A
    silently damaged source is refused instead of being certified.
    `progress(n)` is called for every chunk written and every chunk read back: 2 x size in all.
    """
    size = src.stat().st_size
    if dest.exists() and dest.stat().st_size == size:
        digest = expected_sha256 or sha256_file(src)
        if sha256_file(dest, progress, drop_cache=True) == digest:
            if progress:
                progress(size)
            return CopyOutcome(dest, digest, size, skipped=True)
    tmp = partial_name(dest)
    try:
        digest = _write(src, tmp, progress, hash_source=expected_sha256 is None)
        if sha256_file(tmp, progress, drop_cache=True) != (expected_sha256 or digest):
            tmp.unlink()
            source_changed = expected_sha256 and sha256_file(src) != expected_sha256
            raise StorageError("copy.source_changed" if source_changed else "copy.readback",
                               path=src if source_changed else dest)
        digest = expected_sha256 or digest
        os.replace(tmp, dest)
        _sync_dir(dest.parent)
    except StorageError:
        raise
    except OSError as err:
        raise StorageError("copy.io", path=dest, detail=err.strerror or err) from err
    return CopyOutcome(dest, digest, size, skipped=False)


def write_verified(data: bytes, dest: Path) -> CopyOutcome:
    """The same discipline for a generated file (report, manifest, act)."""
    digest = hashlib.sha256(data).hexdigest()
    if dest.exists() and dest.stat().st_size == len(data) and sha256_file(dest) == digest:
        return CopyOutcome(dest, digest, len(data), skipped=True)
    tmp = partial_name(dest)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            _write_all(fd, memoryview(data))
            os.fsync(fd)
        finally:
            os.close(fd)
        if sha256_file(tmp, drop_cache=True) != digest:
            tmp.unlink()
            raise StorageError("copy.readback", path=dest)
        os.replace(tmp, dest)
        _sync_dir(dest.parent)
    except StorageError:
        raise
    except OSError as err:
        raise StorageError("copy.io", path=dest, detail=err.strerror or err) from err
    return CopyOutcome(dest, digest, len(data), skipped=False)


def _write(src: Path, tmp: Path, progress: Progress | None, hash_source: bool) -> str:
    """Stream `src` into `tmp`, then fsync; returns the SHA-256 of what was read, or "" when
    `hash_source` is false (the journal's hash is known: the read-back is compared with it)."""
    digest = hashlib.sha256()
    buffer = bytearray(CHUNK_BYTES)
    view = memoryview(buffer)
    with open(src, "rb", buffering=0) as f:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            while n := f.readinto(buffer):
                if hash_source:
                    digest.update(view[:n])
                _write_all(fd, view[:n])
                if progress:
                    progress(n)
            os.fsync(fd)
        finally:
            os.close(fd)
    return digest.hexdigest() if hash_source else ""


def _write_all(fd: int, view: memoryview) -> None:
    while view:
        view = view[os.write(fd, view):]


def _sync_dir(path: Path) -> None:
    """Make the rename durable; Windows (the coordinator's `--collect`) has no directory fsync."""
    if os.name != "nt":
        fsync_dir(path)


def _drop_cache(fd: int) -> None:
    """Ask the kernel to forget the file's cached pages so the next read comes from the drive."""
    if hasattr(os, "posix_fadvise"):
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
