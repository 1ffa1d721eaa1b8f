"""Recorder CPU per recorded hour against arecord, on the same ALSA file feed, in one run.

    .venv/bin/python benchmarks/bench_recorder.py --hours 8

Both read the fast (faster than real time) ALSA `file` device fed with the same seeded noise.
Prints CPU seconds per recorded hour for each (the median of --runs runs of each: arecord's few
CPU-seconds move a lot from run to run on a shared box) and their ratio, input overflows,
whether the recorder's output is bit-identical to the feed, and the recorder's peak RSS.

The real-time counterpart (the steady per-second costs the fast feed hides) is
`bench_realtime.py`.

`--mirror` instead compares the recorder without and with the safety copy (`[mirror] path` on
a tmpfs of its own), alternating, and prints the CPU seconds per recorded hour of each, their
ratio (the target is at most 1.3), and whether both media hold the feed bit for bit
(`bench_realtime.py --mirror` does the same at real time).
"""

from __future__ import annotations

import argparse
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

from benchmarks.bench_realtime import cpu_s, peak_rss_mb  # noqa: E402
from tests.feeds import RATE_HZ, Feed, make_long_feed, wait_for  # noqa: E402
from tests.recorder_process import RecorderProcess, journal, part_samples, write_config  # noqa: E402
from tests.stickfs import tmpfs_stick  # noqa: E402


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


def main_mirror(hours: float, runs: int) -> None:
    """Without and with the safety copy, alternating, on the same fast feed."""
    seconds = int(hours * 3600)
    with tempfile.TemporaryDirectory(dir="/var/tmp") as tmp:
        work = Path(tmp)
        feed = make_long_feed(work / "home", hours)
        results: dict[str, list[dict]] = {"without": [], "with": []}
        with tmpfs_stick(work, int(seconds * RATE_HZ * 2 / 1e6) + 200) as mount:
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
    parser.add_argument("--mirror", action="store_true",
                        help="compare the recorder without and with the safety copy instead")
    args = parser.parse_args()
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
