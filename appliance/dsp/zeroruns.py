"""Runs of digital zeros across consecutive blocks: the signature of a dropout.

A live microphone always carries some noise, so a run of exact zeros longer than a few
milliseconds means samples were lost or replaced (USB hiccup, driver underrun, an unplugged
analogue mic on an interface that gates). Used both live (per block) and on whole files.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ZeroRun:
    start: int
    """Sample index of the first zero, counted from the first sample fed."""
    length: int


class ZeroRunTracker:
    """Finds zero runs of at least `min_length` samples in a 1-D stream fed piecewise."""

    def __init__(self, min_length: int, start: int = 0) -> None:
        self.min_length = max(1, int(min_length))
        self.position = start
        """Sample index of the next sample fed (`start`: the index of the first one)."""
        self.current = 0
        """Length of the zero run still open at the end of what was fed."""

    def feed(self, samples: np.ndarray, long_run_possible: bool = True) -> list[ZeroRun]:
        """Feed the next samples (1-D); returns runs that ended inside them. A caller that
        knows no run of min_length lies wholly inside them (`may_hold_run`) says so, and
        only the runs at their edges are looked for."""
        count = samples.shape[0]
        zero_count = count - int(np.count_nonzero(samples))
        start, self.position = self.position, self.position + count
        if zero_count == count:
            self.current += count
            return []
        if zero_count == 0:  # live audio, nearly always: no zeros array to build
            return self._close(start)
        if zero_count >= self.min_length and long_run_possible:
            zeros = samples == 0
            if self._may_hold_long_run(zeros):
                return self._all_runs(zeros, start, count)
        return self._edges_only(samples, start)

    def finish(self) -> list[ZeroRun]:
        """The run still open at the end of the stream, if long enough."""
        return self._close(self.position)

    def _may_hold_long_run(self, zeros: np.ndarray) -> bool:
        """Any run of min_length zeros covers a whole aligned piece of half that length, so
        no all-zero piece means no long run inside (a cheap test on noisy audio)."""
        piece = (self.min_length + 1) // 2
        usable = zeros.shape[0] // piece * piece
        return bool(zeros[:usable].reshape(-1, piece).all(axis=1).any())

    def _close(self, end: int) -> list[ZeroRun]:
        run, self.current = self.current, 0
        return [ZeroRun(end - run, run)] if run >= self.min_length else []

    def _edges_only(self, samples: np.ndarray, start: int) -> list[ZeroRun]:
        """No long run inside: only the runs touching the edges matter."""
        lead = int(np.argmax(samples != 0)) if samples[0] == 0 else 0
        self.current += lead
        done = self._close(start + lead)
        self.current = int(np.argmax(samples[::-1] != 0)) if samples[-1] == 0 else 0
        return done

    def _all_runs(self, zeros: np.ndarray, start: int, count: int) -> list[ZeroRun]:
        edges = np.diff(zeros.astype(np.int8))
        starts = list(np.flatnonzero(edges == 1) + 1)
        ends = list(np.flatnonzero(edges == -1) + 1)
        if zeros[0]:
            starts.insert(0, 0)
        trailing = int(count - starts.pop()) if zeros[-1] else 0
        done = [] if zeros[0] else self._close(start)
        for first, end in zip(starts, ends, strict=True):
            if first == 0:
                self.current += end
                done += self._close(start + end)
            elif end - first >= self.min_length:
                done.append(ZeroRun(start + int(first), int(end - first)))
        self.current = trailing
        return done


def may_hold_run(block_sums: np.ndarray, block: int, min_length: int) -> bool:
    """Whether samples whose consecutive sums of `block` samples are these may hold a run of
    `min_length` zeros: such a run spans k = (min_length - block + 1) // block whole blocks
    in a row, each summing to zero. On noisy audio a few sums of zero are scattered and no k
    of them are in a row; a test on the sums costs a sixteenth of one on the samples."""
    run_blocks = (min_length - block + 1) // block
    if run_blocks < 1:
        return True
    zero = np.flatnonzero(block_sums == 0)
    if zero.size < run_blocks:
        return False
    span = zero[run_blocks - 1:] - zero[: zero.size - run_blocks + 1]
    return bool(np.any(span == run_blocks - 1))
