"""`appliance check` on a long WAV against `sox FILE -n stats` on the same file, in one run;
and the live per-block cost (levels + alarms + meter + summary) as a share of one core.

    .venv/bin/python benchmarks/bench_check.py --hours 1

The file is espeak-ng Russian speech with pauses, repeated, over -65 dBFS room noise and a
-55 dBFS 50 Hz hum (a modest one: the verdict passes), 48 kHz mono PCM 16. Both tools read it
once beforehand, so both run from the page cache. They run in turn, `--repeat` times each;
printed are the ratio of the best wall times, the median and lowest ratio of the runs in turn,
and the ratio of the best CPU times (> 1 means `appliance check` is faster than sox).
Python may keep its bytecode caches, as in the installed appliance (pip compiles them): a
development shell with PYTHONDONTWRITEBYTECODE set would otherwise have every module compiled
from source on every run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from appliance.config import ChecksConfig  # noqa: E402
from appliance.dsp.alarms import AlarmMonitor  # noqa: E402
from appliance.dsp.levels import block_levels  # noqa: E402
from appliance.dsp.meter import MeterBallistics  # noqa: E402
from appliance.dsp.summary import PartSummary  # noqa: E402

RATE_HZ = 48000
PHRASE = "Иванов Иван Иванович, вариант три. Раз, два, три, четыре, пять."


def make_long_wav(workdir: Path, hours: float) -> Path:
    one = workdir / "one.wav"
    subprocess.run(["espeak-ng", "-v", "ru", "-w", str(workdir / "raw.wav"), PHRASE], check=True)
    subprocess.run(["sox", str(workdir / "raw.wav"), "-r", str(RATE_HZ), str(one), "norm", "-6",
                    "pad", "0", "1.5"], check=True)
    length_s = float(subprocess.run(["soxi", "-D", str(one)], capture_output=True, text=True,
                                    check=True).stdout)
    repeats = int(hours * 3600 / length_s)
    speech = workdir / "speech.wav"
    subprocess.run(["sox", str(one), str(speech), "repeat", str(repeats)], check=True)
    total_s = length_s * (repeats + 1)
    noise, hum = workdir / "noise.wav", workdir / "hum.wav"
    for path, generator in ((noise, ["whitenoise"]), (hum, ["sine", "50"])):
        subprocess.run(["sox", "-n", "-r", str(RATE_HZ), "-b", "16", "-c", "1", str(path),
                        "synth", str(total_s), *generator], check=True)
    out = workdir / "long.wav"
    subprocess.run(["sox", "-m", "-v", "1", str(speech), "-v", "0.001", str(noise),
                    "-v", "0.0025", str(hum), "-b", "16", str(out)], check=True)
    return out


def timed(command: list[str], env: dict | None = None
          ) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall time and CPU time (user + system of the child and of its own children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, result)


def live_cost(seconds: float = 600.0) -> float:
    """CPU seconds per second of audio for the per-block work at 48 kHz mono, 100 ms blocks."""
    rng = np.random.default_rng(7)
    blocks = [np.round(rng.standard_normal((RATE_HZ // 10, 1)) * 3000).astype(np.int16)
              for _ in range(100)]
    monitor = AlarmMonitor(ChecksConfig(), RATE_HZ, 1)
    meter, summary = MeterBallistics(1), PartSummary(RATE_HZ, 1)
    count = int(seconds * 10)
    start = time.process_time()
    for i in range(count):
        block = blocks[i % len(blocks)]
        levels = block_levels(block)
        monitor.feed(block, levels, False)
        meter.update(levels, 0.1)
        summary.feed(block, levels)
    return (time.process_time() - start) / seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-check-") as tmp:
        wav = make_long_wav(Path(tmp), args.hours)
        wav.read_bytes()
        audio_s = (wav.stat().st_size - 44) / 2 / RATE_HZ
        command = [sys.executable, "-m", "appliance", "check", str(wav), "--json",
                   "--config", str(Path(tmp) / "none.toml")]
        as_installed = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        sox, ours, result = [], [], None
        for _ in range(args.repeat):  # in turns: both see the same moments of a shared box
            sox.append(timed(["sox", str(wav), "-n", "stats"])[:2])
            *times, result = timed(command, as_installed)
            ours.append(tuple(times))
        report = json.loads(result.stdout)
    channel = report["analysis"]["channels"][0]
    cost = live_cost()
    print(f"file: {audio_s / 3600:.2f} h, 48 kHz mono PCM 16")
    pair_ratios = sorted(s[0] / o[0] for s, o in zip(sox, ours, strict=True))
    sox_s, sox_cpu_s = (min(run[i] for run in sox) for i in (0, 1))
    ours_s, ours_cpu_s = (min(run[i] for run in ours) for i in (0, 1))
    print(f"sox stats:        {sox_s:6.2f} s  ({audio_s / sox_s:7.0f}x real time), best of "
          f"{args.repeat}")
    print(f"appliance check:  {ours_s:6.2f} s  ({audio_s / ours_s:7.0f}x real time), best of "
          f"{args.repeat}; status {report['status']}, speech {channel['speech_level_dbfs']} "
          f"dBFS, SNR {channel['snr_db']} dB, hum {channel['hum_dbfs']} dBFS")
    print(f"throughput ratio appliance/sox: {sox_s / ours_s:.2f} (best wall times), "
          f"{statistics.median(pair_ratios):.2f} (median of the {len(pair_ratios)} runs in "
          f"turn; lowest {pair_ratios[0]:.2f}), {sox_cpu_s / ours_cpu_s:.2f} (best CPU: sox "
          f"{sox_cpu_s:.2f} s, appliance {ours_cpu_s:.2f} s)")
    print(f"live per-block work: {cost * 100:.3f} % of one core "
          f"({cost * 0.1 * 1e6:.0f} us per 100 ms block)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
