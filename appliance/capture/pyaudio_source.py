"""The microphone through PyAudio (PortAudio → ALSA). The only module that imports pyaudio.

A supervisor thread opens the device, watches that callbacks keep coming, and when the device
vanishes (USB microphone unplugged, ALSA error) reports DEVICE_LOST, closes everything and
retries until the device is back, then reports DEVICE_PRESENT. PortAudio only rescans devices
on a fresh `PyAudio()` instance, so each attempt starts from scratch.

A dead device can hang PortAudio: stopping a stream waits for a drain that never comes (seen
with the device's JACK server killed). So the loss is reported first (the recorder seals the
part at once), the stream is closed without stopping it (Pa_CloseStream aborts), on a helper
thread that is abandoned if even that hangs, and Pa_Terminate is skipped when PortAudio's JACK
host API is loaded (its terminate asserts when the server has died, killing the process).

The PortAudio callback only cuts what it is given into blocks, queues them and counts the
overflow flag. PortAudio delivers `CALLBACK_BLOCKS` blocks per call: every block is still
analysed on its own, but the device, PortAudio's thread and the pipeline wake once per call,
which is most of what capture costs at real time (docs/BENCHMARKS.md).
"""

from __future__ import annotations

import logging
import queue
import threading
import time

import pyaudio

from appliance import i18n
from appliance.capture import native_noise
from appliance.capture.source import CaptureItem, ItemKind, put_until_stopped
from appliance.capture.wavfile import WavFormat

log = logging.getLogger(__name__)

CLOSE_TIMEOUT_S = 5.0
CALLBACK_BLOCKS = 3
"""0.3 s per call with the default 100 ms block. The price: a process killed outright loses up
to this much more audio (still well under the 1 s limit), and a button press is stamped with
the frames delivered before it, up to this much earlier than the press."""

i18n.register({
    "capture.no_device": ("Микрофон «{device}» не найден", "Microphone '{device}' not found"),
    "capture.stalled": ("Микрофон перестал передавать звук", "The microphone stopped delivering"),
    "capture.open_failed": ("Микрофон не открывается: {detail}",
                            "The microphone cannot be opened: {detail}"),
})


def _input_devices(pa: pyaudio.PyAudio) -> list[dict]:
    return [{"index": i, "name": info["name"], "channels": int(info["maxInputChannels"]),
             "rate_hz": int(info["defaultSampleRate"])}
            for i in range(pa.get_device_count())
            if (info := pa.get_device_info_by_index(i))["maxInputChannels"] > 0]


def list_input_devices() -> list[dict]:
    """Input devices PortAudio sees now: index, name, channels, default rate."""
    native_noise.silence()
    pa = pyaudio.PyAudio()
    try:
        return _input_devices(pa)
    finally:
        pa.terminate()


def find_device(devices: list[dict], wanted: str | int) -> dict | None:
    """The device by index, exact name, or name substring (first match), else None."""
    if isinstance(wanted, int) or (isinstance(wanted, str) and wanted.isdigit()):
        return next((d for d in devices if d["index"] == int(wanted)), None)
    exact = [d for d in devices if d["name"] == wanted]
    return (exact or [d for d in devices if wanted.lower() in d["name"].lower()] or [None])[0]


