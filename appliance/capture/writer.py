"""The evidence path: one WAV part on disk, kept valid and durable while it grows.

The header is written and fsynced before the first sample. Every `sync_interval_s` the size
fields are rewritten in place and the file is fsynced, so a power cut loses at most that much
audio and leaves "header, then audio" which `wavfile.repair` turns into a valid WAV. A part
never overwrites an existing file (O_EXCL): evidence is never clobbered.

Written frames reach the file at the next `flush` (or sync, or close). The recorder flushes
after each batch of blocks it takes from the capture queue: one block at real time, so a killed
process loses nothing it had written; when catching up, one system call for the whole batch
instead of one per block (docs/BENCHMARKS.md).

Threading: one writer belongs to the recorder's pipeline thread; it is not thread-safe.
"""

from __future__ import annotations

import logging
import os
import struct
import time
from pathlib import Path

from appliance.capture.wavfile import Bext, Cue, WavFormat, build_cue_chunks, build_header
from appliance.fsutil import fsync_dir

log = logging.getLogger(__name__)

SYNC_INTERVAL_S = 0.5
FAT32_SAFE_BYTES = 4_000_000_000


class WavPartWriter:
    """Append PCM frames to a new WAV file; `close(cues)` seals it with the marker cues."""

    def __init__(self, path: str | os.PathLike, fmt: WavFormat, bext: Bext | None = None,
                 max_bytes: int = FAT32_SAFE_BYTES, sync_interval_s: float = SYNC_INTERVAL_S,
                 monotonic=time.monotonic, header: bytes | None = None) -> None:
        """`header`: the part's header when the caller built it already (the recorder journals
        it before the file exists); by default built from `fmt` and `bext`."""
        self.path = Path(path)
        self.format = fmt
        self.header = build_header(fmt, bext) if header is None else header
        self.max_data_bytes = max_bytes - len(self.header) - 64 * 1024  # room for the cues
        self.max_data_bytes -= self.max_data_bytes % fmt.frame_bytes
        self.data_bytes = 0
        """Bytes of audio in the file; `frames` also counts those waiting for `flush`."""
        self._pending: list[bytes | memoryview] = []
        self._pending_bytes = 0
        self._synced_bytes = 0
        self._sync_interval_s = sync_interval_s
        self._monotonic = monotonic
        self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
        os.write(self._fd, self.header)
        os.fsync(self._fd)
        fsync_dir(self.path.parent)
        self._last_sync = monotonic()

    @property
    def frames(self) -> int:
        return (self.data_bytes + self._pending_bytes) // self.format.frame_bytes

    def room_frames(self) -> int:
        """Frames that still fit before the part must roll over."""
        return self.max_data_bytes // self.format.frame_bytes - self.frames

    def write(self, pcm: bytes | memoryview) -> None:
        """Append whole frames (on the file at the next `flush`); syncs when the interval has
        passed. The caller must not change `pcm` before then."""
        self._pending.append(pcm)
        self._pending_bytes += len(pcm)
        if self._monotonic() - self._last_sync >= self._sync_interval_s:
            self.sync()

    def flush(self) -> None:
        """Put the written frames into the file, in one system call (the blocks as they came:
        no copy). On OSError (a full disk) whatever reached the file stays counted and the rest
        is dropped, so `close` can still seal it validly."""
        if not self._pending:
            return
        pending, total = self._pending, self._pending_bytes
        self._pending, self._pending_bytes = [], 0
        written = os.writev(self._fd, pending)
        self.data_bytes += written
        if written < total:  # cut short (nearly full disk): the rest, one write at a time
            view = memoryview(b"".join(pending))[written:]
            while view:
                written = os.write(self._fd, view)
                self.data_bytes += written
                view = view[written:]

    def sync(self) -> None:
        """Bring the size fields up to date and make everything durable."""
        self.flush()
        if self._synced_bytes != self.data_bytes:
            self._write_sizes(trailer_bytes=0)
            os.fsync(self._fd)
            self._synced_bytes = self.data_bytes
        self._last_sync = self._monotonic()

    def _write_sizes(self, trailer_bytes: int) -> None:
        riff = len(self.header) - 8 + self.data_bytes + trailer_bytes
        os.pwrite(self._fd, struct.pack("<I", riff), 4)
        os.pwrite(self._fd, struct.pack("<I", self.data_bytes), len(self.header) - 4)

    def close(self, cues: list[Cue] | None = None) -> None:
        """Seal the part: final sizes, then the cue chunks after the data, each step durable."""
        if self._fd < 0:
            return
        try:
            try:
                self.flush()
            except OSError as err:  # a full disk: sealed with whatever reached the file
                log.error("%s: %s; the part is sealed with the audio on the disk", self.path, err)
            self._drop_partial_frame()
            self.sync()
            trailer = build_cue_chunks([c for c in cues or [] if 0 <= c.frame <= self.frames])
            if trailer:
                self._append_trailer(trailer)
        finally:
            os.close(self._fd)
            self._fd = -1

    def _drop_partial_frame(self) -> None:
        """A write cut short by a full disk may end mid-frame; the file keeps whole frames."""
        partial = self.data_bytes % self.format.frame_bytes
        if partial:
            self.data_bytes -= partial
            os.ftruncate(self._fd, len(self.header) + self.data_bytes)

    def _append_trailer(self, trailer: bytes) -> None:
        """The cues after the data; with no room for them the part is sealed without (the
        markers are in the journal and the label files too). The RIFF size claims the
        trailer, durably, before it is written: a cut in between is then recognised by
        recovery, which keeps the audio to the data size (never trailer bytes as samples)."""
        try:
            self._write_sizes(trailer_bytes=len(trailer))
            os.fsync(self._fd)
            os.pwrite(self._fd, trailer, len(self.header) + self.data_bytes)
        except OSError:
            os.ftruncate(self._fd, len(self.header) + self.data_bytes)
            self._write_sizes(trailer_bytes=0)
        os.fsync(self._fd)

    def __enter__(self) -> WavPartWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def append_cues(path: str | os.PathLike, header_len: int, data_bytes: int,
                cues: list[Cue]) -> None:
    """Add the cue chunks to a repaired part that was never sealed (recovery)."""
    trailer = build_cue_chunks(cues)
    if not trailer:
        return
    fd = os.open(path, os.O_WRONLY)
    try:  # the RIFF size first, as WavPartWriter._append_trailer does
        os.pwrite(fd, struct.pack("<I", header_len - 8 + data_bytes + len(trailer)), 4)
        os.fsync(fd)
        os.pwrite(fd, trailer, header_len + data_bytes)
        os.fsync(fd)
    finally:
        os.close(fd)
