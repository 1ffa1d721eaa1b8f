"""Real capture devices for tests: ALSA `file` PCMs fed from a raw file (TESTING.md).

`make_fast_feed` gives a device that runs faster than real time (null slave); `JackClock` plus
`make_rt_feed` give a bit-exact real-time device clocked by JACK's dummy driver. The feed is
seeded noise, so any stretch of recorded audio can be compared with the exact fed samples.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

RATE_HZ = 48000


def wait_for(predicate, timeout_s: float = 20.0, interval_s: float = 0.02, what: str = ""):
    """Poll `predicate` until it returns a truthy value; AssertionError on timeout."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval_s)
    raise AssertionError(f"timed out after {timeout_s} s waiting for {what or predicate}")


def noise_feed(path: Path, seconds: float, channels: int = 1, seed: int = 1) -> np.ndarray:
    """Write seeded noise as raw int16 (interleaved) and return it as (frames, channels)."""
    frames = int(seconds * RATE_HZ)
    rng = np.random.default_rng(seed)
    samples = rng.integers(-12000, 12000, size=(frames, channels), dtype=np.int16)
    samples.tofile(path)
    return samples


@dataclass
class Feed:
    """A capture device for one test: its HOME (with .asoundrc), device name and samples."""

    home: Path
    device: str
    samples: np.ndarray
    env: dict = field(default_factory=dict)

    def process_env(self) -> dict:
        return {**os.environ, "HOME": str(self.home), **self.env}


def _asoundrc(home: Path, text: str) -> None:
    home.mkdir(parents=True, exist_ok=True)
    with open(home / ".asoundrc", "a", encoding="utf-8") as f:
        f.write(text)


def make_fast_feed(home: Path, seconds: float, channels: int = 1, seed: int = 1) -> Feed:
    raw = home / "feed.raw"
    home.mkdir(parents=True, exist_ok=True)
    samples = noise_feed(raw, seconds, channels, seed)
    _asoundrc(home, f"""
pcm.examfeed {{
    type file
    slave.pcm "null"
    file "/dev/null"
    infile "{raw}"
    format "raw"
}}
""")
    return Feed(home, "examfeed", samples)


def make_long_feed(home: Path, hours: float, channels: int = 1) -> Feed:
    """A fast feed of hours of seeded noise, written in 10-minute chunks and memory-mapped
    (an exam day's feed does not fit in memory twice)."""
    chunk_s, raw = 600, home / "feed.raw"
    home.mkdir(parents=True, exist_ok=True)
    with open(raw, "wb") as f:
        for i in range(max(1, round(hours * 3600 / chunk_s))):
            rng = np.random.default_rng(1000 + i)
            rng.integers(-12000, 12000, chunk_s * RATE_HZ * channels, dtype=np.int16).tofile(f)
    _asoundrc(home, f'pcm.examfeed {{\n type file\n slave.pcm "null"\n file "/dev/null"\n'
                    f' infile "{raw}"\n format "raw"\n}}\n')
    samples = np.memmap(raw, dtype=np.int16, mode="r").reshape(-1, channels)
    return Feed(home, "examfeed", samples)


class JackClock:
    """A private jackd with the dummy driver: the real-time clock of the rt feed."""

    def __init__(self, period: int = 1024) -> None:
        self.name = f"t{uuid.uuid4().hex[:10]}"
        self.period = period
        self.proc: subprocess.Popen | None = None

    def start(self) -> JackClock:
        env = {**os.environ, "JACK_NO_AUDIO_RESERVATION": "1"}
        self.proc = subprocess.Popen(
            ["jackd", "-n", self.name, "--no-realtime", "-d", "dummy", "-r", str(RATE_HZ),
             "-p", str(self.period)], env=env, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        wait_for(lambda: subprocess.run(["jack_lsp", "-s", self.name], capture_output=True,
                                        env=env).returncode == 0 and self.proc.poll() is None,
                 timeout_s=20, what="jackd")
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for leftover in Path("/dev/shm").glob(f"jack*{self.name}*"):
            if leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)


def make_rt_feed(home: Path, jack: JackClock, seconds: float, seed: int = 2) -> Feed:
    raw = home / "rtfeed.raw"
    home.mkdir(parents=True, exist_ok=True)
    samples = noise_feed(raw, seconds, 1, seed)
    _asoundrc(home, f"""
pcm.jacksys {{
    type jack
    capture_ports {{ 0 system:capture_1 }}
}}
pcm.rtfeed {{
    type file
    slave.pcm "plug:jacksys"
    file "/dev/null"
    infile "{raw}"
    format "raw"
}}
""")
    return Feed(home, "rtfeed", samples, {"JACK_DEFAULT_SERVER": jack.name})


def find_offset(feed: np.ndarray, part: np.ndarray, probe: int = 32) -> int | None:
    """Where `part` starts in `feed` (frames), or None; checks the first `probe` frames."""
    if len(part) < probe:
        probe = len(part)
    first = part[0]
    for start in np.flatnonzero((feed == first).all(axis=1)):
        if np.array_equal(feed[start:start + probe], part[:probe]):
            return int(start)
    return None
