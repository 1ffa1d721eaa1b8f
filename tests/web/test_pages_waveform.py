"""Waveform peaks: exact against a whole-array reference, constant memory, open parts, cache."""

from __future__ import annotations

import os
import struct
import time
import tracemalloc

import numpy as np
import pytest

from appliance.capture.wavfile import Cue, WavFormat, build_header
from appliance.capture.writer import WavPartWriter
from appliance.webui import waveform


def reference_peaks(samples: np.ndarray, per_bucket: int) -> list[int]:
    """The loudest |sample| of any channel per bucket, scaled to 0..255, all in memory."""
    loud = np.abs(samples.astype(np.int32)).max(axis=1)
    pad = (-len(loud)) % per_bucket
    loud = np.concatenate([loud, np.zeros(pad, np.int32)]).reshape(-1, per_bucket).max(axis=1)
    return np.minimum(255, (loud * 255 + 32767) // 32768).tolist()


def write_part(path, samples: np.ndarray, rate_hz: int = 8000, seal: bool = True) -> None:
    writer = WavPartWriter(path, WavFormat(rate_hz, samples.shape[1]), sync_interval_s=3600)
    writer.write(samples.tobytes())
    writer.flush()
    if seal:
        writer.close([Cue(100, "Участник 1")])


@pytest.mark.parametrize("channels", [1, 2])
def test_peaks_equal_the_whole_array_reference_across_chunk_boundaries(tmp_path, monkeypatch,
                                                                        channels):
    rng = np.random.default_rng(5)
    samples = (rng.normal(0, 3000, (123_457, channels))).clip(-32768, 32767).astype(np.int16)
    samples[50_000:50_010, channels - 1] = -32768  # a full-scale spike in one channel only
    write_part(tmp_path / "p.wav", samples)
    monkeypatch.setattr(waveform, "CHUNK_BYTES", 10_000)  # many chunks, none bucket-aligned
    result = waveform.compute_peaks(tmp_path / "p.wav", buckets=1000)
    per_bucket = result["bucket_frames"]
    assert per_bucket == -(-123_457 // 1000)
    assert result["frames"] == 123_457
    assert result["duration_s"] == pytest.approx(123_457 / 8000)
    assert result["peaks"] == reference_peaks(samples, per_bucket)
    assert 255 in result["peaks"]


def test_a_part_still_being_written_is_read_from_the_file_size(tmp_path):
    samples = np.full((8000, 1), 1000, np.int16)
    samples[-1] = 20000
    write_part(tmp_path / "open.wav", samples, seal=False)  # header still says 0 data bytes
    result = waveform.compute_peaks(tmp_path / "open.wav", buckets=10)
    assert result["frames"] == 8000
    assert result["peaks"][-1] == (20000 * 255 + 32767) // 32768


def test_a_4_gb_class_part_is_streamed_in_constant_memory(tmp_path):
    """1 GB of data (a sparse file): memory stays a few chunks, whatever the part's size."""
    path = tmp_path / "big.wav"
    data_bytes = 1_000_000_000
    header = build_header(WavFormat(48000, 1), None, data_bytes)
    with open(path, "wb") as f:
        f.write(header)
        f.truncate(len(header) + data_bytes)
        f.seek(len(header) + data_bytes - 2)
        f.write(struct.pack("<h", -32768))  # the very last sample is full scale
    tracemalloc.start()
    started = time.perf_counter()
    result = waveform.compute_peaks(path)
    elapsed_s = time.perf_counter() - started
    _, peak_bytes = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert result["frames"] == data_bytes // 2
    assert result["peaks"][-1] == 255 and max(result["peaks"][:-1]) == 0
    assert len(result["peaks"]) <= waveform.DEFAULT_BUCKETS
    assert peak_bytes < 3 * waveform.CHUNK_BYTES, peak_bytes
    print(f"1 GB of samples in {elapsed_s:.2f} s, traced peak {peak_bytes / 1e6:.1f} MB")


def test_cache_is_reused_for_the_same_file_and_redone_when_it_grows(tmp_path):
    part, cache = tmp_path / "p.wav", tmp_path / "cache"
    write_part(part, np.full((4000, 1), 100, np.int16), seal=False)
    first = waveform.cached_peaks(part, cache, buckets=4)
    [saved] = list(cache.iterdir())
    stamp = saved.stat().st_mtime_ns
    assert waveform.cached_peaks(part, cache, buckets=4) == first
    assert saved.stat().st_mtime_ns == stamp  # read back, not recomputed
    with open(part, "ab") as f:
        f.write(np.full(4000, 30000, np.int16).tobytes())
    os.utime(part, ns=(stamp + 10**9, stamp + 10**9))
    grown = waveform.cached_peaks(part, cache, buckets=4)
    assert grown["frames"] == 8000 and max(grown["peaks"]) > max(first["peaks"])
