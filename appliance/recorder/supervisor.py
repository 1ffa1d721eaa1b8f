"""Intent against fact: the one place that decides whether audio is really reaching the file.

The session holds the intent (the user asked for recording: started or resumed). The fact is
the moment a frame last reached the current part's file. Whenever the intent is recording and
no frame has reached the file for more than GRACE_S, the `not_recording` alarm is on, with the
cause last reported by whoever found it (no microphone, disk full, read-only disk, write error,
pipeline stopped), until frames flow again. `status`, the LEDs, the serial panel and the web
page all read it from the status, so no indicator can say "recording" while nothing is written.

The interface is three calls and a verdict: `armed()` when the intent becomes recording,
`reached()` when frames reached the part, `blocked(cause, detail)` when something stops them.

Threading: `armed`, `reached`, `blocked` are called by the recorder's pipeline thread;
`verdict` may be called from any thread (it only reads; a stale read is one block old).
"""

from __future__ import annotations

import enum
import time

from appliance import i18n

GRACE_S = 2.0
ALARM_CODE = "not_recording"

i18n.register({
    "notrec.message": ("Запись не идёт: {cause}", "Not recording: {cause}"),
    "notrec.hint": ("Звук не попадает в файл, хотя запись включена. Устраните причину: "
                    "запись продолжится новой частью сама",
                    "Audio is not reaching the file although recording is on. Remove the "
                    "cause: recording resumes as a new part by itself"),
    "notrec.no_part": ("файл записи не открыт", "no recording file is open"),
    "notrec.no_device": ("микрофон не подключён", "no microphone connected"),
    "notrec.disk_full": ("диск заполнен", "the disk is full"),
    "notrec.read_only": ("диск с записями доступен только для чтения",
                         "the recordings' disk is read-only"),
    "notrec.write_error": ("ошибка записи на диск ({detail})", "disk write error ({detail})"),
    "notrec.pipeline_stopped": ("служба записи остановилась", "the recording service stopped"),
    "notrec.stalled": ("звук не поступает в файл", "no audio reaches the file"),
})


class Cause(enum.StrEnum):
    NO_PART = "no_part"
    NO_DEVICE = "no_device"
    DISK_FULL = "disk_full"
    READ_ONLY = "read_only"
    WRITE_ERROR = "write_error"
    PIPELINE_STOPPED = "pipeline_stopped"
    STALLED = "stalled"


class WriteSupervisor:
    """Compares the intent (passed to `verdict`) with when a frame last reached the part."""

    def __init__(self, grace_s: float = GRACE_S, monotonic=time.monotonic) -> None:
        self.grace_s = grace_s
        self._monotonic = monotonic
        self.last_reached_s = monotonic()
        self.cause: Cause | None = None
        self.detail = ""

    def armed(self) -> None:
        """The intent has just become recording: the grace period starts now."""
        self.last_reached_s = self._monotonic()

    def reached(self) -> None:
        """Frames reached the current part's file: whatever blocked them is over."""
        self.last_reached_s = self._monotonic()
        self.cause = None

    def blocked(self, cause: Cause, detail: str = "") -> None:
        """Why frames stopped reaching the file, as found where it happened."""
        self.cause, self.detail = cause, detail

    def verdict(self, recording: bool, part_open: bool, pipeline_alive: bool) -> dict | None:
        """The `not_recording` alarm (status form) when the intent is recording and no frame
        has reached the file for more than `grace_s`; else None."""
        if not recording:
            return None
        idle_s = self._monotonic() - self.last_reached_s  # the only cost while all is well
        if idle_s <= self.grace_s:
            return None
        if not pipeline_alive:
            cause = Cause.PIPELINE_STOPPED
        elif self.cause is not None:
            cause = self.cause
        else:
            cause = Cause.STALLED if part_open else Cause.NO_PART
        text = i18n.text(f"notrec.{cause.value}", detail=self.detail)
        return {"code": ALARM_CODE, "cause": cause.value,
                "message": i18n.text("notrec.message", cause=text),
                "hint": i18n.text("notrec.hint"), "since": round(time.time() - idle_s, 1)}
