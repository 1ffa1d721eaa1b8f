"""The examiner's controls: the GPIO button drives the recorder, the recorder's status drives
the LEDs.

`ExaminerControls` is the logic, single-threaded, every call given an explicit time, so tests
run it against a `ManualClock` with exact timestamps. `HardwareBridge` is the thin shell that
runs it on a thread against the real clock: edges from the backend's thread are queued with
their timestamps, and the worker sleeps until the next edge or deadline (debounce settling, a
hold threshold, an LED blink, the next status poll).
"""

from __future__ import annotations

import logging
import math
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from appliance.config import GpioConfig
from appliance.contract.status import Status
from appliance.errors import ApplianceError
from appliance.hardware import leds
from appliance.hardware.actions import Controller, PressOutcome, perform
from appliance.hardware.button import ButtonDecoder, ButtonEvent, ButtonTiming, Phase
from appliance.hardware.pins import Pins

log = logging.getLogger(__name__)

STATUS_POLL_S = 1.0
"""The LEDs follow the recorder's status once a second: an alarm shows within a second (half
the 2 s grace before `not_recording`). A press shows at once and reads the status again as
soon as its command returns. Each poll wakes a thread and builds a status: at 10 a second
this was a sixth of what the recorder costs all day (docs/BENCHMARKS.md)."""


def button_timing(gpio: GpioConfig) -> ButtonTiming:
    return ButtonTiming(gpio.debounce_ms / 1000, gpio.long_press_s, gpio.stop_press_s)


@dataclass(frozen=True)
class LedState:
    """What the LEDs show, for the status object (the web page draws them from it).

    Replaced whole on every change, so another thread reads a consistent snapshot.
    """

    pattern: str
    red: bool
    green: bool
    since_s: float
    """When the pattern was chosen (monotonic clock of the controls)."""

    def to_dict(self) -> dict:
        return {"pattern": self.pattern, "red": self.red, "green": self.green,
                "since_s": self.since_s}


