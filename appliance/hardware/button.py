"""Debounce and classify one push button from timestamped edges (pure, no threads, no clock).

The examiner has a single button, so its meaning comes from how long it is held:
short (< `long_press_s`), long (>= `long_press_s`, acted on at release) and very long
(>= `stop_press_s`, acted on the moment the threshold is crossed, while still held, so the
examiner sees the day stop before letting go). Acting on a long press only at release means a
press held on to the very-long threshold never passes through "pause" on its way to "stop".

Debounce is settle-based: a new level counts once the raw line has kept it for `debounce_s`.
A spike shorter than that is ignored whatever its shape, which a leading-edge lock-out would
not do. The press and release times reported are those of the first edge of the settled run,
so durations and marker times are exact to the contact, not late by the debounce.

All times are seconds on one monotonic clock chosen by the caller.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Gesture(enum.StrEnum):
    """What a press means, by how long it was held."""

    SHORT = "short"
    LONG = "long"
    VERY_LONG = "very_long"


class Phase(enum.StrEnum):
    """Steps of a press, reported as they happen (the LEDs acknowledge each)."""

    PRESSED = "pressed"
    """The button went down (debounced): immediate feedback."""
    LONG_REACHED = "long_reached"
    """Held past `long_press_s`: releasing now makes a long press."""
    GESTURE = "gesture"
    """A complete gesture; `gesture` says which."""


@dataclass(frozen=True)
class ButtonEvent:
    phase: Phase
    time_s: float
    """When it happened: the contact time for PRESSED/GESTURE(short, long), the threshold
    crossing for LONG_REACHED and GESTURE(very_long)."""
    pressed_at_s: float
    """When the press began (contact time of the debounced down edge)."""
    gesture: Gesture | None = None


@dataclass(frozen=True)
class ButtonTiming:
    debounce_s: float = 0.030
    long_press_s: float = 2.0
    stop_press_s: float = 5.0

    def __post_init__(self) -> None:
        if not 0 < self.debounce_s < self.long_press_s < self.stop_press_s:
            raise ValueError("need 0 < debounce_s < long_press_s < stop_press_s")


class ButtonDecoder:
    """Turns raw edges into ButtonEvents; feed it edges and the passing of time, in order.

    Not thread-safe: one owner calls `edge()` and `advance()` with non-decreasing times.
    """

    def __init__(self, timing: ButtonTiming) -> None:
        self.timing = timing
        self._stable = False          # debounced level: True = held down
        self._raw = False
        self._run_start_s = 0.0       # first edge since the line left the stable level
        self._last_edge_s = float("-inf")
        self._now_s = float("-inf")       # latest time seen
        self._pressed_at_s: float | None = None
        self._long_sent = False
        self._stop_sent = False

    @property
    def is_held(self) -> bool:
        return self._stable

    def edge(self, pressed: bool, time_s: float) -> list[ButtonEvent]:
        """The raw line changed to `pressed` at `time_s`; returns events due up to then.

        An edge stamped before the last `advance` (it raced the owner's tick) counts as
        happening at that tick: a few microseconds of error instead of time running backwards.
        """
        time_s = max(time_s, self._now_s)
        events = self.advance(time_s)
        if pressed == self._raw:
            return events
        quiet_s = time_s - self._last_edge_s
        if self._raw == self._stable and quiet_s >= self.timing.debounce_s:
            self._run_start_s = time_s   # a new departure, not the bounce of the last one
        self._raw = pressed
        self._last_edge_s = time_s
        return events

    def advance(self, now_s: float) -> list[ButtonEvent]:
        """Let time pass to `now_s`: settle the debounce, cross hold thresholds."""
        self._now_s = now_s = max(self._now_s, now_s)
        events: list[ButtonEvent] = []
        settle_s = self._last_edge_s + self.timing.debounce_s
        if self._raw != self._stable and now_s >= settle_s:
            self._hold_events(min(settle_s, now_s), events)
            self._settle(events)
        self._hold_events(now_s, events)
        return events

    def next_deadline_s(self) -> float | None:
        """The next time `advance` could report something without a new edge, or None."""
        if self._raw != self._stable:
            return self._last_edge_s + self.timing.debounce_s
        if self._pressed_at_s is None:
            return None
        if not self._long_sent:
            return self._pressed_at_s + self.timing.long_press_s
        if not self._stop_sent:
            return self._pressed_at_s + self.timing.stop_press_s
        return None

    def cancel(self) -> None:
        """Forget a press in progress without a gesture (the panel was unplugged mid-press)."""
        self._stable = self._raw = False
        self._pressed_at_s = None

    def _settle(self, events: list[ButtonEvent]) -> None:
        self._stable = self._raw
        at_s = self._run_start_s
        if self._stable:
            self._pressed_at_s = at_s
            self._long_sent = self._stop_sent = False
            events.append(ButtonEvent(Phase.PRESSED, at_s, at_s))
            return
        pressed_at_s, self._pressed_at_s = self._pressed_at_s, None
        if pressed_at_s is None or self._stop_sent:
            return
        held_s = at_s - pressed_at_s
        gesture = Gesture.LONG if held_s >= self.timing.long_press_s else Gesture.SHORT
        events.append(ButtonEvent(Phase.GESTURE, at_s, pressed_at_s, gesture))

    def _hold_events(self, now_s: float, events: list[ButtonEvent]) -> None:
        """Thresholds crossed while held; a release still bouncing counts as still held."""
        start = self._pressed_at_s
        if start is None or not self._stable:
            return
        end_s = now_s if self._raw else min(now_s, self._run_start_s)
        if not self._long_sent and end_s >= start + self.timing.long_press_s:
            self._long_sent = True
            events.append(ButtonEvent(Phase.LONG_REACHED, start + self.timing.long_press_s,
                                      start))
        if not self._stop_sent and end_s >= start + self.timing.stop_press_s:
            self._stop_sent = True
            events.append(ButtonEvent(Phase.GESTURE, start + self.timing.stop_press_s, start,
                                      Gesture.VERY_LONG))
