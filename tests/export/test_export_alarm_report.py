"""Live alarms travel from the recorder to the export report with their time.

The real `Recorder` (pipeline, alarm monitor, day journal, part summary) is fed 5 s of the
simulated voice, 12 s of digital zeros (a pulled cable) and 6 s of voice again; the day is
stopped and exported. The journal and the part's summary must hold each alarm at its exact
position in the part, and report.csv / report.html must show when it started, when it cleared
and where in the part.
"""

from __future__ import annotations

import csv
import io
import json
import queue
import re
import threading

import numpy as np

from appliance.capture.simulated import speech_like
from appliance.capture.source import CaptureItem, ItemKind, put_until_stopped
from appliance.capture.wavfile import WavFormat
from appliance.clock import ClockGuard
from appliance.config import Config
from appliance.export.exporter import export_days
from appliance.journal import Event
from appliance.recorder.core import Recorder
from tests.feeds import wait_for
from tests.recorder_process import SITE, journal

RATE_HZ = 48000
BLOCK = RATE_HZ // 10


class ArraySource:
    """Delivers a fixed int16 signal block by block, as fast as taken, once `go` is set."""

    def __init__(self, samples: np.ndarray) -> None:
        self.name, self.format, self.block_frames = "array", WavFormat(RATE_HZ, 1), BLOCK
        self.frames_captured = 0
        self.samples = samples
        self.go, self._stopping = threading.Event(), threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, out: queue.Queue) -> None:
        self._thread = threading.Thread(target=self._run, args=(out,), daemon=True)
        self._thread.start()

    def _run(self, out: queue.Queue) -> None:
        put_until_stopped(out, CaptureItem(ItemKind.DEVICE_PRESENT, detail=self.name),
                          self._stopping)
        self.go.wait()
        for start in range(0, self.samples.shape[0], BLOCK):
            block = self.samples[start:start + BLOCK]
            put_until_stopped(out, CaptureItem(ItemKind.BLOCK, block.tobytes(), start),
                              self._stopping)
            self.frames_captured = start + block.shape[0]

    def stop(self) -> None:
        self._stopping.set()
        self.go.set()
        if self._thread:
            self._thread.join(timeout=10)


def test_alarms_are_journaled_at_their_time_and_listed_in_the_export_report(tmp_path):
    config = Config()
    for key, value in SITE.items():
        setattr(config.site, key, value)
    config.recording.data_dir = str(tmp_path / "data")
    voice = speech_like(RATE_HZ, 0, 5 * RATE_HZ)
    signal = np.concatenate([voice, np.zeros((12 * RATE_HZ, 1), np.int16),
                             speech_like(RATE_HZ, 17 * RATE_HZ, 6 * RATE_HZ)])
    source = ArraySource(signal)
    recorder = Recorder(config, source, ClockGuard(config.data_dir))
    recorder.start()
    try:
        wait_for(lambda: recorder.device_present, what="source present")
        recorder.handle("start")
        source.go.set()
        wait_for(lambda: recorder.frames_processed >= signal.shape[0], what="signal processed")
        recorder.handle("stop")
    finally:
        recorder.close()

    day_dir = next((config.data_dir / "recordings").iterdir())
    alarms = [(e.event, e.data["code"], e.data["frame"]) for e in journal(day_dir)
              if e.event in (Event.ALARM, Event.ALARM_CLEARED)]
    zeros_at, voice_again = 5 * RATE_HZ, 17 * RATE_HZ
    dropout_at = zeros_at + round(config.checks.dropout_ms / 1000 * RATE_HZ)
    assert alarms == [
        (Event.ALARM, "dropout", -(-dropout_at // BLOCK) * BLOCK),   # the block it ends in
        (Event.ALARM, "silence", zeros_at + round(config.checks.silence_s * RATE_HZ)),
        (Event.ALARM_CLEARED, "silence", voice_again + BLOCK),
        (Event.ALARM_CLEARED, "dropout",   # the zero run ends in the first voiced block
         voice_again + BLOCK + round(config.checks.dropout_clear_s * RATE_HZ)),
    ]

    summary = json.loads(next(day_dir.glob("*.summary.json")).read_text("utf-8"))
    assert [(a["code"], a["active"], a["frame"]) for a in summary["alarms"]] == [
        (code, event == Event.ALARM, frame) for event, code, frame in alarms]
    assert summary["alarm_counts"] == {"dropout": 1, "silence": 1}
    assert summary["duration_s"] == signal.shape[0] / RATE_HZ

    dest = tmp_path / "usb"
    dest.mkdir()
    export_days(config.data_dir, dest)
    room = next(dest.glob("*/ауд-0005"))
    row = next(csv.DictReader(io.StringIO((room / "report.csv").read_text("utf-8-sig")),
                              delimiter=";"))
    span = r"\d\d:\d\d:\d\d–\d\d:\d\d:\d\d"
    assert re.search(span + r" \(00:00:05\.100 от начала части\) dropout: Пропадание",
                     row["Тревоги"]), row["Тревоги"]
    assert re.search(span + r" \(00:00:15\.000 от начала части\) silence: Нет сигнала",
                     row["Тревоги"]), row["Тревоги"]
    assert row["Заключение"] == "замечания"
    page = (room / "report.html").read_text("utf-8")
    assert "00:00:15.000 от начала части) silence" in page