class ExaminerControls:
    """Button gestures -> recorder commands; recorder status + press feedback -> LEDs.

    Not thread-safe: one owner calls `edge` and `tick` with non-decreasing times (seconds on
    the monotonic clock that stamps the edges).
    """

    def __init__(self, gpio: GpioConfig, pins: Pins, controller: Controller,
                 source: str = "button", clock: Callable[[], float] | None = None) -> None:
        self.gpio = gpio
        self.clock = clock
        """Read again after a command returns, so the LEDs' times are when the outcome was
        known; None in exact-time tests, where commands take no time."""
        self.pins = pins
        self.controller = controller
        self.source = source
        self.decoder = ButtonDecoder(button_timing(gpio))
        self.status: Status | None = None
        self.pattern: leds.Pattern | None = None
        self.last_outcome: PressOutcome | None = None
        self._pending: list[ButtonEvent] = []
        self._next_poll_s = -math.inf
        self._feedback: leds.Pattern | None = None
        self._feedback_until_s = -math.inf
        self._pattern_since_s = 0.0
        self._shown_at_s = 0.0
        self._lit: tuple[bool, bool] | None = None
        self.shown: LedState | None = None
        pins.setup_led(gpio.rec_led_pin)
        pins.setup_led(gpio.ready_led_pin)

    def edge(self, pressed: bool, time_s: float) -> None:
        """The button line changed at `time_s`; acted upon at the next `tick`."""
        self._pending.extend(self.decoder.edge(pressed, time_s))

    def tick(self, now_s: float) -> None:
        """Bring everything up to `now_s`: gestures, status poll, LEDs."""
        events, self._pending = self._pending + self.decoder.advance(now_s), []
        for event in events:
            now_s = self._react(event, now_s)
        if now_s >= self._next_poll_s:
            self._poll(now_s)
        self._show(now_s)

    def next_wakeup_s(self) -> float:
        """When `tick` next has something to do, absent new edges."""
        deadline = self.decoder.next_deadline_s()
        candidates = [self._next_poll_s, math.inf if deadline is None else deadline]
        if self._feedback is not None and self._feedback_until_s < math.inf:
            candidates.append(self._feedback_until_s)
        if self.pattern is not None:
            elapsed_s = self._shown_at_s - self._pattern_since_s
            candidates.append(self._pattern_since_s + self.pattern.next_change_s(elapsed_s))
        return min(candidates)

    def _react(self, event: ButtonEvent, now_s: float) -> float:
        """Act on one event; returns the time after it (a command takes a while)."""
        if event.phase is Phase.PRESSED:
            self._set_feedback(leds.PRESSED, math.inf, now_s)
        elif event.phase is Phase.LONG_REACHED:
            self._set_feedback(leds.LONG_REACHED, math.inf, now_s)
        else:
            self._feedback = None
            outcome = perform(self.controller, event.gesture, self.source, event.pressed_at_s)
            if self.clock is not None:
                now_s = max(now_s, self.clock())
            self.last_outcome = outcome
            if not outcome.ok:
                log.info("%s press refused: %s", self.source, outcome.error)
                self._set_feedback(leds.REFUSED, now_s + self.gpio.error_pattern_s, now_s)
            self._poll(now_s)
        return now_s

    def _set_feedback(self, pattern: leds.Pattern, until_s: float, now_s: float) -> None:
        self._feedback, self._feedback_until_s = pattern, until_s
        self._show(now_s)

    def _poll(self, now_s: float) -> None:
        try:
            self.status = Status.from_json(self.controller.status())
        except ApplianceError as err:
            log.warning("recorder status unavailable: %s", err)
            self.status = None
        self._next_poll_s = now_s + STATUS_POLL_S

    def _show(self, now_s: float) -> None:
        self._shown_at_s = now_s
        if self._feedback is not None and now_s >= self._feedback_until_s:
            self._feedback = None
        pattern = self._feedback or leds.choose_pattern(self.status)
        if pattern is not self.pattern:
            self.pattern, self._pattern_since_s = pattern, now_s
        red, green = pattern.leds_at(now_s - self._pattern_since_s)
        if (red, green) != self._lit:
            self._lit = (red, green)
            self.pins.set_led(self.gpio.rec_led_pin, red)
            self.pins.set_led(self.gpio.ready_led_pin, green)
        shown = self.shown
        if shown is None or (shown.pattern, shown.red, shown.green) != (pattern.name, red, green):
            self.shown = LedState(pattern.name, red, green, self._pattern_since_s)


class HardwareBridge:
    """Runs ExaminerControls on its own thread against a real clock. A context manager.

    `observe_edge(time_s)` is called on the backend's thread at every raw edge, before it is
    queued: the recorder link notes there which sample was being captured at that moment.
    """

    def __init__(self, gpio: GpioConfig, pins: Pins, controller: Controller,
                 clock: Callable[[], float] = time.monotonic,
                 observe_edge: Callable[[float], None] | None = None) -> None:
        self.clock = clock
        self.controls = ExaminerControls(gpio, pins, controller, clock=clock)
        self._observe_edge = observe_edge
        self._edges: queue.SimpleQueue[tuple[bool, float] | None] = queue.SimpleQueue()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="examiner-controls", daemon=True)
        pins.watch_button(gpio.button_pin, self._on_edge)

    def _on_edge(self, pressed: bool, time_s: float) -> None:
        if self._observe_edge is not None:
            self._observe_edge(time_s)
        self._edges.put((pressed, time_s))

    def start(self) -> HardwareBridge:
        self._thread.start()
        return self

    def close(self) -> None:
        self._stopping.set()
        self._edges.put(None)
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        self.controls.pins.close()

    def __enter__(self) -> HardwareBridge:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self._step()
            except Exception:  # the top of the thread: the button must outlive any one bug
                log.exception("examiner controls failed; carrying on")
                self._stopping.wait(0.5)

    def _step(self) -> None:
        wait_s = min(max(0.0, self.controls.next_wakeup_s() - self.clock()), 1.0)
        try:
            item = self._edges.get(timeout=wait_s)
        except queue.Empty:
            item = None
        while item is not None:
            self.controls.edge(*item)
            try:
                item = self._edges.get_nowait()
            except queue.Empty:
                item = None
        self.controls.tick(self.clock())
