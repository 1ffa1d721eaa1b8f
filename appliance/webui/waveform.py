"""Compact waveform peaks of a WAV part for the player's canvas, in constant memory.

A part can be 4 GB (hours of audio), so the samples are streamed through numpy a few MB at a
time and folded into a fixed number of buckets: each bucket keeps the loudest absolute sample
of any channel, scaled to 0..255. A sealed part never changes, so its peaks are cached on disk
under `{data_dir}/cache/peaks/` (outside the day folder: the evidence folder is never written
by the web page), keyed by the file's size and modification time so a growing part is
recomputed.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from appliance.capture.wavfile import WavInfo, read_info
from appliance.fsutil import atomic_write_text

DEFAULT_BUCKETS = 2000
CHUNK_BYTES = 4 * 1024 * 1024
SCALE = 255


def available_frames(info: WavInfo) -> int:
    """Frames in the data chunk; for a part still being written (header size not refreshed
    yet) whatever the file holds past the header."""
    on_disk = info.file_bytes - info.data_offset
    size = min(info.data_bytes, on_disk) if info.data_bytes else on_disk
    return max(0, size) // info.format.frame_bytes


def compute_peaks(path: str | os.PathLike, buckets: int = DEFAULT_BUCKETS) -> dict:
    """`{"rate_hz", "channels", "frames", "duration_s", "bucket_frames", "peaks": [0..255]}`.

    Streams the data chunk a few MB at a time: memory does not grow with the part. numpy is
    imported here, when a waveform is first asked for, to keep the web process light."""
    import numpy as np
    info = read_info(path)
    channels = info.format.channels
    frames = available_frames(info)
    per_bucket = max(1, -(-frames // max(1, buckets)))
    chunk_frames = max(1, CHUNK_BYTES // info.format.frame_bytes // per_bucket) * per_bucket
    peaks: list = []
    with open(path, "rb") as f:
        f.seek(info.data_offset)
        done = 0
        while done < frames:
            samples = np.fromfile(f, np.int16, min(chunk_frames, frames - done) * channels)
            got = len(samples) // channels
            if got == 0:
                break
            peaks.append(_bucket_peaks(samples[:got * channels], per_bucket * channels))
            done += got
    loud = np.concatenate(peaks) if peaks else np.zeros(0, np.int32)
    scaled = np.minimum(SCALE, (loud * SCALE + 32767) // 32768)
    return {"rate_hz": info.format.rate_hz, "channels": channels, "frames": done,
            "duration_s": round(done / info.format.rate_hz, 6),
            "bucket_frames": per_bucket, "peaks": scaled.tolist()}


def _bucket_peaks(samples, bucket_samples: int):
    """The largest |sample| of each run of `bucket_samples` (the last run may be short).
    Max and min are taken in int16, so no widened copy of the chunk is ever made."""
    full = len(samples) // bucket_samples * bucket_samples
    rows = [samples[:full].reshape(-1, bucket_samples)] if full else []
    if full < len(samples):
        rows.append(samples[full:].reshape(1, -1))
    import numpy as np
    return np.concatenate([np.maximum(r.max(axis=1).astype(np.int32),
                                      -r.min(axis=1).astype(np.int32)) for r in rows])


def cached_peaks(path: Path, cache_dir: Path, buckets: int = DEFAULT_BUCKETS) -> dict:
    """`compute_peaks`, reusing the result saved for the same file size and mtime."""
    stat = path.stat()
    key = hashlib.sha256(f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{buckets}"
                         .encode()).hexdigest()[:32]
    cache = cache_dir / f"{key}.json"
    try:
        return json.loads(cache.read_text("utf-8"))
    except (FileNotFoundError, ValueError):
        pass
    result = compute_peaks(path, buckets)
    cache_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(cache, json.dumps(result, separators=(",", ":")))
    return result
