"""WAV (RIFF) layout of a part: fmt, BWF `bext`, data, and after closing `cue ` + labels.

Pure byte building and parsing plus `repair`, which turns whatever a crash left on disk into a
valid WAV of every whole frame that reached it. The data chunk is the last chunk while a part
grows, so a torn file is always "header, then some audio".
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass, field
from pathlib import Path

from appliance import i18n
from appliance.errors import WavFormatError

i18n.register({
    "wav.not_wav": ("{path}: это не WAV-файл ({detail})", "{path}: not a WAV file ({detail})"),
})

BEXT_FIXED_SIZE = 602
FMT_PCM = 1
RIFF_LIMIT = 0xFFFFFFFF


@dataclass(frozen=True)
class WavFormat:
    rate_hz: int
    channels: int
    sample_width: int = 2

    @property
    def frame_bytes(self) -> int:
        return self.channels * self.sample_width

    def frames_to_s(self, frames: int) -> float:
        return frames / self.rate_hz


@dataclass(frozen=True)
class Bext:
    """Broadcast WAV description (EBU Tech 3285 v1); text fields are ASCII by the standard."""

    description: str
    originator: str
    originator_reference: str
    origination_date: str  # "YYYY-MM-DD"
    origination_time: str  # "HH:MM:SS"
    time_reference: int  # samples since midnight at the first sample
    coding_history: str = ""

    def to_bytes(self) -> bytes:
        def fixed(text: str, size: int) -> bytes:
            return text.encode("ascii", "replace")[:size].ljust(size, b"\0")

        body = b"".join([
            fixed(self.description, 256), fixed(self.originator, 32),
            fixed(self.originator_reference, 32), fixed(self.origination_date, 10),
            fixed(self.origination_time, 8),
            struct.pack("<QH", self.time_reference, 1), b"\0" * 64, b"\0" * 190,
            self.coding_history.encode("ascii", "replace"),
        ])
        return body + b"\0" * (len(body) % 2)

    @classmethod
    def from_bytes(cls, body: bytes) -> Bext:
        def text(start: int, size: int) -> str:
            return body[start:start + size].split(b"\0", 1)[0].decode("ascii", "replace")

        (time_reference,) = struct.unpack_from("<Q", body, 338)
        return cls(text(0, 256), text(256, 32), text(288, 32), text(320, 10), text(330, 8),
                   time_reference, body[BEXT_FIXED_SIZE:].rstrip(b"\0").decode("ascii", "replace"))


@dataclass(frozen=True)
class Cue:
    frame: int
    label: str


@dataclass
class WavInfo:
    format: WavFormat
    data_offset: int
    data_bytes: int
    file_bytes: int
    bext: Bext | None = None
    cues: list[Cue] = field(default_factory=list)

    @property
    def frames(self) -> int:
        return self.data_bytes // self.format.frame_bytes

    @property
    def duration_s(self) -> float:
        return self.format.frames_to_s(self.frames)


def _chunk(tag: bytes, body: bytes) -> bytes:
    return tag + struct.pack("<I", len(body)) + body + b"\0" * (len(body) % 2)


def build_header(fmt: WavFormat, bext: Bext | None, data_bytes: int = 0) -> bytes:
    """RIFF header up to and including the data chunk's size field."""
    fmt_body = struct.pack("<HHIIHH", FMT_PCM, fmt.channels, fmt.rate_hz,
                           fmt.rate_hz * fmt.frame_bytes, fmt.frame_bytes, 8 * fmt.sample_width)
    chunks = _chunk(b"fmt ", fmt_body) + (_chunk(b"bext", bext.to_bytes()) if bext else b"")
    riff_size = 4 + len(chunks) + 8 + data_bytes
    return (b"RIFF" + struct.pack("<I", min(riff_size, RIFF_LIMIT)) + b"WAVE" + chunks
            + b"data" + struct.pack("<I", data_bytes))


def build_cue_chunks(cues: list[Cue]) -> bytes:
    """`cue ` points plus a `LIST/adtl` of `labl` texts, read by Audacity, Adobe, sox."""
    if not cues:
        return b""
    points = b"".join(struct.pack("<II4sIII", i + 1, c.frame, b"data", 0, 0, c.frame)
                      for i, c in enumerate(cues))
    labels = b"".join(_chunk(b"labl", struct.pack("<I", i + 1) + c.label.encode("utf-8") + b"\0")
                      for i, c in enumerate(cues))
    return (_chunk(b"cue ", struct.pack("<I", len(cues)) + points)
            + _chunk(b"LIST", b"adtl" + labels))


def size_fields(header_len: int, data_bytes: int, trailer_bytes: int = 0) -> tuple[int, int]:
    """(RIFF size, data size) for a file of this shape."""
    riff = header_len - 8 + data_bytes + (data_bytes % 2) + trailer_bytes
    return min(riff, RIFF_LIMIT), data_bytes


def read_info(path: str | os.PathLike) -> WavInfo:
    """Parse a WAV file's chunks; raises WavFormatError when it is not a readable WAV."""
    path = Path(path)
    with open(path, "rb") as f:
        data = f.read(64 * 1024)
        file_bytes = os.fstat(f.fileno()).st_size
        info = _parse_head(path, data, file_bytes)
        end = info.data_offset + info.data_bytes + (info.data_bytes % 2)
        if end < file_bytes:
            f.seek(end)
            info.cues = _parse_cues(f.read())
    return info


