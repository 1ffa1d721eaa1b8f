"""The GPIO seam: a tiny `Pins` protocol and the factory that picks a backend by name.

Only `rpigpio.py` imports RPi.GPIO and only on demand, so the package imports anywhere. The
mock backend (`mock.py`) ships in the package: `appliance run --simulate` and the tests use it.
The button is wired to ground with the internal pull-up, so "pressed" is the low level; the
backends translate, and everything above them speaks of pressed/released only.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from typing import Protocol

from appliance import i18n
from appliance.errors import ConfigError

EdgeCallback = Callable[[bool, float], None]
"""on_edge(pressed, time_s): the button line changed; `time_s` on the backend's clock.
Called from the backend's own thread; keep it short (queue the edge and return)."""

i18n.register({
    "gpio.unavailable": ("GPIO недоступен: библиотека RPi.GPIO не установлена (gpio.backend = "
                         "\"{backend}\")",
                         "GPIO unavailable: the RPi.GPIO library is not installed "
                         "(gpio.backend = \"{backend}\")"),
})


class Pins(Protocol):
    """A button input and LED outputs, by BCM pin number. Every backend is a context manager."""

    def watch_button(self, pin: int, on_edge: EdgeCallback) -> None:
        """Input with pull-up; call `on_edge` on every change of the line."""

    def setup_led(self, pin: int) -> None:
        """Output, initially off."""

    def set_led(self, pin: int, on: bool) -> None: ...

    def close(self) -> None:
        """Release the pins (LEDs off)."""


def rpigpio_available() -> bool:
    return importlib.util.find_spec("RPi") is not None


def open_pins(backend: str, clock: Callable[[], float]) -> Pins | None:
    """The backend named by `gpio.backend`; None for "none" (and for "auto" off a Pi).

    `clock` timestamps edges (the same monotonic clock the bridge uses).
    """
    if backend == "auto":
        backend = "rpigpio" if rpigpio_available() else "none"
    if backend == "none":
        return None
    if backend == "mock":
        from appliance.hardware.mock import MockPins
        return MockPins(clock)
    if backend == "rpigpio":
        if not rpigpio_available():
            raise ConfigError("gpio.unavailable", backend=backend)
        from appliance.hardware.rpigpio import RPiGpioPins
        return RPiGpioPins(clock)
    raise ConfigError("config.choice", key="gpio.backend",
                      choices="auto, rpigpio, mock, none", value=backend)
