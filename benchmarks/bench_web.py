"""Level meters seen by real browsers, and the web process's cost while they watch.

    .venv/bin/python benchmarks/bench_web.py --browsers 3 --seconds 20

Runs `appliance recorder --simulate` and `appliance web` (waitress) as real processes, opens
N Chromium tabs on the logged-in dashboard and, in the pages, records each server-sent event's
arrival (Date.now()) against the event's `server_time` (when the web process polled the
recorder) and the recorder's `levels_time` (when it measured the block). Meanwhile it samples
the web process's RSS and CPU from /proc. The reference, measured in the same run: a plain
HTTP client reading the same event stream (no browser) and a bare Python with flask and
waitress imported (the smallest a Flask-on-waitress process can be).
Targets (issue 4): >= 10 updates/s per browser, latency <= 250 ms, web RSS <= 60 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.recorder_process import RecorderProcess  # noqa: E402
from tests.webfixtures import (  # noqa: E402
    BROWSER_ARGS,
    HttpSession,
    WebProcess,
    login_page,
    make_web_config,
    set_password,
)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def numpy_mapped(pid: int) -> bool:
    return "_multiarray_umath" in Path(f"/proc/{pid}/maps").read_text()


def bare_flask_rss_mb() -> float:
    out = subprocess.run([sys.executable, "-c", "import flask, waitress, pathlib\n"
                          "print(pathlib.Path('/proc/self/status').read_text())"],
                         capture_output=True, text=True, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def plain_client(session: HttpSession, seconds: float, out: list) -> None:
    """The reference reader: urllib on the same stream, arrival minus server_time."""
    url = session.url
    with session.opener.open(urllib.request.Request(url + "/api/events"), timeout=10) as s:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            line = s.readline()
            if line.startswith(b"data: "):
                out.append(time.time() - json.loads(line[6:])["server_time"])


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--browsers", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    root = Path(tempfile.mkdtemp(prefix="bench-web-"))
    config = make_web_config(root)
    set_password(config)
    recorder = RecorderProcess(config, simulate=True).start()
    web = WebProcess(config).start()
    try:
        HttpSession(web.url).login().call("/api/control/start", {})
        idle_rss = rss_mb(web.proc.pid)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                                 args=BROWSER_ARGS)
            pages = []
            for _ in range(args.browsers):
                page = browser.new_context(base_url=web.url).new_page()
                login_page(page)
                page.wait_for_function("window.meterStats && window.meterStats.events > 5")
                page.evaluate("window.meterStats.latencies_ms.length = 0;"
                              "window.meterStats.events = 0; window.meterStats.first = null;"
                              "window.levelAges = [];"
                              "setInterval(() => window.levelAges.push("
                              "window.meterStats.level_age_ms), 97);")
                pages.append(page)
            reference: list[float] = []
            # logged in before the RSS sampling: a login's scrypt briefly takes 16 MB
            reader = threading.Thread(target=plain_client, args=(
                HttpSession(web.url).login(), args.seconds, reference))
            reader.start()
            cpu0, t0, rss_samples = cpu_s(web.proc.pid), time.monotonic(), []
            while time.monotonic() - t0 < args.seconds:
                rss_samples.append(rss_mb(web.proc.pid))
                time.sleep(0.5)
            cpu_share = (cpu_s(web.proc.pid) - cpu0) / (time.monotonic() - t0)
            reader.join()
            results = [page.evaluate("[window.meterStats, window.levelAges]") for page in pages]
            browser.close()
        rss_max = max(rss_samples)
        numpy_loaded = numpy_mapped(web.proc.pid)
    finally:
        web.terminate()
        recorder.terminate()
    bare = bare_flask_rss_mb()
    print(f"browsers: {args.browsers}, watching {args.seconds:.0f} s, recording (simulated)")
    rates, latencies, ages = [], [], []
    for n, (stats, level_ages) in enumerate(results, 1):
        rate = (stats["events"] - 1) / ((stats["last"] - stats["first"]) / 1000)
        rates.append(rate)
        latencies += stats["latencies_ms"]
        ages += [a for a in level_ages if a is not None]
        print(f"  browser {n}: {rate:.1f} updates/s, latency median "
              f"{statistics.median(stats['latencies_ms']):.1f} ms, "
              f"p99 {pct(stats['latencies_ms'], 0.99):.1f} ms, "
              f"max {max(stats['latencies_ms']):.1f} ms")
    ref_ms = [v * 1000 for v in reference]
    print(f"browser latency (event server_time -> page): median "
          f"{statistics.median(latencies):.1f} ms, p99 {pct(latencies, 0.99):.1f} ms, "
          f"max {max(latencies):.1f} ms")
    print(f"reference plain HTTP reader: median {statistics.median(ref_ms):.1f} ms, "
          f"p99 {pct(ref_ms, 0.99):.1f} ms, {len(ref_ms) / args.seconds:.1f} events/s; "
          f"browser/reference median ratio "
          f"{statistics.median(latencies) / max(statistics.median(ref_ms), 0.01):.1f}")
    print(f"level age on screen (recorder levels_time -> page, sampled): median "
          f"{statistics.median(ages):.0f} ms, p99 {pct(ages, 0.99):.0f} ms")
    print(f"web process: RSS idle {idle_rss:.1f} MB, max while watched {rss_max:.1f} MB "
          f"(bare flask+waitress python: {bare:.1f} MB, ratio {rss_max / bare:.2f}); "
          f"CPU {100 * cpu_share:.1f} % of one core; numpy loaded: {numpy_loaded}")
    ok = (min(rates) >= 10 and pct(latencies, 0.99) <= 250 and rss_max <= 60)
    print(f"targets (>= 10/s, p99 latency <= 250 ms, RSS <= 60 MB): "
          f"{'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
