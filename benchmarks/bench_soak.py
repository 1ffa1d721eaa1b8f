"""Soak: the recorder's memory and open file descriptors across a simulated exam day.

    .venv/bin/python benchmarks/bench_soak.py --hours 8

The real recorder process reads the fast ALSA `file` feed (faster than real time) and is driven
like a school day: a participant marker every 15 recorded minutes, a pause and resume every
2 hours (each resume a new part in split mode). Every 10 recorded minutes the recorder's RSS and
open descriptors are sampled from /proc. Prints the figures after the first hour and at the end
and their growth; "flat" means RSS within 5 MB of the first hour, and no more descriptors open
at most in the last third of the day than in the first (a journal write may hold one briefly).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.feeds import make_long_feed, wait_for  # noqa: E402
from tests.recorder_process import RecorderProcess, write_config  # noqa: E402

SAMPLE_EVERY_S = 600
MARK_EVERY_S = 900
BREAK_EVERY_S = 7200


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def soak(feed, work: Path, day_s: float) -> list[tuple[float, float, int]]:
    config = write_config(work / "a.toml", work / "data", device=feed.device)
    rec = RecorderProcess(config, env=feed.process_env()).start()
    pid, samples = rec.proc.pid, []
    try:
        rec.ctl("start")
        for at_s in range(SAMPLE_EVERY_S, int(day_s) + 1, SAMPLE_EVERY_S):
            wait_for(lambda t=at_s: rec.status()["elapsed_s"] >= t, timeout_s=1800,
                     interval_s=0.05, what=f"{at_s} s recorded")
            samples.append((rec.status()["elapsed_s"], rss_mb(pid), open_fds(pid)))
            if at_s % MARK_EVERY_S == 0:
                rec.ctl("mark")
            if at_s % BREAK_EVERY_S == 0:
                rec.ctl("pause")
                rec.ctl("resume")
        rec.ctl("stop")
    finally:
        rec.terminate()
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hours", type=float, default=8.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir="/var/tmp") as tmp:
        work = Path(tmp)
        feed = make_long_feed(work / "home", args.hours * 1.05)
        samples = soak(feed, work, args.hours * 3600)
    first = next(s for s in samples if s[0] >= 3600)
    last = samples[-1]
    for elapsed_s, rss, fds in samples:
        print(f"{elapsed_s / 3600:5.2f} h  RSS {rss:6.1f} MB  fds {fds}")
    third = max(1, len(samples) // 3)
    rss_growth = last[1] - first[1]
    fd_growth = max(s[2] for s in samples[-third:]) - max(s[2] for s in samples[:third])
    print(f"after 1 h: RSS {first[1]:.1f} MB, {first[2]} fds; "
          f"at {last[0] / 3600:.2f} h: RSS {last[1]:.1f} MB, {last[2]} fds")
    print(f"growth: RSS {rss_growth:+.1f} MB, most fds open (last third vs first third of the "
          f"day) {fd_growth:+d}; max RSS {max(s[1] for s in samples):.1f} MB; "
          f"flat: {rss_growth <= 5 and fd_growth <= 0}")


if __name__ == "__main__":
    main()
