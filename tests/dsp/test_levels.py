from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appliance.dsp.levels import FLOOR_DBFS, block_levels, levels_of_blocks
from appliance.dsp.zeroruns import ZeroRunTracker, may_hold_run

RATE_HZ = 48000


def mono(values) -> np.ndarray:
    return np.asarray(values, np.int16).reshape(-1, 1)


@pytest.mark.parametrize(("block", "peak", "rms"), [
    (mono(np.tile([32767, -32768], 2400)), 0.0, 0.0),
    (mono(np.round(16384 * np.sin(2 * np.pi * 1000 * np.arange(4800) / RATE_HZ))),
     -6.02, -9.03),
    (mono(np.zeros(4800)), FLOOR_DBFS, FLOOR_DBFS),
    (np.zeros((0, 1), np.int16), FLOOR_DBFS, FLOOR_DBFS),
])
def test_peak_and_rms(block, peak, rms):
    levels = block_levels(block)
    assert levels.peak_dbfs[0] == pytest.approx(peak, abs=0.01)
    assert levels.rms_dbfs[0] == pytest.approx(rms, abs=0.01)


def test_clipped_samples_count_runs_not_lone_peaks():
    block = mono([0, 32767, 0, 32767, 32767, 32767, 0, -32768, -32768, 0])
    assert block_levels(block).clipped_samples == (5,)
    assert block_levels(mono([0, 32767, 0, -32768, 0])).clipped_samples == (0,)


def test_dc_offset_and_channels_are_separate():
    block = np.stack([np.full(480, 3277), np.zeros(480)], axis=1).astype(np.int16)
    levels = block_levels(block)
    assert levels.dc_offset == pytest.approx((0.1, 0.0), abs=1e-4)
    assert levels.rms_dbfs[1] == FLOOR_DBFS
    assert set(levels.to_dict()) == {"peak_dbfs", "rms_dbfs", "clipped_samples", "dc_offset"}


def naive_runs(x: np.ndarray, min_length: int) -> list[tuple[int, int]]:
    runs, start = [], None
    for i, v in enumerate(list(x) + [1]):
        if v == 0 and start is None:
            start = i
        elif v != 0 and start is not None:
            if i - start >= min_length:
                runs.append((start, i - start))
            start = None
    return runs


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(1, 40)), max_size=30),
       st.lists(st.integers(1, 60), min_size=1, max_size=8), st.integers(1, 12),
       st.integers(1, 6))
def test_zero_runs_across_any_chunking_match_a_naive_scan(pieces, cuts, min_length, block):
    """Fed alone, and with the hint the file scan gives from sums of `block` samples (the
    non-zero stretches alternate in sign, so sums of zero also come without zeros)."""
    x = np.concatenate([np.zeros(n, np.int16) if zero else
                        (7 * (-1) ** np.arange(n)).astype(np.int16) for zero, n in pieces]
                       or [np.zeros(0, np.int16)])
    for hinted in (False, True):
        tracker, found, pos, i = ZeroRunTracker(min_length), [], 0, 0
        while pos < x.size:
            piece = x[pos:pos + cuts[i % len(cuts)]]
            sums = piece[: piece.size // block * block].reshape(-1, block).sum(axis=1)
            hint = not hinted or piece.size % block != 0 or may_hold_run(sums, block,
                                                                           min_length)
            found += tracker.feed(piece, hint)
            pos, i = pos + piece.size, i + 1
        found += tracker.finish()
        assert [(r.start, r.length) for r in found] == naive_runs(x, min_length)


@pytest.mark.parametrize(("block", "min_length"), [(16, 240), (2, 40), (32, 480), (8, 64)])
def test_the_hint_from_block_sums_never_misses_a_run(block, min_length):
    """A run of exactly min_length zeros at every offset within a few blocks is let through;
    noise with scattered zeros (sums of zero included) is not."""
    rng = np.random.default_rng(11)
    noise = rng.integers(-3, 4, 64 * block * 8).astype(np.int16)
    assert not may_hold_run(noise.reshape(-1, block).sum(axis=1), block, min_length)
    for offset in range(100, 100 + 3 * block):
        x = noise.copy()
        x[offset:offset + min_length] = 0
        assert may_hold_run(x.reshape(-1, block).sum(axis=1), block, min_length), offset


def test_a_batch_of_blocks_reads_exactly_as_each_block_alone():
    """The pipeline computes levels for a backlog at once: the figures must not change."""
    rng = np.random.default_rng(5)
    blocks = rng.integers(-3000, 3000, (6, 4800, 2)).astype(np.int16)
    blocks[1, 100:110, 0] = 32767           # clipped run on the left channel of one block
    blocks[3] = 0                           # a silent block
    blocks[4, :, 1] += 2000                 # DC offset on the right channel
    batch = levels_of_blocks(blocks)
    assert batch == [block_levels(block) for block in blocks]
    wide = blocks.astype(np.float64)
    with np.errstate(divide="ignore"):
        peak = np.maximum(20 * np.log10(np.abs(wide).max(axis=1) / 32768), FLOOR_DBFS)
        rms = np.maximum(20 * np.log10(np.sqrt((wide ** 2).mean(axis=1)) / 32768), FLOOR_DBFS)
    assert np.allclose([b.peak_dbfs for b in batch], peak)
    assert np.allclose([b.rms_dbfs for b in batch], rms)
    assert batch[1].clipped_samples == (10, 0) and batch[0].clipped_samples == (0, 0)
    assert batch[3].peak_dbfs == (FLOOR_DBFS, FLOOR_DBFS)
    assert batch[4].dc_offset[1] > batch[4].dc_offset[0] + 0.05
