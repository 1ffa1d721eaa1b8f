"""WAV parts: header, bext, cues, crash-safe growth and repair of torn files."""

from __future__ import annotations

import random
import shutil
import subprocess

import numpy as np
import pytest

from appliance.capture import wavfile
from appliance.capture.wavfile import Bext, Cue, WavFormat
from appliance.capture.writer import WavPartWriter
from appliance.errors import WavFormatError

FMT = WavFormat(48000, 1)
BEXT = Bext("Itogovoe sobesedovanie; OO 640101; room 0005; part 1", "appliance test",
            "640101000520270210001", "2027-02-10", "09:00:00", 9 * 3600 * 48000,
            "A=PCM,F=48000,W=16,M=mono\r\n")


def tool_accepts(path) -> tuple[bool, bool]:
    sox = subprocess.run(["sox", "--i", str(path)], capture_output=True)
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_format", str(path)],
                           capture_output=True)
    return sox.returncode == 0, probe.returncode == 0 and not probe.stderr


def write_part(path, seconds: float, cues=()) -> np.ndarray:
    samples = np.random.default_rng(3).integers(-9000, 9000, int(48000 * seconds), np.int16)
    with WavPartWriter(path, FMT, BEXT) as writer:
        for block in np.array_split(samples, 17):
            writer.write(block.tobytes())
        writer.close(list(cues))
    return samples


def test_sealed_part_reads_back_exactly(tmp_path):
    path = tmp_path / "p.wav"
    cues = [Cue(0, "Начало записи"), Cue(48000, "Участник 1")]
    samples = write_part(path, 2.5, cues)
    info = wavfile.read_info(path)
    assert info.frames == len(samples) and info.bext == BEXT and info.cues == cues
    with open(path, "rb") as f:
        f.seek(info.data_offset)
        assert np.array_equal(np.frombuffer(f.read(info.data_bytes), np.int16), samples)
    assert tool_accepts(path) == (True, True)


def test_never_overwrites_an_existing_file(tmp_path):
    path = tmp_path / "p.wav"
    write_part(path, 0.1)
    with pytest.raises(FileExistsError):
        WavPartWriter(path, FMT, BEXT)


def test_size_fields_are_current_after_each_sync(tmp_path):
    path = tmp_path / "p.wav"
    now = [0.0]
    writer = WavPartWriter(path, FMT, BEXT, sync_interval_s=1.0, monotonic=lambda: now[0])
    writer.write(b"\1\0" * 4800)
    assert wavfile.read_info(path).data_bytes == 0, "not yet synced"
    now[0] = 1.0
    writer.write(b"\1\0" * 4800)
    assert wavfile.read_info(path).frames == 9600, "synced: the header tells the truth"
    writer.close()


def test_rollover_room_respects_the_limit(tmp_path):
    writer = WavPartWriter(tmp_path / "p.wav", FMT, BEXT, max_bytes=200_000)
    room = writer.room_frames()
    assert 0 < room * 2 + len(writer.header) < 200_000
    writer.close()


@pytest.mark.parametrize("seed", range(12))
def test_a_part_cut_at_a_random_byte_is_repaired_to_every_whole_frame(tmp_path, seed):
    path = tmp_path / "p.wav"
    rng = random.Random(seed)
    cues = [Cue(100, "Участник 1")]
    samples = write_part(path, 1.0, cues if seed % 2 else ())
    header = wavfile.build_header(FMT, BEXT)
    size = path.stat().st_size
    cut = rng.randrange(0, size)
    torn = tmp_path / "torn.wav"
    shutil.copy(path, torn)
    with open(torn, "r+b") as f:
        f.truncate(cut)
        if cut > 8 and rng.random() < 0.5:  # and the header never got its last update
            f.seek(4)
            f.write(b"\0\0\0\0")
    info, _ = wavfile.repair(torn, header)
    whole_frames = max(0, min(cut - len(header), len(samples) * 2)) // 2
    assert info.frames == whole_frames
    with open(torn, "rb") as f:
        f.seek(info.data_offset)
        got = np.frombuffer(f.read(info.data_bytes), np.int16)
    assert np.array_equal(got, samples[:whole_frames])
    assert tool_accepts(torn) == (True, True), f"cut at {cut} of {size}"


def test_a_cut_while_the_trailer_is_written_never_makes_trailer_bytes_samples(tmp_path):
    path = tmp_path / "p.wav"
    samples = write_part(path, 1.0, [Cue(100, "Участник 1"), Cue(20000, "Пауза")])
    info = wavfile.read_info(path)
    data_end = info.data_offset + info.data_bytes
    header = wavfile.build_header(FMT, BEXT)
    for cut in range(data_end + 1, path.stat().st_size):  # every byte of the trailer
        torn = tmp_path / "torn.wav"
        shutil.copy(path, torn)
        with open(torn, "r+b") as f:
            f.truncate(cut)
        repaired, changed = wavfile.repair(torn, header)
        assert changed and repaired.frames == len(samples), f"cut at {cut}"
        assert torn.stat().st_size == data_end
    assert tool_accepts(torn) == (True, True)


def test_repair_leaves_a_sound_file_alone(tmp_path):
    path = tmp_path / "p.wav"
    write_part(path, 0.5, [Cue(10, "x")])
    before = path.read_bytes()
    _, changed = wavfile.repair(path, wavfile.build_header(FMT, BEXT))
    assert not changed and path.read_bytes() == before


def test_a_foreign_file_is_not_touched(tmp_path):
    path = tmp_path / "notes.wav"
    path.write_bytes(b"hello world, not audio")
    with pytest.raises(WavFormatError, match="notes.wav"):
        wavfile.repair(path, wavfile.build_header(FMT, BEXT))
    assert path.read_bytes() == b"hello world, not audio"


def test_written_frames_count_at_once_and_reach_the_file_at_flush(tmp_path):
    path = tmp_path / "p.wav"
    writer = WavPartWriter(path, FMT, BEXT, sync_interval_s=3600)
    header = path.stat().st_size
    writer.write(b"\1\0" * 4800)
    writer.write(b"\2\0" * 4800)
    assert writer.frames == 9600, "markers and alarms see the batch's frames at once"
    assert path.stat().st_size == header, "one system call per batch, at flush"
    writer.flush()
    assert path.stat().st_size == header + 2 * 9600
    writer.write(b"\3\0" * 100)
    writer.close()
    assert wavfile.read_info(path).frames == 9700, "sealing flushes what was held"
