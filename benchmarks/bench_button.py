"""Button latency: a simulated edge → the recording's state change and the LEDs' change, in a
real `appliance recorder --simulate` process, against a control command in the same run.

    .venv/bin/python benchmarks/bench_button.py --presses 1000

Presses go through the `button` control command (the simulated GPIO line), repeating
[mark, mark, mark, pause (long press), resume], in simulated days of `--day-presses` presses,
each a fresh recorder process and data folder (a day's markers accumulate in its part, and a
real day has 20-40 of them, not 1,000). For every press it measures:
- feedback: press edge → the LEDs show "pressed" (or "long_reached" for a long press);
- state: the release edge that completes the gesture → the status shows the new marker or
  state (observed by polling the status, so an upper bound by one status round trip);
- LEDs: the release edge → the LEDs show the new state's pattern.
Edge and LED times are the recorder's own monotonic clock (`time_s`, `leds.since_s`), which
is the same CLOCK_MONOTONIC this process reads. Debounce (30 ms by default) is part of every
figure by design. Reference: `ctl mark` over the control socket, request to reply, in the same
run (the floor for any command, with no button in between).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.feeds import wait_for  # noqa: E402
from tests.recorder_process import RecorderProcess, write_config  # noqa: E402

CYCLE = ("mark", "mark", "mark", "pause", "resume")
TARGET_P99_MS = 100.0
LONG_PRESS_S = 1.0
"""Short enough for a quick run, long enough that a loaded machine never holds a short press
that long by accident."""


class Bench:
    def __init__(self, rec: RecorderProcess, samples: dict[str, list[float]]) -> None:
        self.rec = rec
        self.call = rec.client.call
        self.samples = samples

    def leds_since(self, pattern: str, after_s: float) -> float:
        """Wait until the LEDs show `pattern`, chosen at or after `after_s`; when it was."""
        def shown():
            leds = self.call("status")["leds"]
            return leds["since_s"] if (leds["pattern"] == pattern
                                       and leds["since_s"] >= after_s) else None
        return wait_for(shown, timeout_s=10, interval_s=0.002, what=f"LEDs {pattern}")

    def press(self, kind: str) -> None:
        before = self.call("status")
        edge = self.call("button", action="press")["time_s"]
        self.samples["feedback"].append(self.leds_since("pressed", edge) - edge)
        if kind == "pause":
            self.leds_since("long_reached", edge)
        release = self.call("button", action="release")["time_s"]
        if kind != "pause" and release - edge >= LONG_PRESS_S:
            raise RuntimeError(f"the bench held a short press {release - edge:.2f} s: too slow")
        expected, pattern = {
            "mark": (lambda s: s["participants"] == before["participants"] + 1, "recording"),
            "pause": (lambda s: s["state"] == "paused", "paused"),
            "resume": (lambda s: s["state"] == "recording", "recording"),
            "start": (lambda s: s["state"] == "recording", "recording")}[kind]
        wait_for(lambda: expected(self.call("status")), timeout_s=10, interval_s=0.002,
                 what=kind)
        self.samples["state"].append(time.monotonic() - release)
        self.samples.setdefault(f"state:{kind}", []).append(self.samples["state"][-1])
        self.samples["leds"].append(self.leds_since(pattern, release) - release)

    def reference(self, count: int) -> list[float]:
        if self.call("status")["state"] == "paused":
            self.rec.ctl("resume")
        out = []
        for _ in range(count):
            t0 = time.monotonic()
            self.rec.ctl("mark")
            out.append(time.monotonic() - t0)
        return out


def percentiles_ms(values: list[float]) -> tuple[float, float, float, float]:
    ms = np.array(values) * 1000
    return (float(np.percentile(ms, 50)), float(np.percentile(ms, 95)),
            float(np.percentile(ms, 99)), float(ms.max()))


def run_day(samples: dict, presses: int, references: int) -> tuple[list[float], dict]:
    """One exam day in a fresh recorder process: `presses` presses, then `references` ctl
    marks; returns the reference round trips and the final status."""
    with tempfile.TemporaryDirectory() as tmp:
        config = write_config(Path(tmp) / "appliance.toml", Path(tmp) / "data",
                              recording={"pause_mode": "continue"},
                              gpio={"long_press_s": LONG_PRESS_S})
        rec = RecorderProcess(config, simulate=True).start()
        try:
            bench = Bench(rec, samples)
            wait_for(lambda: rec.status()["leds"]["pattern"] == "ready", what="READY")
            bench.press("start")
            for n in range(presses - 1):
                try:
                    bench.press(CYCLE[n % len(CYCLE)])
                except (AssertionError, RuntimeError):
                    print(f"press {n + 2} ({CYCLE[n % len(CYCLE)]}) failed; status:",
                          {k: v for k, v in rec.status().items() if k in (
                              "state", "participants", "leds", "last_refusal", "alarms")})
                    raise
            return bench.reference(references), rec.status()
        finally:
            rec.terminate()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=1000)
    parser.add_argument("--day-presses", type=int, default=100,
                        help="presses per simulated day (a fresh recorder and data folder); "
                             "a real day has 20-40")
    parser.add_argument("--reference", type=int, default=200, help="ctl mark round trips")
    args = parser.parse_args()
    days = -(-args.presses // args.day_presses)
    samples: dict[str, list[float]] = {"feedback": [], "state": [], "leds": []}
    reference: list[float] = []
    t0 = time.monotonic()
    for day in range(days):
        presses = min(args.day_presses, args.presses - day * args.day_presses)
        round_trips, status = run_day(samples, presses, args.reference // days)
        reference += round_trips
    wall_s = time.monotonic() - t0
    print(f"{args.presses} presses over {days} days in {wall_s:.0f} s; last day "
          f"{status['participants']} markers, state {status['state']}; "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"{'figure':<40} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}  (ms)")
    rows = {"press edge -> LED feedback": samples["feedback"],
            "release edge -> state change (polled)": samples["state"],
            "release edge -> LED state pattern": samples["leds"],
            f"reference: ctl mark round trip (x{len(reference)})": reference}
    rows.update({f"  of which {key[6:]} (x{len(values)})": values
                 for key, values in samples.items() if key.startswith("state:")})
    for name, values in rows.items():
        print(f"{name:<40} " + " ".join(f"{v:7.1f}" for v in percentiles_ms(values)))
    p99_state = percentiles_ms(samples["state"])[2]
    p99_leds = percentiles_ms(samples["leds"])[2]
    p99_ref = percentiles_ms(reference)[2]
    print(f"ratio p99 button state / ctl: {p99_state / p99_ref:.2f}")
    ok = max(p99_state, p99_leds) <= TARGET_P99_MS
    print(f"target p99 <= {TARGET_P99_MS:.0f} ms: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