def _parse_head(path: Path, data: bytes, file_bytes: int) -> WavInfo:
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise WavFormatError("wav.not_wav", path=path, detail="RIFF/WAVE")
    pos, fmt, bext = 12, None, None
    while pos + 8 <= len(data):
        tag, size = data[pos:pos + 4], struct.unpack_from("<I", data, pos + 4)[0]
        body = data[pos + 8:pos + 8 + size]
        if tag == b"fmt " and len(body) >= 16:
            code, channels, rate, _, align, bits = struct.unpack_from("<HHIIHH", body)
            if code != FMT_PCM or bits != 16 or channels < 1 or align != channels * 2:
                raise WavFormatError("wav.not_wav", path=path, detail="PCM 16-bit")
            fmt = WavFormat(rate, channels)
        elif tag == b"bext" and len(body) >= BEXT_FIXED_SIZE:
            bext = Bext.from_bytes(body)
        elif tag == b"data":
            if fmt is None:
                raise WavFormatError("wav.not_wav", path=path, detail="fmt")
            return WavInfo(fmt, pos + 8, size, file_bytes, bext)
        pos += 8 + size + size % 2
    raise WavFormatError("wav.not_wav", path=path, detail="data")


def _parse_cues(trailer: bytes) -> list[Cue]:
    frames: dict[int, int] = {}
    labels: dict[int, str] = {}
    pos = 0
    while pos + 8 <= len(trailer):
        tag, size = trailer[pos:pos + 4], struct.unpack_from("<I", trailer, pos + 4)[0]
        body = trailer[pos + 8:pos + 8 + size]
        if tag == b"cue ":
            for i in range(struct.unpack_from("<I", body)[0]):
                cue_id, frame = struct.unpack_from("<II", body, 4 + 24 * i)
                frames[cue_id] = frame
        elif tag == b"LIST" and body[:4] == b"adtl":
            sub = 4
            while sub + 8 <= len(body):
                stag, ssize = body[sub:sub + 4], struct.unpack_from("<I", body, sub + 4)[0]
                if stag == b"labl":
                    (cue_id,) = struct.unpack_from("<I", body, sub + 8)
                    raw = body[sub + 12:sub + 8 + ssize].split(b"\0", 1)[0]
                    labels[cue_id] = raw.decode("utf-8", "replace")
                sub += 8 + ssize + ssize % 2
        pos += 8 + size + size % 2
    return [Cue(frames[i], labels.get(i, "")) for i in sorted(frames)]


def repair(path: str | os.PathLike, fallback_header: bytes | None = None) -> tuple[WavInfo, bool]:
    """Make `path` a valid WAV holding every whole frame on disk; returns (info, changed).

    A header that was never written completely is rebuilt from `fallback_header` (the header
    the writer made when it opened the part, kept in the journal). Bytes after the last whole
    frame and any half-written trailer are cut; the size fields are set to what is there.
    The audio never takes in trailer bytes: a writer sealing a part makes its RIFF size claim
    the trailer before writing it, so a RIFF size beyond the data chunk proves that the data
    ends exactly where the header's data size says (`sealing_data_bytes`).
    """
    path = Path(path)
    with open(path, "r+b") as f:
        head = f.read(64 * 1024)
        file_bytes = os.fstat(f.fileno()).st_size
        rebuilt = False
        try:
            info = _parse_head(path, head, file_bytes)
        except WavFormatError:
            if fallback_header is None or not _torn_copy_of(head, fallback_header):
                raise
            f.seek(0)
            f.write(fallback_header)
            file_bytes = max(file_bytes, len(fallback_header))
            info = _parse_head(path, fallback_header, file_bytes)
            rebuilt = True
        available = file_bytes - info.data_offset
        riff = struct.unpack_from("<I", head, 4)[0] if len(head) >= 8 and not rebuilt else 0
        trailer_ok = (info.data_bytes <= available and riff + 8 <= file_bytes
                      and _trailer_parses(f, info.data_offset + info.data_bytes, file_bytes))
        if trailer_ok and not rebuilt:
            return read_info(path), False
        sealed = None if rebuilt else sealing_data_bytes(riff, info)
        data_bytes = sealed if sealed is not None else available
        data_bytes -= data_bytes % info.format.frame_bytes
        f.truncate(info.data_offset + data_bytes)
        riff, data_field = size_fields(info.data_offset, data_bytes)
        f.seek(4)
        f.write(struct.pack("<I", riff))
        f.seek(info.data_offset - 4)
        f.write(struct.pack("<I", data_field))
        f.flush()
        os.fsync(f.fileno())
    return read_info(path), True


def sealing_data_bytes(riff: int, info: WavInfo) -> int | None:
    """The data size a part was being sealed with, when its RIFF size claims bytes after the
    data chunk (a trailer) and that many bytes of data are on disk; else None."""
    data_end = info.data_offset + info.data_bytes
    if riff + 8 > data_end + info.data_bytes % 2 and data_end <= info.file_bytes:
        return info.data_bytes
    return None


def _torn_copy_of(head: bytes, header: bytes) -> bool:
    """True when `head` is a prefix of `header` apart from the size fields (a torn header)."""
    n = min(len(head), len(header))
    mask = set(range(4, 8)) | set(range(len(header) - 4, len(header)))
    return all(head[i] == header[i] for i in range(n) if i not in mask)


def _trailer_parses(f, start: int, file_bytes: int) -> bool:
    """Whether the bytes after the data chunk are whole, known chunks (a closed part)."""
    if start == file_bytes:
        return True
    if start > file_bytes:
        return False
    f.seek(start)
    trailer = f.read(file_bytes - start)
    pos = 0
    while pos + 8 <= len(trailer):
        tag = trailer[pos:pos + 4]
        size = struct.unpack_from("<I", trailer, pos + 4)[0]
        if tag not in (b"cue ", b"LIST") or pos + 8 + size > len(trailer):
            return False
        pos += 8 + size + size % 2
    return pos == len(trailer)
