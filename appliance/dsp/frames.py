"""One streaming pass over a channel: per-frame band powers, hum spectra and sample statistics.

Everything the analysis needs comes out of one read of the samples, chunk by chunk, so a
1-hour file is analysed in bounded memory (a Pi Zero has 512 MB), at a speed measured against
`sox stats` (docs/BENCHMARKS.md):
- ~20 ms Hann frames (no overlap; in a long recording only one in LONG_STRIDE) -> one rFFT
  each -> a few band powers per frame (full band, the speech band 300-3400 Hz, the band above
  the hum's bins, K-weighted power for EBU R128 loudness, half-octave bands for the speech
  bandwidth) through one `reduceat`, one small product and one weighted sum, and the frame's
  mean; the mean square of every frame, transformed or not;
- the signal summed over D samples (a cheap decimation to ~3 kHz) -> ~0.34 s Hann windows
  -> the low bins (up to 400 Hz) where mains hum and its harmonics live;
- peak, mean, mean square, clipped runs and zero runs from every sample.
Powers are mean squares of full-scale-normalised samples (a 0 dBFS sine has power 0.5).

A long channel is split into stretches scanned on every core at once, each but the first in a
forked child process (threads gained little: numpy's FFT and BLAS calls hold the GIL much of
the time). Only a process without other threads forks (the `appliance check` command; the
recorder's test recordings are short and scanned in one pass). The result is exactly that of
one pass: every figure is worked out chunk by chunk anyway, the stretches start at chunk
boundaries, and never inside a run of zeros (the only state carried from chunk to chunk).

Speed: numpy only, no scipy (its import alone cost more than a third of sox's whole run);
the samples copied once into a float32 buffer (half the memory traffic of float64; sums of
16 int16 samples stay exact in it, sums of squares within a millionth), frames windowed into
float64 for the FFT (numpy's float32 FFT is three times slower); buffers allocated once per
pass (fresh megabyte temporaries per chunk cost a page fault per 4 KiB); sums of products as
BLAS dot and matrix-vector products, 2-3x faster than `np.einsum`, with one
OpenBLAS thread per caller (`appliance/__init__.py`: its own pool of threads waited on each
other for seconds on a busy 2-core box; a program that loads numpy before the `appliance`
package gets that pool, and its stretches slow each other down).
"""

from __future__ import annotations

import os
import pickle
import threading
from dataclasses import dataclass, field

import numpy as np

from appliance.dsp.levels import CLIP_LEVEL, FULL_SCALE, clipped_in_runs
from appliance.dsp.speech import FRAME_S, SPEECH_BAND_HZ
from appliance.dsp.zeroruns import ZeroRun, ZeroRunTracker, may_hold_run

HUM_RATE_HZ = 3000
HUM_WINDOW = 1024
HUM_MAX_HZ = 400.0
HUM_WINDOWS_PER_CHUNK = 16  # 5.5 s at 48 kHz: fewer numpy calls, buffers still small
MAX_WORKERS = 4
MIN_CHUNKS_PER_WORKER = 4
BANDWIDTH_EDGES_HZ = tuple(125.0 * 2 ** (k / 2) for k in range(14))  # 125 Hz .. 11.3 kHz
MIN_ZERO_RUN_S = 0.005
MEAN_LEAK = 1e-6
"""Bins where the window's own spectrum is below this part of its sum carry none of a
chunk's mean worth taking out."""
LONG_STRIDE, LONG_S = 8, 600.0
"""In a recording of LONG_S or more, one ~20 ms frame in LONG_STRIDE is transformed: the
spectral figures are averages and percentiles over frames, and a long recording has far
more than they need, so the pass's largest part (the FFTs) costs an eighth. Short ones (the
live test's 15 s) have every frame transformed. Sample statistics and every frame's mean
square always see every sample (the loudness' gating works from the latter)."""
COL_FULL, COL_SPEECH, COL_K, COL_UPPER, COL_DC = 0, 1, 2, 3, 4
"""Per-frame columns: full-band, speech-band, K-weighted and upper-band (above the hum's
bins: from `FrameLayout.upper_hz`) powers, and the frame's mean (a fraction of full scale)."""
COL_BANDS = 5


