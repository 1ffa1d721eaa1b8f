"""Each block sink of the recorder alone, fed hand-made blocks: what it keeps and reports."""

from __future__ import annotations

import numpy as np
import pytest

from appliance.capture.wavfile import WavFormat, read_info
from appliance.capture.writer import WavPartWriter
from appliance.config import ChecksConfig
from appliance.dsp.alarms import AlarmMonitor
from appliance.dsp.levels import block_levels
from appliance.recorder.sinks import Block
from appliance.recorder.sinks.alarms import LiveAlarms
from appliance.recorder.sinks.meter import LevelMeter
from appliance.recorder.sinks.participants import ParticipantSink
from appliance.recorder.sinks.progress import CaptureProgress
from appliance.recorder.sinks.soundtest import SoundTestTap
from appliance.recorder.sinks.summary import PartSummarySink
from appliance.recorder.sinks.writer import PartOutput
from appliance.recorder.soundtest import SoundTestCapture
from tests.recorder_process import part_samples

RATE_HZ = 48000
FRAMES = 4800


def block(samples: np.ndarray, start_frame: int = 0, recording: bool = True,
          overflowed: bool = False) -> Block:
    samples = samples.reshape(-1, 1).astype(np.int16)
    return Block(samples.tobytes(), samples, block_levels(samples), start_frame, overflowed,
                 recording)


def noise(seed: int, frames: int = FRAMES, amplitude: int = 8000) -> np.ndarray:
    return np.random.default_rng(seed).integers(-amplitude, amplitude, frames, dtype=np.int16)


def test_progress_counts_frames_processed_and_overflows():
    progress = CaptureProgress()
    progress.feed(block(noise(1), start_frame=9600))
    progress.feed(block(noise(2), start_frame=14400, overflowed=True))
    assert (progress.frames, progress.overflows) == (19200, 1)


def test_meter_keeps_the_last_levels_and_lets_the_reading_fall():
    meter = LevelMeter(RATE_HZ, 1, clock=lambda: 1234.5)
    loud = block(noise(1, amplitude=30000))
    meter.feed(loud)
    assert meter.levels == loud.levels and meter.levels_time == 1234.5
    peak_after_loud = meter.ballistics.reading.peak_dbfs[0]
    meter.feed(block(np.zeros(FRAMES)))
    assert meter.levels.peak_dbfs[0] < -90
    assert meter.ballistics.reading.peak_dbfs[0] < peak_after_loud  # falls, not jumps


def test_summary_takes_recorded_blocks_of_an_open_part_only():
    sink = PartSummarySink(RATE_HZ, 1)
    sink.feed(block(noise(1)))  # no part open: nothing kept, nothing to hand over
    assert sink.end() is None
    sink.begin()
    sink.feed(block(noise(2)))
    sink.feed(block(noise(3), recording=False))  # paused: not part of the part
    summary = sink.end().to_dict()
    assert summary["duration_s"] == pytest.approx(FRAMES / RATE_HZ)
    assert sink.summary is None


def test_live_alarms_report_clipping_on_and_then_off():
    checks = ChecksConfig()
    changes = []
    sink = LiveAlarms(AlarmMonitor(checks, RATE_HZ, 1), changes.append)
    clipped = noise(1)
    clipped[100:400] = 32767
    sink.feed(block(clipped))
    assert [(c.alarm.code, c.active) for c in changes] == [("clipping", True)]
    quiet_blocks = int(checks.clipping_clear_s * RATE_HZ / FRAMES) + 2
    for n in range(quiet_blocks):
        sink.feed(block(noise(10 + n), start_frame=(n + 1) * FRAMES))
    assert [(c.alarm.code, c.active) for c in changes] == [("clipping", True),
                                                           ("clipping", False)]


class FakeTracker:
    """The participant tracker's feed: counts blocks, reports a check at the third."""

    def __init__(self) -> None:
        self.fed = 0

    def feed(self, samples: np.ndarray) -> dict | None:
        self.fed += 1
        return {"participant": 3} if self.fed == 3 else None


def test_participant_check_sees_only_audio_written_to_a_part():
    tracker, checks, writing = FakeTracker(), [], [False]
    sink = ParticipantSink(tracker, lambda: writing[0], checks.append)
    sink.feed(block(noise(1)))  # recording wanted, no part open
    writing[0] = True
    sink.feed(block(noise(2), recording=False))  # paused
    for n in range(3):
        sink.feed(block(noise(3 + n)))
    assert tracker.fed == 3
    assert checks == [None, None, {"participant": 3}]


def test_sound_test_captures_each_take_the_stream_from_where_they_wait_in_any_state():
    tap = SoundTestTap()
    first = SoundTestCapture("participant", FRAMES + FRAMES // 2, 1)
    second = SoundTestCapture("examiner", FRAMES, 1)
    tap.add(first)
    tap.add(second)
    a, b = noise(1), noise(2)
    tap.feed(block(a, recording=False))
    tap.feed(block(b, recording=False))
    assert first.done.is_set()
    assert np.array_equal(first.buffer[:, 0], np.concatenate([a, b[:FRAMES // 2]]))
    assert second.done.is_set() and np.array_equal(second.buffer[:, 0], b)
    assert not tap.waiting


def test_part_output_writes_recorded_blocks_bit_exact_and_rolls_over(tmp_path):
    fmt = WavFormat(RATE_HZ, 1)
    parts: list[WavPartWriter] = []
    written = []

    def open_part():
        writer = WavPartWriter(tmp_path / f"p{len(parts)}.wav", fmt, max_bytes=200_000)
        parts.append(writer)
        output.writer = writer

    def rollover():
        output.writer.close()
        open_part()

    output = PartOutput(fmt.frame_bytes, rollover, failed=pytest.fail, wrote=written.append)
    output.feed(block(noise(0)))  # no part open: nothing written, nothing counted
    assert not output.flush() and written == []
    open_part()
    blocks = [noise(n) for n in range(1, 31)]
    for n, samples in enumerate(blocks):
        output.feed(block(samples, recording=n != 5))  # block 5 came while paused
        assert output.flush()
    output.writer.close()
    kept = np.concatenate([b for n, b in enumerate(blocks) if n != 5])
    files = [part_samples(w.path)[:, 0] for w in parts]
    assert len(files) > 1 and np.array_equal(np.concatenate(files), kept)
    assert all(read_info(w.path).data_bytes <= w.max_data_bytes for w in parts)
    assert sum(written) == kept.nbytes


def test_part_output_hands_a_refused_write_to_failed(tmp_path):
    class FullDisk:
        def room_frames(self) -> int:
            return 10 ** 9

        def write(self, pcm) -> None:
            raise OSError(28, "No space left on device")

    failures = []
    output = PartOutput(2, rollover=pytest.fail, failed=failures.append, wrote=pytest.fail)
    output.writer = FullDisk()
    output.feed(block(noise(1)))
    assert [err.errno for err in failures] == [28]