class PyAudioSource:
    """Capture from a PortAudio input device chosen by name substring or index."""

    def __init__(self, device: str | int, rate_hz: int, channels: int, block_frames: int,
                 stall_s: float = 2.0, retry_s: float = 1.0) -> None:
        self.name = str(device)
        self.format = WavFormat(rate_hz, channels)
        self.block_frames = block_frames
        self.frames_captured = 0
        self.overflows = 0
        self._stall_s = stall_s
        self._retry_s = retry_s
        self._stopping = threading.Event()
        self._out: queue.Queue[CaptureItem] | None = None
        self._last_callback = 0.0
        self._blocked = False
        self._thread: threading.Thread | None = None

    def start(self, out: queue.Queue[CaptureItem]) -> None:
        self._out = out
        self._thread = threading.Thread(target=self._supervise, name="capture-supervisor",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread:
            self._thread.join(timeout=10)

    def _callback(self, in_data, frame_count, time_info, status_flags):
        overflowed = bool(status_flags & pyaudio.paInputOverflow)
        self.overflows += overflowed
        self._blocked = True
        delivered = all(put_until_stopped(self._out, item, self._stopping)
                        for item in self._blocks(in_data, overflowed))
        self._blocked = False
        self._last_callback = time.monotonic()
        return (None, pyaudio.paContinue if delivered else pyaudio.paComplete)

    def _blocks(self, pcm: bytes, overflowed: bool):
        """`pcm` cut into blocks, each numbered by the frames captured before it (counted as
        it is handed over); PortAudio's overflow flag goes with the first."""
        step = self.block_frames * self.format.frame_bytes
        for offset in range(0, len(pcm), step):
            block = pcm[offset:offset + step]
            item = CaptureItem(ItemKind.BLOCK, block, self.frames_captured, overflowed)
            self.frames_captured += len(block) // self.format.frame_bytes
            overflowed = False
            yield item

    def _supervise(self) -> None:
        present: bool | None = None
        while not self._stopping.is_set():
            pa, stream, reason = self._open()
            if stream is None:
                if present is not False:
                    self._report(ItemKind.DEVICE_LOST, reason)
                    present = False
                self._stopping.wait(self._retry_s)
                continue
            self._report(ItemKind.DEVICE_PRESENT, self.name)
            present = True
            reason = self._watch(stream)
            if reason:
                self._report(ItemKind.DEVICE_LOST, reason)
                present = False
            self._close(pa, stream)

    def _open(self):
        native_noise.silence()
        pa = pyaudio.PyAudio()
        try:
            device = find_device(_input_devices(pa), self.name)
            if device is None:
                pa.terminate()
                return None, None, i18n.text("capture.no_device", device=self.name)
            self._last_callback = time.monotonic()
            stream = pa.open(format=pyaudio.paInt16, channels=self.format.channels,
                             rate=self.format.rate_hz, input=True,
                             input_device_index=device["index"],
                             frames_per_buffer=self.block_frames * CALLBACK_BLOCKS,
                             stream_callback=self._callback)
            return pa, stream, ""
        except (OSError, ValueError) as err:
            pa.terminate()
            return None, None, i18n.text("capture.open_failed", detail=err)

    def _watch(self, stream) -> str:
        """Wait while the stream delivers; the reason it stopped, or "" when asked to stop.
        Looks four times per stall time: a stall is reported within 1.25 of it."""
        while not self._stopping.wait(self._stall_s / 4):
            stalled = (not self._blocked
                       and time.monotonic() - self._last_callback > self._stall_s)
            if stalled or not stream.is_active():
                return i18n.text("capture.stalled")
        return ""

    def _close(self, pa, stream) -> None:
        closing = threading.Thread(target=self._close_now, args=(pa, stream),
                                   name="capture-close", daemon=True)
        closing.start()
        closing.join(CLOSE_TIMEOUT_S)
        if closing.is_alive():
            log.error("the capture stream did not close in %s s; abandoned", CLOSE_TIMEOUT_S)

    @staticmethod
    def _close_now(pa, stream) -> None:
        has_jack = any(pa.get_host_api_info_by_index(i)["type"] == pyaudio.paJACK
                       for i in range(pa.get_host_api_count()))
        try:
            stream.close()
            if not has_jack:
                pa.terminate()
        except OSError as err:
            log.warning("closing the capture stream: %s", err)

    def _report(self, kind: ItemKind, detail: str) -> None:
        log.info("capture: %s %s", kind.value, detail)
        put_until_stopped(self._out, CaptureItem(kind, start_frame=self.frames_captured,
                                                 detail=detail), self._stopping)