@dataclass
class FrameLayout:
    """Frame and window sizes for one sample rate."""

    rate_hz: int
    frame: int
    decimation: int
    stride: int = 1
    """One frame in this many is transformed."""

    @classmethod
    def for_rate(cls, rate_hz: int, samples: int = 0) -> FrameLayout:
        """The layout for a channel of `samples` samples at this rate (the chunk always holds
        a whole number of hops: 16384 x decimation samples, frames of at most 4096)."""
        frame = 2 ** int(round(np.log2(FRAME_S * rate_hz)))
        stride = LONG_STRIDE if samples >= LONG_S * rate_hz else 1
        return cls(rate_hz, frame, max(1, rate_hz // HUM_RATE_HZ), stride)

    @property
    def hop(self) -> int:
        """Samples from one analysed frame to the next."""
        return self.frame * self.stride

    @property
    def hop_s(self) -> float:
        """The time each analysed frame stands for."""
        return self.hop / self.rate_hz

    @property
    def hum_rate_hz(self) -> float:
        return self.rate_hz / self.decimation

    @property
    def hum_bins(self) -> int:
        return int(HUM_MAX_HZ * HUM_WINDOW / self.hum_rate_hz) + 1

    @property
    def chunk(self) -> int:
        return HUM_WINDOW * self.decimation * HUM_WINDOWS_PER_CHUNK

    @property
    def upper_bin(self) -> int:
        """The first frame bin of the upper band: the first at or above HUM_MAX_HZ."""
        return int(np.ceil(HUM_MAX_HZ * self.frame / self.rate_hz))

    @property
    def upper_hz(self) -> float:
        """Where the upper band's bins begin (half a bin below the first one's centre); the
        hum spectra's bins below this make up the rest of the noise."""
        return (self.upper_bin - 0.5) * self.rate_hz / self.frame

    def band_edges_hz(self) -> list[tuple[float, float]]:
        top = self.rate_hz / 2
        edges = [e for e in BANDWIDTH_EDGES_HZ if e < top]
        return list(zip(edges[:-1], edges[1:], strict=True))


def k_weighting_power(freq_hz: np.ndarray, rate_hz: int) -> np.ndarray:
    """|H|^2 of the ITU-R BS.1770 K-weighting (shelf + high-pass) at these frequencies."""
    shelf_b, shelf_a, hp_b, hp_a = _k_weighting_coefficients(rate_hz)
    z = np.exp(-2j * np.pi * freq_hz / rate_hz)
    return np.abs(_response(shelf_b, shelf_a, z) * _response(hp_b, hp_a, z)) ** 2


def _response(b: list[float], a: list[float], z: np.ndarray) -> np.ndarray:
    """H = B/A of a filter with coefficients in powers of z^-1, at the points `z` = e^-jw."""
    return np.polyval(b[::-1], z) / np.polyval(a[::-1], z)


def _k_weighting_coefficients(rate_hz: int):
    """BS.1770-4 filters designed for any rate (the published 48 kHz values, re-derived)."""
    f0, gain_db, q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
    k = np.tan(np.pi * f0 / rate_hz)
    vh = 10 ** (gain_db / 20)
    vb = vh ** 0.4996667741545416
    a0 = 1 + k / q + k * k
    shelf_b = [(vh + vb * k / q + k * k) / a0, 2 * (k * k - vh) / a0,
               (vh - vb * k / q + k * k) / a0]
    shelf_a = [1, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0]
    f0, q = 38.13547087602444, 0.5003270373238773
    k = np.tan(np.pi * f0 / rate_hz)
    a0 = 1 + k / q + k * k
    hp_a = [1, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0]
    return shelf_b, shelf_a, [1, -2, 1], hp_a


class BandPlan:
    """Turns frame spectra into per-frame band powers (the columns COL_*).

    The spectra come as squared real and imaginary parts side by side (the complex spectrum's
    own memory, squared in place), so a band of bins is a run of twice as many values and no
    pass is spent adding each pair. Bands are contiguous runs: one `np.add.reduceat` sums the
    segments between the union of their edges, and one small product adds each band's
    segments (scaled) into its column; K-weighting is one weighted sum per frame. (A dense
    bins x columns product was slower.)
    """

    def __init__(self, layout: FrameLayout) -> None:
        freq = np.fft.rfftfreq(layout.frame, 1 / layout.rate_hz)
        window = np.hanning(layout.frame)
        scale = 2.0 / (layout.frame * np.sum(window ** 2)) / FULL_SCALE ** 2

        def bin_of(hz: float) -> int:
            return int(np.searchsorted(freq, hz))

        ranges = {COL_FULL: (1, freq.size),
                  COL_SPEECH: (bin_of(SPEECH_BAND_HZ[0]), bin_of(SPEECH_BAND_HZ[1])),
                  COL_UPPER: (layout.upper_bin, freq.size)}
        for column, (low, high) in enumerate(layout.band_edges_hz(), COL_BANDS):
            ranges[column] = (bin_of(low), bin_of(high))
        edges = sorted({b for r in ranges.values() for b in r} - {freq.size})
        self._edges = 2 * np.array(edges, dtype=np.intp)
        self.columns = COL_BANDS + len(layout.band_edges_hz())
        self._segments_to_columns = np.zeros((len(edges), self.columns))
        for column, (low, high) in ranges.items():
            self._segments_to_columns[edges.index(low):edges.index(high) if high < freq.size
                                      else len(edges), column] = scale
        self._k = np.repeat(k_weighting_power(freq, layout.rate_hz) * scale, 2)

    def apply(self, squares: np.ndarray, dc: np.ndarray) -> np.ndarray:
        """(frames, 2 x bins) squared re, im, and the frames' means -> (frames, columns)
        float32."""
        bands = np.add.reduceat(squares, self._edges, axis=1) @ self._segments_to_columns
        bands[:, COL_K] = squares @ self._k
        bands[:, COL_DC] = dc
        return bands.astype(np.float32)


@dataclass
class ChannelFrames:
    """The result of one pass over one channel."""

    layout: FrameLayout
    samples: int = 0
    peak: int = 0
    sum: int = 0
    sum_squares: int = 0
    """Sums of the int16 samples (exact) and of their squares (within a millionth)."""
    clipped: int = 0
    zero_runs: list[ZeroRun] = field(default_factory=list)
    band_power: np.ndarray | None = None
    """(frames, columns) float32; columns as in `BandPlan`."""
    hum_power: np.ndarray | None = None
    """(windows, hum_bins) float32: power spectra (normalised like band powers) of the
    decimated signal, one row per ~0.34 s window."""
    frame_power: np.ndarray | None = None
    """(frames,) float32: the mean square of every whole frame, transformed or not (a
    fraction of full scale squared, the frame's mean included)."""

    @classmethod
    def joined(cls, parts: list[ChannelFrames]) -> ChannelFrames:
        """The result of consecutive stretches, as if scanned in one pass."""
        return cls(parts[0].layout, samples=sum(p.samples for p in parts),
                   peak=max(p.peak for p in parts), sum=sum(p.sum for p in parts),
                   sum_squares=sum(p.sum_squares for p in parts),
                   clipped=sum(p.clipped for p in parts),
                   zero_runs=[run for p in parts for run in p.zero_runs],
                   band_power=np.concatenate([p.band_power for p in parts]),
                   hum_power=np.concatenate([p.hum_power for p in parts]),
                   frame_power=np.concatenate([p.frame_power for p in parts]))


class FramePass:
    """Accumulates `ChannelFrames` from consecutive int16 chunks of one channel, the first
    starting at sample index `start` of the channel."""

    def __init__(self, layout: FrameLayout, start: int = 0) -> None:
        self.layout = layout
        rate_hz = layout.rate_hz
        self.result = ChannelFrames(layout)
        self._bands_plan = BandPlan(layout)
        frames = -(-layout.chunk // layout.hop)
        self._x = np.empty(layout.chunk, np.float32)
        self._windowed = np.empty((frames, layout.frame))
        self._spectrum = np.empty((frames, layout.frame // 2 + 1), np.complex128)
        self._frame_window = np.hanning(layout.frame)
        self._window_sum = float(self._frame_window.sum())
        self._mean_spectrum = _leaking_bins(self._frame_window)
        """The spectrum of a frame of ones, where it matters: a frame's transform less the
        chunk's mean times this is the transform of the mean-free frame."""
        self._ones = np.ones(layout.decimation, np.float32)
        windows = layout.chunk // (HUM_WINDOW * layout.decimation)
        hum_window = np.hanning(HUM_WINDOW)
        self._hum_window = hum_window / layout.decimation
        """Applied to block sums: the window and the decimation's averaging in one product."""
        self._hum_mean_spectrum = _leaking_bins(hum_window)[: layout.hum_bins]
        self._hum_windowed = np.empty((windows, HUM_WINDOW))
        self._hum_spectrum = np.empty((windows, HUM_WINDOW // 2 + 1), np.complex128)
        self._hum_scale = 2.0 / (HUM_WINDOW * np.sum(hum_window ** 2)) / FULL_SCALE ** 2
        self._zeros = ZeroRunTracker(int(MIN_ZERO_RUN_S * rate_hz), start)
        self._bands: list[np.ndarray] = []
        self._hum: list[np.ndarray] = []
        self._powers: list[np.ndarray] = []

    def feed(self, chunk: np.ndarray) -> None:
        """One chunk of int16 samples (1-D, any stride), at most layout.chunk long."""
        r = self.result
        count = chunk.shape[0]
        x = self._x[:count]
        np.copyto(x, chunk)
        block_sums = self._block_sums(x)
        covered = block_sums.size * self.layout.decimation
        total = int(block_sums.sum(dtype=np.float64)) + int(chunk[covered:].sum(dtype=np.int64))
        mean = total / count
        r.samples += count
        r.sum += total
        r.peak = max(r.peak, int(chunk.max()), -int(chunk.min()))
        if r.peak >= CLIP_LEVEL:
            r.clipped += int(clipped_in_runs(chunk[:, None])[0])
        r.zero_runs += self._zeros.feed(chunk, covered < count or may_hold_run(
            block_sums, self.layout.decimation, self._zeros.min_length))
        r.sum_squares += self._frames(x, mean)
        if block_sums.size:
            self._hum_windows(block_sums, mean)

    def _frames(self, x: np.ndarray, mean: float) -> int:
        """Band powers and means of the analysed frames of a chunk whose mean is `mean` (taken
        out of the spectra, cheaper than out of every sample): the first whole frame of each
        hop; the mean square of every whole frame. Returns the chunk's sum of squares (in
        float32 by frames: within a millionth)."""
        n = self.layout.frame
        whole = x.shape[0] // n
        count = -(-whole // self.layout.stride)
        every = x[: whole * n].reshape(whole, n)
        energy = np.matmul(every[:, None, :], every[:, :, None])[:, 0, 0]
        tail = x[whole * n:]
        self._powers.append(np.multiply(energy, 1.0 / (n * FULL_SCALE ** 2),
                                        dtype=np.float32))
        if count:
            frames = every[:: self.layout.stride]
            windowed = np.multiply(frames, self._frame_window, out=self._windowed[:count])
            spectrum = np.fft.rfft(windowed, axis=1, out=self._spectrum[:count])
            spectrum[:, : self._mean_spectrum.size] -= mean * self._mean_spectrum
            # bin 0 is the frame's window-weighted sum: its mean (a hardware offset is in
            # every frame, the offset of clipped peaks only in the loud ones)
            dc = (spectrum[:, 0].real / self._window_sum + mean) / FULL_SCALE
            squares = spectrum.view(np.float64)
            self._bands.append(self._bands_plan.apply(np.square(squares, out=squares), dc))
        return int(energy.sum(dtype=np.float64)) + int(tail @ tail)

    def _block_sums(self, x: np.ndarray) -> np.ndarray:
        """Sums of D consecutive samples over the whole hum windows in `x`: the decimation,
        and most of the chunk's sum without another pass (exact: float32 holds sums of up to
        2^8 int16 samples exactly)."""
        d = self.layout.decimation
        span = HUM_WINDOW * d
        return x[: x.shape[0] // span * span].reshape(-1, d) @ self._ones

    def _hum_windows(self, block_sums: np.ndarray, mean: float) -> None:
        """Low-bin power spectra of the decimated signal (block sums averaged), window by
        window; the chunk's mean taken out of the spectra, as for the frames."""
        windows = block_sums.reshape(-1, HUM_WINDOW)
        count, bins = windows.shape[0], self.layout.hum_bins
        windowed = np.multiply(windows, self._hum_window, out=self._hum_windowed[:count])
        spectrum = np.fft.rfft(windowed, axis=1, out=self._hum_spectrum[:count])[:, :bins]
        spectrum[:, : self._hum_mean_spectrum.size] -= mean * self._hum_mean_spectrum
        power = np.square(spectrum.real) + np.square(spectrum.imag)
        self._hum.append(np.multiply(power, self._hum_scale, dtype=np.float32))

    def finish(self) -> ChannelFrames:
        r = self.result
        r.zero_runs += self._zeros.finish()
        columns = self._bands_plan.columns
        r.band_power = np.concatenate(self._bands) if self._bands else np.zeros((0, columns),
                                                                                np.float32)
        r.hum_power = (np.concatenate(self._hum) if self._hum
                       else np.zeros((0, self.layout.hum_bins), np.float32))
        r.frame_power = (np.concatenate(self._powers) if self._powers
                         else np.zeros(0, np.float32))
        return r


def _leaking_bins(window: np.ndarray) -> np.ndarray:
    """The low bins of a window's spectrum that hold more than MEAN_LEAK of its sum: where a
    constant under the window shows in a transform."""
    spectrum = np.fft.rfft(window)
    leaking = np.abs(spectrum) >= MEAN_LEAK * abs(spectrum[0])
    return spectrum[: int(np.argmin(leaking))]


def scan_channel(samples: np.ndarray, rate_hz: int,
                 workers: int | None = None) -> ChannelFrames:
    """One pass over a 1-D int16 channel (an array or a memory map), in stretches scanned by
    `workers` processes at once (by default one per core, at most MAX_WORKERS, when no other
    thread runs in this process; else one)."""
    if workers is None:
        workers = (min(MAX_WORKERS, len(os.sched_getaffinity(0)))
                   if threading.active_count() == 1 else 1)
    starts = stretch_starts(samples, FrameLayout.for_rate(rate_hz, samples.shape[0]).chunk,
                            workers)
    bounds = list(zip(starts, starts[1:] + [samples.shape[0]], strict=True))
    children: list[ChildScan] = []
    try:
        for bound in bounds[1:]:
            children.append(ChildScan(samples, rate_hz, *bound))
        first = _scan_stretch(samples, rate_hz, *bounds[0])
        return ChannelFrames.joined([first] + [child.result() for child in children])
    finally:
        for child in reversed(children):  # each child holds the pipes of those before it
            child.reap()


def stretch_starts(samples: np.ndarray, chunk: int, workers: int) -> list[int]:
    """Where the stretches start: chunk boundaries near equal shares, each with a non-zero
    sample on one side (no zero run crosses it); fewer stretches where there is none nearby
    or the channel is short."""
    chunks = -(-samples.shape[0] // chunk)
    workers = max(1, min(workers, chunks // MIN_CHUNKS_PER_WORKER))
    starts = [0]
    for k in range(1, workers):
        share = k * chunks // workers
        for boundary in range(share, min(share + MIN_CHUNKS_PER_WORKER, chunks)):
            at = boundary * chunk
            if at > starts[-1] and (samples[at - 1] != 0 or samples[at] != 0):
                starts.append(at)
                break
    return starts


def _scan_stretch(samples: np.ndarray, rate_hz: int, start: int, end: int) -> ChannelFrames:
    scan = FramePass(FrameLayout.for_rate(rate_hz, samples.shape[0]), start)
    step = scan.layout.chunk
    for at in range(start, end, step):
        scan.feed(samples[at:min(at + step, end)])
    return scan.finish()


class ChildScan:
    """One stretch scanned in a forked child process; the result comes back pickled through
    a pipe (the child's exception too)."""

    def __init__(self, samples: np.ndarray, rate_hz: int, start: int, end: int) -> None:
        read_fd, write_fd = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child: scan, send, and leave without running anything else
            status = 1
            try:
                os.close(read_fd)
                try:
                    payload: object = _scan_stretch(samples, rate_hz, start, end)
                    status = 0
                except Exception as err:
                    payload = err
                with os.fdopen(write_fd, "wb") as out:
                    pickle.dump(payload, out, pickle.HIGHEST_PROTOCOL)
            finally:
                os._exit(status)
        os.close(write_fd)
        self._reader = os.fdopen(read_fd, "rb")

    def result(self) -> ChannelFrames:
        try:
            payload = pickle.load(self._reader)
        except EOFError:
            raise RuntimeError("the scanning child process ended without a result") from None
        if isinstance(payload, Exception):
            raise payload
        return payload

    def reap(self) -> None:
        """Close the pipe (a child still writing gets EPIPE and ends) and wait for the child."""
        self._reader.close()
        os.waitpid(self.pid, 0)
