"""The player's waveform peaks of a long part against `sox FILE -n stat` on the same file.

    .venv/bin/python benchmarks/bench_waveform.py --hours 1

Both read every sample of a 48 kHz mono PCM 16 part once (sox to compute its statistics,
including the maximum amplitude; the web page to fold the samples into 2000 peaks). The file is
read once beforehand so both run from the page cache; the best of `--repeat` runs of each is
compared (ratio > 1: the peaks are faster than sox). The peak memory of the peaks computation
(tracemalloc) shows it does not grow with the part.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from appliance.capture.wavfile import WavFormat  # noqa: E402
from appliance.capture.writer import WavPartWriter  # noqa: E402
from appliance.webui.waveform import compute_peaks  # noqa: E402

RATE_HZ = 48000


def make_part(path: Path, hours: float) -> None:
    """Noise under a slow envelope, written by the recorder's own writer a minute at a time."""
    rng = np.random.default_rng(3)
    minute = RATE_HZ * 60
    with WavPartWriter(path, WavFormat(RATE_HZ, 1), sync_interval_s=3600) as writer:
        for m in range(round(hours * 60)):
            gain = 2000 + 8000 * abs(np.sin(m / 7))
            writer.write((rng.standard_normal(minute) * gain).clip(-32768, 32767)
                         .astype(np.int16).tobytes())


def best_of(repeat: int, run) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hours", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "part.wav"
        make_part(path, args.hours)
        size_mb = path.stat().st_size / 1e6
        path.read_bytes()  # into the page cache for both
        sox_s = best_of(args.repeat, lambda: subprocess.run(
            ["sox", str(path), "-n", "stat"], check=True, capture_output=True))
        peaks_s = best_of(args.repeat, lambda: compute_peaks(path))
        tracemalloc.start()
        compute_peaks(path)
        peak_mb = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    print(f"part: {args.hours:g} h, {size_mb:.0f} MB")
    print(f"sox -n stat: {sox_s:.2f} s ({size_mb / sox_s:.0f} MB/s)")
    print(f"peaks:       {peaks_s:.2f} s ({size_mb / peaks_s:.0f} MB/s), "
          f"traced peak memory {peak_mb:.1f} MB")
    print(f"ratio (sox time / peaks time): {sox_s / peaks_s:.1f}")


if __name__ == "__main__":
    main()
