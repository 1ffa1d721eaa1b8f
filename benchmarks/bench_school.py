"""«Все аудитории» with 30 rooms: what the page's live refresh costs each box, in CPU per hour.

    .venv/bin/python benchmarks/bench_school.py --rooms 30 --window 60 --rounds 2

Needs root (network namespaces, see tests/school/netns.py). Starts `--rooms` real boxes (an
`appliance recorder --simulate` and an `appliance web` each, in their own namespace on one
bridge), all paired, and waits until box 0001 sees every room answering. Then alternates
windows of `--window` seconds: "closed" (nobody watches the page; the boxes only announce
themselves) and "open" (a client in box 0001's namespace asks `/api/school` once a second, as
school.js does in a browser). Every process's CPU time (user + system, from /proc) is read at
each window's edges. Prints, as medians over the rounds: the extra CPU per hour the open page
costs box 0001 (the one looked at: it asks all the others) and each other box (it answers
one signed summary request a second), the idle cost of announcing, and the wall time of a
refresh. `uptime` is printed before and after: the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.feeds import wait_for  # noqa: E402
from tests.school.netns import SchoolNet  # noqa: E402

PASSPHRASE = "школа-640101-собеседование"
TICKS_S = os.sysconf("SC_CLK_TCK")


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / TICKS_S


def snapshot(boxes) -> dict[str, tuple[float, float]]:
    return {box.name: (cpu_s(box.web.proc.pid), cpu_s(box.recorder.proc.pid)) for box in boxes}


def window(boxes, seconds: float, watch) -> tuple[dict, list[float]]:
    """CPU seconds per process over one window; `watch` True: the page refreshes meanwhile."""
    walls: list[float] = []
    stop = threading.Event()

    def refresh():
        viewer = boxes[0]
        session = viewer.http.session(viewer.url)
        while not stop.is_set():
            started = time.monotonic()
            status, reply = viewer.http.call(session, "/api/school")
            walls.append(time.monotonic() - started)
            assert status == 200 and len(reply["rows"]) == len(boxes), reply
            stop.wait(max(0.0, 1.0 - (time.monotonic() - started)))

    thread = threading.Thread(target=refresh) if watch else None
    before = snapshot(boxes)
    if thread:
        thread.start()
    time.sleep(seconds)
    stop.set()
    if thread:
        thread.join()
    after = snapshot(boxes)
    used = {name: (after[name][0] - before[name][0], after[name][1] - before[name][1])
            for name in before}
    return used, walls


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rooms", type=int, default=30)
    parser.add_argument("--window", type=float, default=60.0)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    print("uptime before:", subprocess.run(["uptime"], capture_output=True, text=True).stdout
          .strip())
    with tempfile.TemporaryDirectory(prefix="bench-school-") as tmp:
        net = SchoolNet(Path(tmp))
        try:
            boxes = [net.add_box(f"r{n:02d}", f"{n:04d}") for n in range(1, args.rooms + 1)]
            for box in boxes:
                box.pair(PASSPHRASE)
                box.start()
            viewer = boxes[0]
            session = viewer.http.session(viewer.url)

            def all_answer():
                rows = viewer.http.call(session, "/api/school")[1]["rows"]
                return len(rows) == args.rooms and all(r["link"] == "ok" for r in rows)
            started = time.monotonic()
            wait_for(all_answer, timeout_s=300, interval_s=1, what="every room answering")
            print(f"{args.rooms} boxes up; every room on box 0001's page after "
                  f"{time.monotonic() - started:.1f} s of discovery")
            per_hour = 3600 / args.window
            extra_viewer, extra_other, idle_web, walls = [], [], [], []
            for _ in range(args.rounds):
                closed, _ = window(boxes, args.window, watch=False)
                opened, round_walls = window(boxes, args.window, watch=True)
                walls += round_walls
                names = [b.name for b in boxes]
                extra_viewer.append(sum(opened[names[0]]) - sum(closed[names[0]]))
                extra_other.append(statistics.median(
                    sum(opened[n]) - sum(closed[n]) for n in names[1:]))
                idle_web.append(statistics.median(closed[n][0] for n in names))
            walls.sort()
            print(f"window {args.window:.0f} s × {args.rounds} rounds, medians; CPU s per hour "
                  "(user+system, web + recorder):")
            print(f"  box 0001, page open (asks {args.rooms - 1} boxes each second): "
                  f"+{statistics.median(extra_viewer) * per_hour:.0f} s/h")
            print(f"  each other box (answers one request a second): "
                  f"+{statistics.median(extra_other) * per_hour:.0f} s/h")
            print(f"  web process with the page closed (announcing only): "
                  f"{statistics.median(idle_web) * per_hour:.0f} s/h")
            print(f"  refresh wall time: median {statistics.median(walls) * 1000:.0f} ms, "
                  f"p95 {walls[int(0.95 * (len(walls) - 1))] * 1000:.0f} ms "
                  f"({len(walls)} refreshes)")
        finally:
            net.close()
    print("uptime after:", subprocess.run(["uptime"], capture_output=True, text=True).stdout
          .strip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
