"""The intro check's live cost against sox band-passing and measuring the same audio.

    .venv/bin/python benchmarks/bench_introcheck.py --minutes 30

The recorder feeds every recorded 100 ms block through `SegmentCheck` (speech-band filter,
20 ms frame levels, noise floor, onset and silence runs). This measures it over `--minutes`
of 48 kHz mono (speech-like bursts over room noise, in 100 ms blocks, as the pipeline does)
and, on the same samples, `sox -t raw ... -n sinc 300-3400 stats` (a band-pass and a pass of
statistics: the nearest reference tool doing comparable work). Prints the real-time factor of
each, the share of one core the check takes while recording, and the ratio (> 1: the check
is faster than sox). Best of `--repeat` runs.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from appliance.participants.flags import CheckLimits  # noqa: E402
from appliance.participants.introcheck import SegmentCheck  # noqa: E402

RATE_HZ = 48000
BLOCK = RATE_HZ // 10


def material(seconds: float) -> np.ndarray:
    rng = np.random.default_rng(1)
    frames = int(seconds * RATE_HZ)
    audio = rng.normal(0, 20, frames).astype(np.float32)
    talking = (np.arange(frames) % int(0.7 * RATE_HZ)) < int(0.4 * RATE_HZ)
    audio[talking] *= 200
    return np.clip(audio, -32768, 32767).astype(np.int16)


def run_check(audio: np.ndarray) -> float:
    check = SegmentCheck(CheckLimits(), RATE_HZ)
    blocks = audio.reshape(-1, 1)
    start = time.perf_counter()
    for i in range(0, blocks.shape[0], BLOCK):
        check.feed(blocks[i:i + BLOCK])
    return time.perf_counter() - start


def run_sox(path: Path) -> float:
    start = time.perf_counter()
    subprocess.run(["sox", "-t", "raw", "-r", str(RATE_HZ), "-c", "1", "-b", "16", "-e",
                    "signed", str(path), "-n", "sinc", "300-3400", "stats"], check=True,
                   capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    seconds = args.minutes * 60
    audio = material(seconds)
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "audio.raw"
        audio.tofile(raw)
        raw.read_bytes()  # page cache
        check_s = min(run_check(audio) for _ in range(args.repeat))
        sox_s = min(run_sox(raw) for _ in range(args.repeat))
    print(f"audio: {args.minutes:.0f} min, 48 kHz mono, 100 ms blocks")
    print(f"intro check: {check_s:.2f} s = {seconds / check_s:.0f}x real time "
          f"({100 * check_s / seconds:.2f}% of one core while recording)")
    print(f"sox sinc 300-3400 stats: {sox_s:.2f} s = {seconds / sox_s:.0f}x real time")
    print(f"ratio (sox time / check time): {sox_s / check_s:.2f}")


if __name__ == "__main__":
    main()
