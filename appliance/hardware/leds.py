"""What the two LEDs say (pure): patterns, which one the status calls for, and when they change.

The table in docs/LEDS.md is the user-facing copy of `PATTERNS` and `choose_pattern`; keep them
together. A pattern's blinking is timed from the moment it was chosen, so a new pattern shows
its "on" phase at once: that is what makes the press feedback immediate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from appliance.contract.status import Status
from appliance.contract.vocabulary import DriveState, LedPattern, State


@dataclass(frozen=True)
class Blink:
    """One LED: on for `on_s` in every `period_s`, starting `offset_s` into the pattern.

    `period_s` 0 means steady: on when `on_s` > 0, off otherwise.
    """

    period_s: float = 0.0
    on_s: float = 0.0
    offset_s: float = 0.0

    def is_on(self, elapsed_s: float) -> bool:
        if self.period_s == 0:
            return self.on_s > 0
        return self._phase_s(elapsed_s) < self.on_s

    def next_change_s(self, elapsed_s: float) -> float:
        """The first moment after `elapsed_s` at which `is_on` flips (inf when steady)."""
        if self.period_s == 0:
            return math.inf
        phase = self._phase_s(elapsed_s)
        step = self.on_s - phase if phase < self.on_s else self.period_s - phase
        return elapsed_s + step + _EPSILON_S

    def _phase_s(self, elapsed_s: float) -> float:
        """Where in the period we are; a moment within a nanosecond of a flip counts as after
        it, so float rounding can never make a flip look forever just ahead."""
        return (elapsed_s - self.offset_s + _EPSILON_S) % self.period_s


_EPSILON_S = 1e-9
ON = Blink(0.0, 1.0)
OFF = Blink()


@dataclass(frozen=True)
class Pattern:
    """What both LEDs do; `name` is what the serial panel and the web page are told."""

    name: LedPattern
    red: Blink
    green: Blink

    def leds_at(self, elapsed_s: float) -> tuple[bool, bool]:
        """(red_on, green_on) `elapsed_s` after the pattern was chosen."""
        return self.red.is_on(elapsed_s), self.green.is_on(elapsed_s)

    def next_change_s(self, elapsed_s: float) -> float:
        return min(self.red.next_change_s(elapsed_s), self.green.next_change_s(elapsed_s))


_FAST_RED = Blink(0.25, 0.125)
_FAST_GREEN_OPPOSITE = Blink(0.25, 0.125, 0.125)

NOT_READY = Pattern(LedPattern.NOT_READY, OFF, Blink(2.0, 0.1))
READY = Pattern(LedPattern.READY, OFF, ON)
RECORDING = Pattern(LedPattern.RECORDING, ON, OFF)
PAUSED = Pattern(LedPattern.PAUSED, Blink(1.0, 0.5), OFF)
ALARM = Pattern(LedPattern.ALARM, _FAST_RED, OFF)
EXPORT_RUNNING = Pattern(LedPattern.EXPORT_RUNNING, Blink(0.5, 0.25), Blink(0.5, 0.25))
EXPORT_FAILED = Pattern(LedPattern.EXPORT_FAILED, Blink(1.0, 0.5), Blink(1.0, 0.5, 0.5))
SAFE_TO_REMOVE = Pattern(LedPattern.SAFE_TO_REMOVE, OFF, ON)
FAULT = Pattern(LedPattern.FAULT, _FAST_RED, _FAST_GREEN_OPPOSITE)
NOT_RECORDING = Pattern(LedPattern.NOT_RECORDING, _FAST_RED, _FAST_GREEN_OPPOSITE)
PRESSED = Pattern(LedPattern.PRESSED, ON, ON)
LONG_REACHED = Pattern(LedPattern.LONG_REACHED, OFF, OFF)
REFUSED = Pattern(LedPattern.REFUSED, _FAST_RED, _FAST_GREEN_OPPOSITE)
PATTERNS = {p.name: p for p in (NOT_READY, READY, RECORDING, PAUSED, ALARM, EXPORT_RUNNING,
                                EXPORT_FAILED, SAFE_TO_REMOVE, FAULT, NOT_RECORDING, PRESSED,
                                LONG_REACHED, REFUSED)}


def choose_pattern(status: Status | None) -> Pattern:
    """The pattern the recorder's status calls for (press feedback is layered on top).

    Priority: no status (recorder not answering) > recording asked for but not reaching the
    file (`not_recording`, a fault) > alarm > recording/paused > USB drive (`status.drive`,
    added by the recorder's drive service) > ready/not ready. Export patterns never hide a
    running recording.
    """
    if status is None:
        return FAULT
    if status.alarms:
        return NOT_RECORDING if status.not_recording else ALARM
    if status.state is State.RECORDING:
        return RECORDING
    if status.state is State.PAUSED:
        return PAUSED
    if status.drive_state in _DRIVE_PATTERNS:
        return _DRIVE_PATTERNS[status.drive_state]
    return READY if status.ready else NOT_READY


_DRIVE_PATTERNS = {DriveState.EXPORTING: EXPORT_RUNNING, DriveState.FAILED: EXPORT_FAILED,
                   DriveState.SAFE_TO_REMOVE: SAFE_TO_REMOVE}
