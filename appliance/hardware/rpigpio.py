"""The real GPIO backend through the RPi.GPIO API (`rpi-lgpio` provides it on a Pi 5).

The only module that imports RPi.GPIO. RPi.GPIO's edge callbacks carry no time and no level,
so each callback reads the line and stamps it with the bridge's clock at once; the debounce in
`button.py` does the rest (no `bouncetime` here: it would drop the edge that ends a bounce and
leave us with a wrong level).
"""

from __future__ import annotations

from collections.abc import Callable

from RPi import GPIO

from appliance.hardware.pins import EdgeCallback


class RPiGpioPins:
    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._pins: list[int] = []
        GPIO.setwarnings(False)
        GPIO.setmode(GPIO.BCM)

    def watch_button(self, pin: int, on_edge: EdgeCallback) -> None:
        GPIO.setup(pin, GPIO.IN, pull_up_down=GPIO.PUD_UP)
        self._pins.append(pin)

        def changed(_channel: int) -> None:
            on_edge(GPIO.input(pin) == GPIO.LOW, self._clock())

        GPIO.add_event_detect(pin, GPIO.BOTH, callback=changed)

    def setup_led(self, pin: int) -> None:
        GPIO.setup(pin, GPIO.OUT, initial=GPIO.LOW)
        self._pins.append(pin)

    def set_led(self, pin: int, on: bool) -> None:
        GPIO.output(pin, GPIO.HIGH if on else GPIO.LOW)

    def close(self) -> None:
        if self._pins:
            GPIO.cleanup(self._pins)
            self._pins = []

    def __enter__(self) -> RPiGpioPins:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
