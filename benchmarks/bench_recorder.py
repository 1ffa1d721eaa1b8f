"""Recorder CPU per recorded hour against arecord, on the same ALSA file feed, in one run.

    .venv/bin/python benchmarks/bench_recorder.py --hours 8
    .venv/bin/python benchmarks/bench_recorder.py --realtime-s 60 --runs 3

Both read the fast (faster than real time) ALSA `file` device fed with the same seeded noise.
Prints CPU seconds per recorded hour for each (the median of --runs runs of each: arecord's few
CPU-seconds move a lot from run to run on a shared box) and their ratio, input overflows,
whether the recorder's output is bit-identical to the feed, and the recorder's peak RSS.

`--mirror` instead compares the recorder without and with the safety copy (`[mirror] path` on
a tmpfs of its own), alternating, and prints the CPU seconds per recorded hour of each, their
ratio (the target is at most 1.3), and whether both media hold the feed bit for bit.

`--realtime-s S` instead records S seconds of the JACK-clocked real-time feed with the mock
GPIO backend (the LEDs poll the status 10 times a second, as on the box) and prints the
recorder's CPU seconds per recorded hour at real speed: the steady per-second costs (the
pipeline's loop, housekeeping, the write supervisor, status) that the fast feed hides. With
`--mirror` too, alternating runs without and with the safety copy.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.feeds import (  # noqa: E402
    RATE_HZ,
    Feed,
    JackClock,
    make_long_feed,
    make_rt_feed,
    wait_for,
)
from tests.recorder_process import RecorderProcess, journal, part_samples, write_config  # noqa: E402


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def bench_arecord(feed: Feed, seconds: int, out: Path) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(["arecord", "-q", "-D", feed.device, "-f", "S16_LE", "-r", str(RATE_HZ),
                    "-c", "1", "-t", "raw", "-d", str(seconds), str(out)],
                   env=feed.process_env(), check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    out.unlink()
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def bench_recorder(feed: Feed, work: Path, seconds: int, mirror: Path | None = None) -> dict:
    config = write_config(work / "a.toml", work / "data", device=feed.device,
                          mirror={"path": str(mirror) if mirror else ""})
    rec = RecorderProcess(config, env=feed.process_env()).start()
    pid = rec.proc.pid
    rec.ctl("start")
    cpu0, wall0 = cpu_s(pid), time.monotonic()
    target = seconds * 0.8  # stop short of the feed's end: samples after it are undefined
    wait_for(lambda: rec.status()["elapsed_s"] >= target, timeout_s=3600, interval_s=0.2,
             what="recorded hours")
    status = rec.ctl("stop")
    cpu1, wall1 = cpu_s(pid), time.monotonic()
    rss = peak_rss_mb(pid)
    rec.terminate()
    (day_dir,) = rec.day_dirs
    opened = [e.data for e in journal(day_dir) if e.event == "part_opened"]
    identical = True
    for folder in [day_dir] + ([mirror / "recordings" / day_dir.name] if mirror else []):
        for part in opened:
            samples = part_samples(folder / part["file"])
            start = part["capture_frame"]
            if start + len(samples) > len(feed.samples):
                raise SystemExit("the recorder read past the end of the feed: make it longer")
            identical &= bool(np.array_equal(samples, feed.samples[start:start + len(samples)]))
    return {"cpu_s": cpu1 - cpu0, "wall_s": wall1 - wall0, "recorded_s": status["elapsed_s"],
            "overflows": status["overflows"], "identical": identical, "rss_mb": rss,
            "parts": len(opened)}


def bench_realtime(work: Path, seconds: float, mirror: Path | None = None) -> float:
    """CPU seconds per recorded hour over `seconds` of real-time recording."""
    jack = JackClock().start()
    try:
        feed = make_rt_feed(work / "home", jack, seconds + 60)
        config = write_config(work / "a.toml", work / "data", device=feed.device,
                              gpio={"backend": "mock"},
                              mirror={"path": str(mirror) if mirror else ""})
        rec = RecorderProcess(config, env=feed.process_env()).start()
        rec.ctl("start")
        wait_for(lambda: rec.status()["elapsed_s"] >= 2, what="recording")
        cpu0, recorded0 = cpu_s(rec.proc.pid), rec.status()["elapsed_s"]
        time.sleep(seconds)  # the measured stretch of real time, not a wait for a condition
        cpu1, recorded1 = cpu_s(rec.proc.pid), rec.status()["elapsed_s"]
        rec.ctl("stop")
        rec.terminate()
    finally:
        jack.stop()
    return (cpu1 - cpu0) / ((recorded1 - recorded0) / 3600)


def main_realtime(seconds: float, runs: int, mirrored: bool) -> None:
    """Real time; with `mirrored`, alternating runs without and with the safety copy."""
    kinds = ("without", "with") if mirrored else ("",)
    per_h: dict[str, list[float]] = {kind: [] for kind in kinds}
    for run in range(runs):
        for kind in kinds:
            with tempfile.TemporaryDirectory(dir="/var/tmp") as tmp, \
                    stick(Path(tmp), 64) as mount:
                mirror = mount / "zapis" if kind == "with" else None
                per_h[kind].append(bench_realtime(Path(tmp), seconds, mirror))
            print(f"run {run + 1} {kind}: {per_h[kind][-1]:.2f} CPU-s per recorded hour",
                  flush=True)
    for kind in kinds:
        print(f"real time {kind}: {statistics.median(per_h[kind]):.2f} CPU-s per recorded hour "
              f"(median of {runs} runs of {seconds:.0f} s)")
    if mirrored:
        ratio = statistics.median(per_h["with"]) / statistics.median(per_h["without"])
        print(f"ratio with/without: {ratio:.2f} (target <= 1.3)")


@contextlib.contextmanager
def stick(work: Path, size_mb: int):
    """A tmpfs of its own standing in for the safety copy's stick (a mirror on the data disk
    itself is refused)."""
    mount = work / "stick"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "benchstick",
                    str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def main_mirror(hours: float, runs: int) -> None:
    """Without and with the safety copy, alternating, on the same fast feed."""
    seconds = int(hours * 3600)
    with tempfile.TemporaryDirectory(dir="/var/tmp") as tmp:
        work = Path(tmp)
        feed = make_long_feed(work / "home", hours)
        results: dict[str, list[dict]] = {"without": [], "with": []}
        with stick(work, int(seconds * RATE_HZ * 2 / 1e6) + 200) as mount:
            for run in range(runs):
                for kind in ("without", "with"):
                    run_dir = work / f"run{run}-{kind}"
                    run_dir.mkdir()
                    mirror = mount / "zapis" if kind == "with" else None
                    results[kind].append(bench_recorder(feed, run_dir, seconds, mirror))
                    shutil.rmtree(run_dir)
                    if mirror:
                        shutil.rmtree(mirror)
                    last = results[kind][-1]
                    print(f"run {run + 1} {kind} mirror: "
                          f"{last['cpu_s'] / (last['recorded_s'] / 3600):.2f} CPU-s per "
                          f"recorded hour, {last['wall_s']:.1f} s wall", flush=True)
    per_h = {kind: [r["cpu_s"] / (r["recorded_s"] / 3600) for r in recs]
             for kind, recs in results.items()}
    wall = {kind: statistics.median(r["wall_s"] for r in recs) for kind, recs in results.items()}
    for kind in ("without", "with"):
        print(f"{kind:7} mirror: {statistics.median(per_h[kind]):.3f} CPU-s per recorded hour "
              f"(median of {runs}), {wall[kind]:.1f} s wall (median)")
    ratio = statistics.median(per_h["with"]) / statistics.median(per_h["without"])
    print(f"ratio with/without: {ratio:.2f} (target <= 1.3)")
    print(f"bit-identical to the feed on every medium: "
          f"{all(r['identical'] for recs in results.values() for r in recs)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hours", type=float, default=8.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--realtime-s", type=float, default=0.0,
                        help="measure S seconds of real-time recording instead")
    parser.add_argument("--mirror", action="store_true",
                        help="compare the recorder without and with the safety copy instead")
    args = parser.parse_args()
    if args.realtime_s:
        main_realtime(args.realtime_s, args.runs, args.mirror)
        return
    if args.mirror:
        main_mirror(args.hours, args.runs)
        return
    seconds = int(args.hours * 3600)
    with tempfile.TemporaryDirectory(dir="/var/tmp") as tmp:
        work = Path(tmp)
        feed = make_long_feed(work / "home", args.hours)
        arecord_per_h, recs = [], []
        for run in range(args.runs):
            arecord_cpu = bench_arecord(feed, int(seconds * 0.8), work / "arecord.raw")
            arecord_per_h.append(arecord_cpu / (seconds * 0.8 / 3600))
            run_dir = work / f"run{run}"
            run_dir.mkdir()
            recs.append(bench_recorder(feed, run_dir, seconds))
            shutil.rmtree(run_dir)  # 2 GB of WAV per run
    recorder_per_h = [rec["cpu_s"] / (rec["recorded_s"] / 3600) for rec in recs]
    arecord_median, recorder_median = (statistics.median(arecord_per_h),
                                       statistics.median(recorder_per_h))
    rec = recs[0]
    print(f"recorded: {rec['recorded_s'] / 3600:.2f} h in {rec['parts']} part(s) per run, "
          f"{statistics.median(r['wall_s'] for r in recs):.1f} s wall (median), {args.runs} runs")
    print(f"arecord:  {arecord_median:.3f} CPU-s per recorded hour (median; runs: "
          f"{', '.join(f'{v:.3f}' for v in arecord_per_h)})")
    print(f"recorder: {recorder_median:.3f} CPU-s per recorded hour (median; runs: "
          f"{', '.join(f'{v:.3f}' for v in recorder_per_h)})")
    print(f"ratio recorder/arecord: {recorder_median / arecord_median:.2f} (medians)")
    print(f"input overflows: {sum(r['overflows'] for r in recs)}; bit-identical to the feed: "
          f"{all(r['identical'] for r in recs)}")
    print(f"recorder peak RSS: {max(r['rss_mb'] for r in recs):.1f} MB")


if __name__ == "__main__":
    main()
