"""The day's parts one after another: a part opens (its header, its journal line, its writer),
is sealed when it closes, rolls over without a gap when full, and after an interruption (a
restart, the microphone, the disk, a medium) the next one opens with a marker saying why.

A disk that refuses part of a closing (full, read-only) never stops it: the part is kept as
unfinished and `finish` completes it once the disk takes writes again (recovery at the next
start does it otherwise), so closing always leaves the recorder ready for the next part.

Runs on the recorder's pipeline thread only.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable

from appliance.capture.wavfile import WavFormat, build_header
from appliance.clock import ClockGuard
from appliance.contract import layout
from appliance.contract.dayview import Part
from appliance.dsp.summary import PartSummary
from appliance.journal import Event
from appliance.recorder.alarm_board import AlarmBoard
from appliance.recorder.day import Day
from appliance.recorder.markers import Markers
from appliance.recorder.media import describe
from appliance.recorder.recovery import recover_day
from appliance.recorder.session import Effect
from appliance.recorder.sinks.progress import CaptureProgress
from appliance.recorder.sinks.summary import PartSummarySink
from appliance.recorder.sinks.writer import PartOutput

log = logging.getLogger(__name__)

RETRY_OPEN_S = 1.0  # after a part could not be opened, the next try waits this long


class PartCycle:
    """Opens and closes the parts of the day that `day` gives. The open part's writer is
    `output.writer`; `summary` collects the part's levels, `markers` ends the participant's
    answer at a closing and places the reason marker of a reopened part. A disk error while
    reopening goes to `failed` (the recorder's disk reactions, which close what is open).
    `max_part_bytes` is read at each opening (the setting may change while recording)."""

    def __init__(self, day: Callable[[], Day | None], fmt: WavFormat, clock: ClockGuard,
                 output: PartOutput, summary: PartSummarySink, progress: CaptureProgress,
                 markers: Markers, alarms: AlarmBoard, max_part_bytes: Callable[[], int],
                 failed: Callable[[OSError], None], monotonic=time.monotonic) -> None:
        self._day = day
        self._format = fmt
        self._clock = clock
        self._output = output
        self._summary = summary
        self._progress = progress
        self._markers = markers
        self._alarms = alarms
        self._max_part_bytes = max_part_bytes
        self._failed = failed
        self._monotonic = monotonic
        self.part: Part | None = None
        """The open part (None: none open)."""
        self.file = ""
        """The open part's path as the status names it."""
        self.reopen_label = "marker.after_restart"
        """The text key of the marker the next reopened part starts with: why it was closed."""
        self.retry_open_at = 0.0
        """The monotonic time before which a part that could not be opened is not tried."""
        self.unfinished: list[tuple[Part, PartSummary | None]] = []
        """Closed parts whose seal, side files or summary the disk refused (see `finish`)."""

    @property
    def writer(self):
        """The open part's writer, None when no part is open."""
        return self._output.writer

    def open(self) -> None:
        """Open the day's next part: its header built once, journaled, then its writer."""
        day, fmt = self._day(), self._format
        number = day.view.next_part
        bext = day.bext(number, self._clock.status().now, fmt)
        header = build_header(fmt, bext)
        day.record(Event.PART_OPENED, part=number, file=day.stem(number) + ".wav",
                   rate_hz=fmt.rate_hz, channels=fmt.channels,
                   capture_frame=self._progress.frames, header=header.hex())
        self.part = day.view.part(number)
        self.file = str(day.path(self.part))
        self._summary.begin()
        self._output.writer = day.part_writer(self.part, fmt, header, self._max_part_bytes())
        self._alarms.clear("storage")  # the disk takes writes again

    def close(self, reason: str) -> None:
        """Seal the open part (if any). A disk that refuses part of it (full, read-only)
        never stops the closing: the part is left for `finish` (or recovery at the next
        start)."""
        writer, part = self.writer, self.part
        if writer is None:
            return
        summary = self._summary.end()
        try:
            self._markers.end_answer()
        except OSError as err:
            log.error("participant check of part %s not journaled: %s", part.number, err)
        self._output.writer = self.part = None  # never write to a half-closed part
        day = self._day()
        try:
            writer.close(day.cues(part))
            day.seal(part, reason)
            self._write_summary(day, part, summary)
        except OSError as err:
            log.error("part %s not completely closed (%s): finished when the disk allows",
                      part.number, describe(err))
            self.unfinished.append((part, summary))

    def rollover(self) -> None:
        """The open part is full: the next one continues it without a gap."""
        self.close("rollover")
        self.open()

    def reopen(self) -> None:
        """Recording is wanted but no part is open (after a restart, the microphone or disk
        space coming back, a disk error): the next part, with a marker saying why. A disk
        that refuses it is reported to `failed`, and the next try waits RETRY_OPEN_S."""
        try:
            self.open()
            self._markers.place(self.part, Effect.MARK_RESUME, label_key=self.reopen_label)
        except OSError as err:
            self.retry_open_at = self._monotonic() + RETRY_OPEN_S
            self._failed(err)

    def next_part_now(self, reason: str, between: Callable[[], None]) -> None:
        """Close the open part, call `between()`, go on in a new part at once (a medium came
        back: it takes writes from the new part on)."""
        writing = self.writer is not None
        self.close(reason)
        between()
        if writing:
            self.reopen_label = "marker.after_medium"
            self.reopen()

    def finish(self) -> None:
        """Complete the parts whose closing the disk refused: a part never sealed is repaired
        and sealed by recovery; a sealed one gets its marker files and summary."""
        unfinished, self.unfinished = self.unfinished, []
        day = self._day()
        try:
            recover_day(day)
            for part, summary in unfinished:
                day.write_sidecars(part)
                self._write_summary(day, part, summary)
        except OSError as err:
            log.error("closed parts still not finished: %s", describe(err))
            self.unfinished = unfinished

    @staticmethod
    def _write_summary(day: Day, part: Part, summary: PartSummary | None) -> None:
        if summary is not None:
            day.put_text(layout.sidecar(day.dir, part.file, layout.SUMMARY_SUFFIX).name,
                         json.dumps(summary.to_dict(), ensure_ascii=False, indent=1))
