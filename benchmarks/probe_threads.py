"""Where the recorder's CPU goes at real time: per thread, and per batch of the pipeline.

    .venv/bin/python benchmarks/probe_threads.py --seconds 60 --rounds 2

A probe beside `bench_realtime.py` (which gives the figure against arecord): a real
`appliance recorder` on the JACK-clocked real-time feed (mock GPIO: the LEDs poll the status
as on the box), recording, asked nothing during `--seconds`; its threads' CPU (user + system
from /proc/PID/task, named by benchmarks/threadnames) in CPU-s per hour. Then, in this process,
the pipeline's own work on a warm CPU: `_process_blocks` and the housekeeping over batches of
one callback's blocks, in µs per batch (thread CPU time, median of the rounds).
"""

from __future__ import annotations

import argparse
import collections
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from appliance.capture.pyaudio_source import CALLBACK_BLOCKS  # noqa: E402
from appliance.capture.simulated import SimulatedSource, speech_like  # noqa: E402
from appliance.capture.source import CaptureItem, ItemKind  # noqa: E402
from appliance.clock import ClockGuard  # noqa: E402
from appliance.config import Config  # noqa: E402
from appliance.recorder.core import Recorder  # noqa: E402
from tests.feeds import JackClock, make_rt_feed, wait_for  # noqa: E402
from tests.recorder_process import SITE, RecorderProcess, write_config  # noqa: E402

TICK_S = 1 / os.sysconf("SC_CLK_TCK")
BLOCK = 4800


def thread_cpu(pid: int) -> collections.Counter:
    cpu = collections.Counter()
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            name = (task / "comm").read_text().strip()
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # the thread ended
            continue
        cpu[name] += (int(fields[11]) + int(fields[12])) * TICK_S
    return cpu


def threads_round(seconds: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(dir="/var/tmp") as tmp:
        work = Path(tmp)
        jack = JackClock().start()
        try:
            feed = make_rt_feed(work / "home", jack, seconds + 60)
            env = feed.process_env()
            env["PYTHONPATH"] = os.pathsep.join(
                [str(Path(__file__).parent / "threadnames"), env.get("PYTHONPATH", "")])
            config = write_config(work / "r.toml", work / "data", device=feed.device,
                                  gpio={"backend": "mock"})
            rec = RecorderProcess(config, env=env).start()
            try:
                rec.ctl("start")
                wait_for(lambda: rec.status()["elapsed_s"] >= 1.0 or None, timeout_s=30,
                         what="recording")
                before, start = thread_cpu(rec.proc.pid), time.monotonic()
                time.sleep(seconds)  # the measured stretch: nobody asks the recorder anything
                after, wall = thread_cpu(rec.proc.pid), time.monotonic() - start
            finally:
                rec.terminate()
        finally:
            jack.stop()
    return {name: (after[name] - before.get(name, 0.0)) * 3600 / wall for name in after}


def warm_batch_us(batches: int = 2000) -> float:
    """µs of thread CPU per batch of CALLBACK_BLOCKS blocks through `_process_blocks` and
    the housekeeping, recording to a part under /var/tmp."""
    with tempfile.TemporaryDirectory(dir="/var/tmp") as tmp:
        config = Config()
        for key, value in SITE.items():
            setattr(config.site, key, value)
        config.recording.data_dir = tmp
        source = SimulatedSource(realtime=True)
        recorder = Recorder(config, source, ClockGuard(config.data_dir))
        recorder.start()
        try:
            wait_for(lambda: recorder.device_present, what="simulated microphone")
            recorder.handle("start")
            source.stop()  # the pipeline thread idles; this thread drives it from here
            frame = source.frames_captured
            audio = [speech_like(48000, n * BLOCK, BLOCK, 1, 7).tobytes() for n in range(30)]
            work = []
            for n in range(batches):
                work.append([CaptureItem(ItemKind.BLOCK, audio[(n + k) % 30],
                                         frame + (n * CALLBACK_BLOCKS + k) * BLOCK)
                             for k in range(CALLBACK_BLOCKS)])
            start = time.thread_time()
            for batch in work:
                recorder._process_blocks(batch)
                recorder._housekeeping()
            return (time.thread_time() - start) / batches * 1e6
        finally:
            recorder.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    for n in range(args.rounds):
        load = os.getloadavg()[0]
        cpu = threads_round(args.seconds)
        shown = ", ".join(f"{name} {value:.2f}" for name, value in
                          sorted(cpu.items(), key=lambda kv: -kv[1]) if value > 0)
        print(f"round {n + 1} (load {load:.1f}): {sum(cpu.values()):.2f} CPU-s per hour: "
              f"{shown}", flush=True)
    warm = [warm_batch_us() for _ in range(args.rounds)]
    print(f"pipeline on a warm CPU: {statistics.median(warm):.0f} µs per batch of "
          f"{CALLBACK_BLOCKS} blocks (rounds {', '.join(f'{w:.0f}' for w in warm)})")


if __name__ == "__main__":
    main()
