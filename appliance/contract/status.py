"""The recorder's status, typed: what the `status` command answers on the control socket.

One schema for the recorder that builds it and for the CLI, the web page, the LEDs and the
serial panel that read it. On the socket it is a JSON object whose keys are the field names.
Adding a field is one line here, with a default: a reader older or newer than the writer still
understands the rest, and keys a reader does not know are kept (`extra`) and written back
unchanged.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from appliance.contract.vocabulary import State

NOT_RECORDING = "not_recording"
"""The alarm that says recording is on but audio is not reaching the file."""
_ADDED = {"added": True}
"""Metadata of a field another part of the box adds (absent from the JSON while None)."""


@dataclass
class Status:
    state: State = State.IDLE
    day: str | None = None
    """The day being recorded (ISO date); None before the first start."""
    part: int | None = None
    file: str | None = None
    part_frames: int = 0
    elapsed_s: float = 0.0
    """Audio recorded today, all parts."""
    captured_frames: int = 0
    participants: int = 0
    """Answers recorded today: participant markers, corrections applied, voided ones left out."""
    participant: dict = field(default_factory=dict)
    """`flagged`, `next`, `roster`, `current` (appliance.participants.live)."""
    levels: dict = field(default_factory=dict)
    """`peak_dbfs`, `rms_dbfs`, … per channel, of the latest block."""
    levels_time: float | None = None
    meter: dict = field(default_factory=dict)
    alarms: list[dict] = field(default_factory=list)
    """Each with `code`, `message`, `hint`; `not_recording` first when it is raised."""
    overflows: int = 0
    device: dict = field(default_factory=dict)
    """`name`, `present`, `detail` of the microphone."""
    clock: dict = field(default_factory=dict)
    """`ok`, `source` (vocabulary.ClockSource), `reason`, `now`."""
    configured: bool = False
    rate_hz: int = 0
    channels: int = 0
    free_bytes: int | None = None
    disk: dict | None = None
    last_refusal: dict | None = None
    version: str = ""
    drive: dict | None = field(default=None, metadata=_ADDED)
    """The USB drive (`state`: vocabulary.DriveState), added by the recorder's drive service."""
    leds: dict | None = field(default=None, metadata=_ADDED)
    """What the LEDs show, added by the examiner's hardware service."""
    hours_left: float | None = field(default=None, metadata=_ADDED)
    """Recording hours that fit on the disk, added by the web page's poller."""
    mirror: dict | None = field(default=None, metadata=_ADDED)
    """The safety copy: `state`, `ok`, `text`, `path`; readers treat its absence as unknown."""
    last_test: dict | None = field(default=None, metadata=_ADDED)
    """The latest test recording's verdict: `status`, `status_text`, `time`."""
    extra: dict = field(default_factory=dict, metadata={"extra": True})
    """Keys this version does not know, kept as they came."""

    # ----- JSON ---------------------------------------------------------------------------
    def to_json(self) -> dict:
        data = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.metadata.get("extra") or (f.metadata.get("added") and value is None):
                continue
            data[f.name] = str(value) if f.name == "state" else value
        return {**data, **self.extra}

    @classmethod
    def from_json(cls, data: dict) -> Status:
        known = {f.name for f in dataclasses.fields(cls) if not f.metadata.get("extra")}
        values = {k: v for k, v in data.items() if k in known}
        if "state" in values:
            values["state"] = State(values["state"])
        return cls(**values, extra={k: v for k, v in data.items() if k not in known})

    # ----- what readers ask of it -------------------------------------------------------
    def alarm_codes(self) -> list[str]:
        return [str(a.get("code", "")) for a in self.alarms]

    @property
    def not_recording(self) -> bool:
        """Recording is on, but audio is not reaching the file."""
        return NOT_RECORDING in self.alarm_codes()

    @property
    def device_present(self) -> bool:
        return bool(self.device.get("present"))

    @property
    def clock_ok(self) -> bool:
        return bool(self.clock.get("ok"))

    @property
    def ready(self) -> bool:
        """Set up and able to start: site codes set, clock trusted, microphone present."""
        return self.configured and self.clock_ok and self.device_present

    @property
    def drive_state(self) -> str | None:
        return (self.drive or {}).get("state")

    def peaks_dbfs(self) -> list[float]:
        """The latest block's peak per channel, channels without a reading left out."""
        return [p for p in self.levels.get("peak_dbfs") or [] if p is not None]

    def recording_hours_left(self) -> float | None:
        """Hours of recording that fit in the free space (16-bit samples)."""
        if self.free_bytes is None or not self.rate_hz or not self.channels:
            return None
        return round(self.free_bytes / (self.rate_hz * self.channels * 2 * 3600), 2)
