"""The frame pass split over processes reads exactly as one sequential pass."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import threading

import numpy as np
import pytest

from appliance.dsp import frames
from appliance.dsp.frames import FrameLayout, scan_channel, stretch_starts

RATE_HZ = 48000
CHUNK = FrameLayout.for_rate(RATE_HZ).chunk
CHUNKS = 24


def channel() -> np.ndarray:
    """Noise with clipped bursts and zero runs; one run crosses the boundary where the second
    of two stretches would start, another lies just after it."""
    rng = np.random.default_rng(3)
    x = rng.integers(-3000, 3000, CHUNKS * CHUNK - 1000, dtype=np.int16)
    x[CHUNK * 5 + 10: CHUNK * 5 + 400] = 32767
    x[CHUNK * 17 - 77: CHUNK * 17 + 300] = -32768
    middle = CHUNKS // 2 * CHUNK
    x[middle - 500: middle + 700] = 0
    x[middle + CHUNK - 2000: middle + CHUNK - 100] = 0
    x[3 * CHUNKS // 4 * CHUNK - 1: 3 * CHUNKS // 4 * CHUNK + 1] = 0
    return x


def test_stretches_never_start_inside_a_zero_run():
    x = channel()
    two = stretch_starts(x, CHUNK, 2)
    assert two == [0, (CHUNKS // 2 + 1) * CHUNK], "moved to the next boundary"
    four = stretch_starts(x, CHUNK, 4)
    assert four == [0, CHUNKS // 4 * CHUNK, (CHUNKS // 2 + 1) * CHUNK,
                    (3 * CHUNKS // 4 + 1) * CHUNK]
    assert stretch_starts(np.zeros(CHUNKS * CHUNK, np.int16), CHUNK, 4) == [0]
    assert stretch_starts(x[: 3 * CHUNK], CHUNK, 4) == [0], "too short to share"


@pytest.mark.parametrize("workers", [2, 3, 4])
def test_processes_give_exactly_the_sequential_result(workers):
    x = channel()
    alone = scan_channel(x, RATE_HZ, workers=1)
    shared = scan_channel(x, RATE_HZ, workers=workers)
    assert len(stretch_starts(x, CHUNK, workers)) == workers
    assert alone.clipped > 0 and len(alone.zero_runs) == 2  # the 2-sample run is too short
    for field in dataclasses.fields(alone):
        mine, theirs = getattr(shared, field.name), getattr(alone, field.name)
        if isinstance(theirs, np.ndarray):
            assert np.array_equal(mine, theirs), field.name
        else:
            assert mine == theirs, field.name


def test_an_error_in_a_child_reaches_the_caller(monkeypatch):
    real = frames._scan_stretch

    def failing_after_the_first(samples, rate_hz, start, end):
        if start:
            raise ValueError(f"stretch at {start}")
        return real(samples, rate_hz, start, end)

    monkeypatch.setattr(frames, "_scan_stretch", failing_after_the_first)
    with pytest.raises(ValueError, match="stretch at"):
        scan_channel(channel(), RATE_HZ, workers=2)


def test_an_error_in_the_caller_ends_every_child(monkeypatch):
    """The children are blocked writing results nobody reads: closing the pipes ends them."""
    real, started = frames._scan_stretch, []

    def failing_first(samples, rate_hz, start, end):
        if start == 0:
            raise ValueError("first stretch")
        return real(samples, rate_hz, start, end)

    monkeypatch.setattr(frames, "_scan_stretch", failing_first)
    monkeypatch.setattr(frames.ChildScan, "__init__", recording_init(started))
    with pytest.raises(ValueError, match="first stretch"):
        scan_channel(channel(), RATE_HZ, workers=4)
    assert len(started) == 3
    for pid in started:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # already reaped


def recording_init(started: list[int]):
    real = frames.ChildScan.__init__

    def init(self, *args):
        real(self, *args)
        started.append(self.pid)
    return init


def test_a_process_with_other_threads_does_not_fork(monkeypatch):
    def no_fork():
        raise AssertionError("forked beside another thread")

    monkeypatch.setattr(os, "fork", no_fork)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert scan_channel(channel(), RATE_HZ).samples == channel().size
    finally:
        stop.set()
        other.join()


def test_a_single_threaded_process_scans_on_every_core():
    probe = (
        "import os, numpy as np\n"
        "from appliance.dsp import frames\n"
        "forks, fork = [], os.fork\n"
        "os.fork = lambda: forks.append(1) or fork()\n"
        f"x = np.random.default_rng(1).integers(-99, 99, {CHUNKS * CHUNK}, dtype=np.int16)\n"
        "frames.scan_channel(x, 48000)\n"
        "print(len(forks))\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout
    cores = min(frames.MAX_WORKERS, len(os.sched_getaffinity(0)))
    assert int(out) == cores - 1
