"""The recorder at real time against arecord, on the same JACK-clocked feed, in alternation.

    .venv/bin/python benchmarks/bench_realtime.py --seconds 60 --rounds 3
    .venv/bin/python benchmarks/bench_realtime.py --seconds 60 --rounds 3 --image-alsa
    .venv/bin/python benchmarks/bench_realtime.py --seconds 40 --rounds 3 --mirror

Each round starts a private JACK dummy clock and the bit-exact real-time feed (TESTING.md),
then records `--seconds` of it with `arecord` and, in turn, with a real `appliance recorder`
process (mock GPIO backend: the LEDs poll the status once a second, as on the box). The
recorder's CPU is counted over `--seconds` of recording after its first recorded second, in
which nothing else asks it for its status (a page left open would), and divided by the audio
recorded in that stretch; arecord's over its whole run. Prints, per round and as medians: CPU
seconds per recorded hour, CPU beside wall time, peak RSS (VmHWM less JACK's shared memory),
the load average, and whether every recorded part is bit-identical to the feed. This is
what the box pays all day; `bench_recorder.py` measures the fast feed, where per-second
costs hide behind per-byte ones.

`--image-alsa` runs both with ALSA's configuration minus /etc/alsa/conf.d: the plugins of
libasound2-plugins (installed here for the JACK feed, not on the box's image) then are not
loaded when PortAudio lists the devices, which on this machine adds about 16 MB to the
recorder's RSS (libavcodec, librsvg, PulseAudio's and others).

`--mirror` adds, in each round, a third run: the recorder with the safety copy (`[mirror]
path` on a tmpfs of its own), and prints its cost against the recorder without it (the
target is at most 1.3).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.feeds import RATE_HZ, Feed, JackClock, make_rt_feed, wait_for  # noqa: E402
from tests.recorder_process import (  # noqa: E402
    RecorderProcess,
    journal,
    part_samples,
    write_config,
)
from tests.stickfs import tmpfs_stick  # noqa: E402


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM) less JACK's shared memory segment (RssShmem:
    about 100 MB mapped by every JACK client, the same in arecord; the box's ALSA device has
    none)."""
    fields = {line.split(":")[0]: int(line.split()[1])
              for line in Path(f"/proc/{pid}/status").read_text().splitlines()
              if line.startswith(("VmHWM:", "RssShmem:"))}
    return (fields["VmHWM"] - fields["RssShmem"]) / 1024


def run_arecord(feed: Feed, seconds: int, out: Path) -> dict:
    """arecord for `seconds` of the feed: its CPU (user + system), wall and peak RSS."""
    start = os.times().elapsed
    proc = subprocess.Popen(["arecord", "-q", "-D", feed.device, "-f", "S16_LE", "-r",
                             str(RATE_HZ), "-c", "1", "-t", "raw", "-d", str(seconds), str(out)],
                            env=feed.process_env())
    rss = 0.0
    while True:  # its peak is read while it runs (its rusage would count the fork's memory)
        try:
            rss = max(rss, peak_rss_mb(proc.pid))
        except (OSError, KeyError):
            pass
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        time.sleep(0.5)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = os.times().elapsed - start
    if proc.returncode != 0:
        raise SystemExit(f"arecord failed ({proc.returncode})")
    recorded_s = out.stat().st_size / 2 / RATE_HZ
    identical = bool(np.array_equal(np.fromfile(out, np.int16),
                                    feed.samples[:int(recorded_s * RATE_HZ), 0]))
    out.unlink()
    return {"cpu_s": usage.ru_utime + usage.ru_stime, "wall_s": wall, "recorded_s": recorded_s,
            "rss_mb": rss, "identical": identical}


def run_recorder(feed: Feed, work: Path, seconds: int, mirror: Path | None = None) -> dict:
    """The recorder process recording `seconds` of the feed after its first second (with the
    safety copy in `mirror` when given)."""
    config = write_config(work / "r.toml", work / "data", device=feed.device,
                          gpio={"backend": "mock"},
                          mirror={"path": str(mirror) if mirror else ""})
    rec = RecorderProcess(config, env=feed.process_env()).start()
    try:
        pid = rec.proc.pid
        rec.ctl("start")
        recorded0 = wait_for(lambda: _elapsed_from(rec, 1.0), timeout_s=30, what="recording")
        cpu0, wall0 = cpu_s(pid), os.times().elapsed
        time.sleep(seconds)  # the measured stretch: nobody asks the recorder for its status
        cpu1, wall1 = cpu_s(pid), os.times().elapsed
        recorded1 = rec.status()["elapsed_s"]
        rss = peak_rss_mb(pid)
        status = rec.ctl("stop")
    finally:
        rec.terminate()
    (day_dir,) = rec.day_dirs
    identical = True
    copies = [day_dir] + ([mirror / "recordings" / day_dir.name] if mirror else [])
    for part in (e.data for e in journal(day_dir) if e.event == "part_opened"):
        for folder in copies:
            samples = part_samples(folder / part["file"])
            start = part["capture_frame"]
            identical &= bool(np.array_equal(samples, feed.samples[start:start + len(samples)]))
    return {"cpu_s": cpu1 - cpu0, "wall_s": wall1 - wall0, "recorded_s": recorded1 - recorded0,
            "rss_mb": rss, "identical": identical, "overflows": status["overflows"]}


