"""`appliance check` on a long WAV against `sox FILE -n stats` on the same file: CPU time
(the target: the check's CPU at most 1.0x sox's, on one core) and wall time; and the live
per-block cost (levels + alarms + meter + summary) as a share of one core.

    .venv/bin/python benchmarks/bench_check.py --hours 1 --repeat 7

The file is espeak-ng Russian speech with pauses, repeated, over -65 dBFS room noise and a
-55 dBFS 50 Hz hum (a modest one: the verdict passes), 48 kHz mono PCM 16. Both tools read it
once beforehand, so both run from the page cache. Each round runs, in turn: sox on one core,
the check on one core (`sched_setaffinity`: the check then scans in one process), the check as
installed (on every core: it forks a scanning process per core). Printed: every round with the
load average before it, and the medians. CPU is user + system time of each process and its
children. Python may keep its bytecode caches, as in the installed appliance (pip compiles
them): a development shell with PYTHONDONTWRITEBYTECODE set would otherwise have every module
compiled from source on every run.
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


def timed(command: list[str], env: dict | None = None, core: int | None = None
          ) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall time and CPU time (user + system of the child and of its own children); on
    `core` alone when given."""
    pin = (lambda: os.sched_setaffinity(0, {core})) if core is not None else None
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False,
                            preexec_fn=pin)
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
    core = max(os.sched_getaffinity(0))
    rounds = []
    with tempfile.TemporaryDirectory(prefix="bench-check-") as tmp:
        wav = make_long_wav(Path(tmp), args.hours)
        wav.read_bytes()
        audio_s = (wav.stat().st_size - 44) / 2 / RATE_HZ
        command = [sys.executable, "-m", "appliance", "check", str(wav), "--json",
                   "--config", str(Path(tmp) / "none.toml")]
        as_installed = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        for _ in range(args.repeat):  # in turns: all see the same moments of a shared box
            load = os.getloadavg()[0]
            sox = timed(["sox", str(wav), "-n", "stats"], core=core)[:2]
            one_core = timed(command, as_installed, core=core)
            every_core = timed(command, as_installed)
            rounds.append((load, sox, one_core[:2], every_core[:2]))
        report = json.loads(every_core[2].stdout)
        assert report == json.loads(one_core[2].stdout), "one process or several: one result"
    channel = report["analysis"]["channels"][0]
    print(f"file: {audio_s / 3600:.2f} h, 48 kHz mono PCM 16; check: status {report['status']}, "
          f"speech {channel['speech_level_dbfs']} dBFS, SNR {channel['snr_db']} dB, "
          f"hum {channel['hum_dbfs']} dBFS; {os.cpu_count()} cores")
    print("round  load | sox stats (1 core) | check, 1 core      | check, every core  |"
          " CPU check/sox: 1 core, every core")
    for i, (load, sox, one, every) in enumerate(rounds, 1):
        print(f"{i:5d} {load:5.1f} | {sox[0]:5.2f} s, {sox[1]:5.2f} CPU | {one[0]:5.2f} s, "
              f"{one[1]:5.2f} CPU | {every[0]:5.2f} s, {every[1]:5.2f} CPU | "
              f"{one[1] / sox[1]:5.2f}, {every[1] / sox[1]:5.2f}")

    def median(pick) -> float:
        return statistics.median(pick(r) for r in rounds)
    print(f"medians: load {median(lambda r: r[0]):.1f}; sox {median(lambda r: r[1][0]):.2f} s "
          f"wall, {median(lambda r: r[1][1]):.2f} s CPU; check on 1 core "
          f"{median(lambda r: r[2][0]):.2f} s wall, {median(lambda r: r[2][1]):.2f} s CPU; "
          f"check on every core {median(lambda r: r[3][0]):.2f} s wall, "
          f"{median(lambda r: r[3][1]):.2f} s CPU")
    print(f"CPU ratio check/sox (median of the rounds): {median(lambda r: r[2][1] / r[1][1]):.2f}"
          f" on 1 core (target <= 1.00), {median(lambda r: r[3][1] / r[1][1]):.2f} on every core;"
          f" wall ratio check/sox: {median(lambda r: r[2][0] / r[1][0]):.2f} on 1 core, "
          f"{median(lambda r: r[3][0] / r[1][0]):.2f} on every core")
    cost = live_cost()
    print(f"live per-block work: {cost * 100:.3f} % of one core "
          f"({cost * 0.1 * 1e6:.0f} us per 100 ms block)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
