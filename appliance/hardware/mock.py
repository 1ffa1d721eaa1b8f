"""A simulated GPIO backend for `--simulate` and tests, modelled on gpiozero's MockFactory.

Tests drive the button with exact timestamps (`press`, `release`, `bounce`, `click`) and read
back every LED change with its time (`led_history`, `led_states`). Edges are delivered
synchronously, on the caller's thread, to the callback given to `watch_button`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from appliance.hardware.pins import EdgeCallback


@dataclass(frozen=True)
class PinState:
    time_s: float
    on: bool


class ManualClock:
    """A clock that only moves when told to; share it between MockPins and the code under test."""

    def __init__(self, start_s: float = 0.0) -> None:
        self.now_s = start_s

    def __call__(self) -> float:
        return self.now_s

    def set(self, now_s: float) -> None:
        if now_s < self.now_s:
            raise ValueError(f"the clock cannot go back from {self.now_s} to {now_s}")
        self.now_s = now_s


class MockPins:
    """Pins in memory. Thread-safe: edges may be injected from any thread."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._buttons: dict[int, EdgeCallback] = {}
        self._pressed: dict[int, bool] = {}
        self.led_history: dict[int, list[PinState]] = {}
        self.closed = False

    # -- the Pins protocol ------------------------------------------------------------------
    def watch_button(self, pin: int, on_edge: EdgeCallback) -> None:
        with self._lock:
            self._buttons[pin] = on_edge
            self._pressed[pin] = False

    def setup_led(self, pin: int) -> None:
        with self._lock:
            self.led_history[pin] = [PinState(self._clock(), False)]

    def set_led(self, pin: int, on: bool) -> None:
        with self._lock:
            history = self.led_history[pin]
            if history[-1].on != on:
                history.append(PinState(self._clock(), on))

    def close(self) -> None:
        with self._lock:
            for history in self.led_history.values():
                if history[-1].on:
                    history.append(PinState(self._clock(), False))
            self._buttons.clear()
            self.closed = True

    def __enter__(self) -> MockPins:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- for tests and --simulate -----------------------------------------------------------
    def drive(self, pin: int, pressed: bool, at_s: float | None = None) -> None:
        """Set the button line; `at_s` defaults to the clock's now."""
        with self._lock:
            callback = self._buttons.get(pin)
            changed = self._pressed.get(pin) != pressed
            self._pressed[pin] = pressed
        if callback is not None and changed:
            callback(pressed, self._clock() if at_s is None else at_s)

    def press(self, pin: int, at_s: float | None = None) -> None:
        self.drive(pin, True, at_s)

    def release(self, pin: int, at_s: float | None = None) -> None:
        self.drive(pin, False, at_s)

    def bounce(self, pin: int, pressed: bool, at_s: float, flips_s: list[float]) -> None:
        """Contact chatter: the line goes to `pressed` at `at_s`, flips at each offset in
        `flips_s` (seconds after `at_s`, an even number of them) and so ends on `pressed`."""
        if len(flips_s) % 2:
            raise ValueError("bounce needs an even number of flips to end on the level asked")
        level = pressed
        self.drive(pin, level, at_s)
        for offset_s in flips_s:
            level = not level
            self.drive(pin, level, at_s + offset_s)

    def is_pressed(self, pin: int) -> bool:
        with self._lock:
            return self._pressed.get(pin, False)

    def led(self, pin: int) -> bool:
        with self._lock:
            return self.led_history[pin][-1].on

    def led_states(self, pin: int, since_s: float = float("-inf")) -> list[PinState]:
        with self._lock:
            return [s for s in self.led_history[pin] if s.time_s >= since_s]