def _elapsed_from(rec: RecorderProcess, at_least_s: float) -> float | None:
    elapsed = rec.status()["elapsed_s"]
    return elapsed if elapsed >= at_least_s else None


def per_hour(run: dict) -> float:
    return run["cpu_s"] / (run["recorded_s"] / 3600)


def image_alsa_config(work: Path) -> Path:
    """alsa.conf without the conf.d folder that libasound2-plugins fills."""
    text = Path("/usr/share/alsa/alsa.conf").read_text()
    path = work / "alsa.conf"
    path.write_text("\n".join(line for line in text.splitlines()
                              if '"/etc/alsa/conf.d"' not in line) + "\n")
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--image-alsa", action="store_true",
                        help="ALSA without the plugins of /etc/alsa/conf.d, as on the image")
    parser.add_argument("--mirror", action="store_true",
                        help="also the recorder with the safety copy, in each round")
    args = parser.parse_args()
    arecords, recorders, mirrored, loads = [], [], [], []
    for n in range(args.rounds):
        with tempfile.TemporaryDirectory(dir="/var/tmp") as tmp:
            work = Path(tmp)
            jack = JackClock().start()
            try:
                feed = make_rt_feed(work / "home", jack, args.seconds * 2 + 60)
                if args.image_alsa:
                    feed.env["ALSA_CONFIG_PATH"] = str(image_alsa_config(work))
                loads.append(os.getloadavg()[0])
                arecords.append(run_arecord(feed, args.seconds, work / "arecord.raw"))
                recorders.append(run_recorder(feed, work, args.seconds))
                if args.mirror:
                    with tmpfs_stick(work, args.seconds * 2 // 10 + 64) as mount:
                        (work / "m").mkdir()
                        mirrored.append(run_recorder(feed, work / "m", args.seconds,
                                                     mount / "zapis"))
                loads.append(os.getloadavg()[0])
            finally:
                jack.stop()
        a, r = arecords[-1], recorders[-1]
        print(f"round {n + 1}: arecord {per_hour(a):.2f} CPU-s/h ({a['cpu_s']:.2f} CPU-s in "
              f"{a['wall_s']:.1f} s wall, RSS {a['rss_mb']:.1f} MB); recorder {per_hour(r):.2f} "
              f"CPU-s/h ({r['cpu_s']:.2f} CPU-s in {r['wall_s']:.1f} s wall, RSS "
              f"{r['rss_mb']:.1f} MB); load {loads[-2]:.1f}-{loads[-1]:.1f}", flush=True)
    a_h = statistics.median(per_hour(a) for a in arecords)
    r_h = statistics.median(per_hour(r) for r in recorders)
    print(f"arecord:  {a_h:.2f} CPU-s per recorded hour (median of {args.rounds} rounds of "
          f"{args.seconds} s), peak RSS {statistics.median(a['rss_mb'] for a in arecords):.1f} MB")
    print(f"recorder: {r_h:.2f} CPU-s per recorded hour, peak RSS "
          f"{statistics.median(r['rss_mb'] for r in recorders):.1f} MB (median; max "
          f"{max(r['rss_mb'] for r in recorders):.1f})")
    print(f"ratio recorder/arecord: {r_h / a_h:.2f} (medians)")
    print(f"bit-identical to the feed: arecord {all(a['identical'] for a in arecords)}, "
          f"recorder {all(r['identical'] for r in recorders)}; recorder input overflows "
          f"{sum(r['overflows'] for r in recorders)}")
    if mirrored:
        m_h = statistics.median(per_hour(m) for m in mirrored)
        print(f"recorder with the safety copy: {m_h:.2f} CPU-s per recorded hour; ratio "
              f"with/without {m_h / r_h:.2f} (target <= 1.3); bit-identical "
              f"{all(m['identical'] for m in mirrored)}")
    print(f"load average (1 min) during the runs: {min(loads):.1f}-{max(loads):.1f} on "
          f"{os.cpu_count()} cores")


if __name__ == "__main__":
    main()
