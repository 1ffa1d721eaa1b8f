"""Participant clips: the master's audio between two markers (or two given times) as WAV or MP3.

A WAV clip is exact: its data chunk is a byte copy of the master's frames in the range, so an
appeal commission hears precisely what the room recorded. MP3 (pydub + ffmpeg) is for sending;
pydub is imported only when an MP3 is asked for. Clip names carry date, school, room and the
participant by number only (a typed marker label may hold a name and never goes into a file
name): `2027-02-10_ОО-640101_ауд-0005_участник-3.wav`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from appliance import i18n, naming
from appliance.capture.wavfile import build_header, read_info
from appliance.contract.dayview import DayView, Part
from appliance.errors import StateError
from appliance.fsutil import atomic_write_bytes

CLIP_WORDS = {"cyrillic": ("участник", "часть"), "ascii": ("participant", "part")}

i18n.register({
    "clip.no_participant": ("Участник {n} не отмечен в записи за {date}",
                            "Participant {n} is not marked in the recording of {date}"),
    "clip.bad_range": ("Неверный отрезок: {start_s}–{end_s} с в части длиной {length_s:.3f} с",
                       "Bad range: {start_s}–{end_s} s in a part of {length_s:.3f} s"),
    "clip.open_part": ("Часть {part} ещё записывается", "Part {part} is still being recorded"),
})


@dataclass(frozen=True)
class ClipRange:
    part: Part
    start_frame: int
    end_frame: int
    name: str
    """File name without extension."""


def _prefix(day: DayView) -> str:
    return "_".join(naming.export_dirs(day.date, day.school, day.room, day.naming))


def participant_range(day: DayView, participant: int) -> ClipRange:
    """From the participant's marker to the next boundary marker in the same part, with the
    journal's corrections applied (`appliance.contract.dayview`)."""
    for segment in day.segments():
        if segment.participant == participant:
            part = day.part(segment.part)
            if not part.sealed:
                raise StateError("clip.open_part", part=part.number)
            end = min(segment.end_frame if segment.end_frame is not None else part.frames,
                      part.frames)
            word = CLIP_WORDS[day.naming][0]
            return ClipRange(part, segment.frame, end, f"{_prefix(day)}_{word}-{participant}")
    raise StateError("clip.no_participant", n=participant, date=day.date.isoformat())


def time_range(day: DayView, part_number: int, start_s: float, end_s: float) -> ClipRange:
    part = day.part(part_number)
    if not part.sealed:
        raise StateError("clip.open_part", part=part.number)
    start, end = round(start_s * part.rate_hz), round(end_s * part.rate_hz)
    if not 0 <= start < end <= part.frames:
        raise StateError("clip.bad_range", start_s=start_s, end_s=end_s, length_s=part.duration_s)
    word = CLIP_WORDS[day.naming][1]
    name = f"{_prefix(day)}_{word}-{part.number}_{_stamp(start_s)}-{_stamp(end_s)}"
    return ClipRange(part, start, end, name)


def _stamp(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600:02d}{whole % 3600 // 60:02d}{whole % 60:02d}"


def read_frames(day: DayView, clip: ClipRange) -> bytes:
    """The master's PCM bytes of the range (interleaved int16, little-endian)."""
    path = day.path / clip.part.file
    info = read_info(path)
    frame_bytes = info.format.frame_bytes
    with open(path, "rb") as f:
        f.seek(info.data_offset + clip.start_frame * frame_bytes)
        return f.read((clip.end_frame - clip.start_frame) * frame_bytes)


def wav_bytes(day: DayView, clip: ClipRange) -> bytes:
    """The clip as a complete WAV file: the master's header format, its frames byte for byte."""
    pcm = read_frames(day, clip)
    info = read_info(day.path / clip.part.file)
    return build_header(info.format, None, len(pcm)) + pcm


def write_clip(day: DayView, clip: ClipRange, dest_dir: Path, fmt: str = "wav",
               bitrate: str = "128k") -> Path:
    """Write the clip into `dest_dir`; returns its path. The master is only read."""
    dest = Path(dest_dir) / f"{clip.name}.{fmt}"
    if fmt == "wav":
        atomic_write_bytes(dest, wav_bytes(day, clip))
        return dest
    pcm = read_frames(day, clip)
    info = read_info(day.path / clip.part.file)
    from pydub import AudioSegment

    segment = AudioSegment(data=pcm, sample_width=2, frame_rate=info.format.rate_hz,
                           channels=info.format.channels)
    tmp = dest.with_name(f".{dest.name}.partial")
    segment.export(tmp, format="mp3", bitrate=bitrate).close()
    tmp.replace(dest)
    return dest
