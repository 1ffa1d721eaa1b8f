"""Markers in the open part: where a command's marker lands and the lines it leaves.

A command acts at the capture frame it was given at (a button's first contact), however far
the pipeline lagged behind when it took effect; its marker is placed back at that frame of the
open part, never before the part's first sample. A participant marker also ends the previous
participant's intro check and starts the next one's.

Runs on the recorder's pipeline thread only.
"""

from __future__ import annotations

from collections.abc import Callable

from appliance import i18n
from appliance.contract.dayview import Part
from appliance.journal import Event
from appliance.participants.live import ParticipantTracker
from appliance.recorder.day import Day
from appliance.recorder.session import Effect
from appliance.recorder.sinks.progress import CaptureProgress
from appliance.recorder.sinks.writer import PartOutput

i18n.register({
    "marker.start": ("Начало записи", "Recording started"),
    "marker.pause": ("Пауза", "Pause"),
    "marker.resume": ("Продолжение", "Resumed"),
    "marker.stop": ("Конец записи", "Recording stopped"),
    "marker.after_restart": ("Продолжение после перезапуска", "Resumed after a restart"),
    "marker.after_device": ("Продолжение после отключения микрофона",
                            "Resumed after the microphone came back"),
    "marker.after_disk": ("Продолжение после освобождения места на диске",
                          "Resumed after disk space was freed"),
    "marker.after_disk_error": ("Продолжение после ошибки записи на диск",
                                "Resumed after a disk write error"),
    "marker.after_medium": ("Продолжение после возвращения носителя",
                            "Resumed after a medium came back"),
})

MARK_LABELS = {Effect.MARK_START: "marker.start", Effect.MARK_PAUSE: "marker.pause",
               Effect.MARK_RESUME: "marker.resume", Effect.MARK_STOP: "marker.stop"}
"""The label of a session marker given without one."""


class Markers:
    """Places markers into the open part. `part` in each call is the open part (None: none
    open); its writer is `output.writer`. `day` gives the day being recorded, `progress` the
    capture frame the pipeline has processed up to, `journal_check` journals a participant's
    finished intro check."""

    def __init__(self, day: Callable[[], Day | None], output: PartOutput,
                 progress: CaptureProgress, tracker: ParticipantTracker,
                 journal_check: Callable[[dict | None], None], rate_hz: int) -> None:
        self._day = day
        self._output = output
        self._progress = progress
        self._tracker = tracker
        self._journal_check = journal_check
        self._rate_hz = rate_hz

    def end_answer(self) -> None:
        """The participant answering now (if any) is done (next marker, pause, stop, part
        closed): the final intro check is journaled."""
        self._journal_check(self._tracker.end())

    def frame(self, at_frame: int | None) -> int:
        """The open part's frame for a command given at capture frame `at_frame`: late by
        what the pipeline processed since, never before the part's first sample."""
        late = max(0, self._progress.frames - at_frame) if at_frame is not None else 0
        return max(0, self._output.writer.frames - late)

    def intent_position(self, part: Part | None, effects: tuple[Effect, ...],
                        at_frame: int) -> tuple[int | None, int | None]:
        """Where a state change's marker will be: in the open part, at the start of the part
        about to open, or nowhere (no part open and none to open)."""
        if self._output.writer:
            return part.number, self.frame(at_frame)
        if Effect.OPEN_PART in effects:
            return self._day().view.next_part, 0
        return None, None

    def place(self, part: Part | None, effect: Effect, label: str | None = None,
              label_key: str | None = None, requested: int | None = None,
              at_frame: int | None = None) -> dict | None:
        """Journal the marker of `effect` and rewrite the part's marker files; the marker as
        the command answers it, or None when no part is open. A participant marker takes the
        `requested` number or the next one; any other is labelled by `label`, else by the
        text of `label_key`, else by its kind's default."""
        writer = self._output.writer
        if writer is None:
            return None
        day, tracker = self._day(), self._tracker
        participant = None
        self.end_answer()
        if effect is Effect.MARK_PARTICIPANT:
            participant = tracker.choose(day, requested)
            label = label or i18n.text("marker.participant", n=participant)
            kind = "participant"
        else:
            kind = effect.value
            label = label or i18n.text(label_key or MARK_LABELS[effect])
        frame = self.frame(at_frame)
        capture_frame = self._progress.frames - (writer.frames - frame)
        day.record(Event.MARKER, part=part.number, frame=frame, kind=kind, label=label,
                   participant=participant, capture_frame=capture_frame)
        day.write_sidecars(part)
        if participant is not None:
            tracker.begin(participant, part.number, frame, day.dir)
        return {"part": part.number, "frame": frame,
                "time_s": round(frame / self._rate_hz, 6), "kind": kind, "label": label,
                "participant": participant}
