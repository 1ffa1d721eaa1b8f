"""«Проверить файлы» of report.html in Chromium on a room folder with a 1 GB WAV: MB/s.

A 3-hour, 48 kHz mono part (1.04 GB, written by the real writer) is exported to a folder;
report.html is opened from file:// in Debian's Chromium (headless, through Playwright), the
room folder is picked, and the time from the pick to the verdict is taken in the page
(`performance.now()`). The page reads every file in 8 MB slices and hashes it with hash-wasm's
SHA-256 (WebAssembly); printed are the seconds and MB/s of each run (`--runs`), their median,
and the load average.

    .venv/bin/python benchmarks/bench_report_check.py [--hours 3] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "export"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from export_daybuilder import PartSpec, build_day  # noqa: E402

from appliance.export.exporter import export_days  # noqa: E402
from tests.webfixtures import BROWSER_ARGS  # noqa: E402

START_CLOCK = ("document.getElementById('check-folder').addEventListener('change', "
               "() => { window.pickedAt = performance.now(); }, {capture: true});")


def check_once(browser, room: Path) -> tuple[float, str]:
    context = browser.new_context()
    page = context.new_page()
    page.goto((room / "report.html").as_uri())
    page.evaluate(START_CLOCK)
    page.set_input_files("#check-folder", str(room))
    page.wait_for_function("document.getElementById('check-summary').className !== ''",
                           timeout=600_000)
    seconds = page.evaluate("(performance.now() - window.pickedAt) / 1000")
    summary = page.inner_text("#check-summary")
    context.close()
    return seconds, summary


def main() -> int:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser()
    parser.add_argument("--hours", type=float, default=3.0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-page-", dir="/var/tmp") as tmp:
        work = Path(tmp)
        build_day(work / "data", [PartSpec(args.hours * 3600, [60.0])], rate_hz=48000,
                  block_s=60.0)
        (work / "drive").mkdir()
        export_days(work / "data", work / "drive")
        room = next((work / "drive").rglob("manifest.json")).parent
        size = sum(p.stat().st_size for p in room.iterdir())
        biggest = max(p.stat().st_size for p in room.iterdir())
        print(f"room folder: {size / 1e9:.3f} GB, largest WAV {biggest / 1e9:.3f} GB")
        times = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                                 args=BROWSER_ARGS)
            for _ in range(args.runs):
                seconds, summary = check_once(browser, room)
                if not summary.startswith("Все файлы совпадают"):
                    raise SystemExit(f"unexpected verdict: {summary}")
                times.append(seconds)
                print(f"  {seconds:.2f} s, {size / seconds / 1e6:.1f} MB/s, "
                      f"load average {os.getloadavg()[0]:.1f}")
            browser.close()
        median = statistics.median(times)
        print(f"median {median:.2f} s: {size / median / 1e6:.1f} MB/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
