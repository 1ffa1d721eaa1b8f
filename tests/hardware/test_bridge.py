"""The controls on their own thread, real clock: what the recorder process runs."""

from __future__ import annotations

import time

from appliance.config import GpioConfig
from appliance.hardware.controls import HardwareBridge
from appliance.hardware.mock import MockPins
from tests.feeds import wait_for

from .fakes import FakeController

GPIO = GpioConfig(backend="mock", debounce_ms=20, long_press_s=0.5, stop_press_s=1.0)


def test_presses_on_the_real_clock_drive_the_recorder_and_leds():
    pins = MockPins(time.monotonic)
    controller = FakeController("idle")
    with HardwareBridge(GPIO, pins, controller) as bridge:
        wait_for(lambda: pins.led(GPIO.ready_led_pin))
        pins.press(GPIO.button_pin)
        wait_for(lambda: pins.led(GPIO.rec_led_pin))                 # immediate feedback
        pins.release(GPIO.button_pin)
        assert controller.wait_calls(1) == ["start"]
        wait_for(lambda: not pins.led(GPIO.ready_led_pin))           # REC: red only
        assert pins.led(GPIO.rec_led_pin)
        pins.press(GPIO.button_pin)
        assert controller.wait_calls(2) == ["start", "stop"]         # held past 1 s: stop
        pins.release(GPIO.button_pin)
        assert bridge.controls.last_outcome.ok
    assert pins.closed and not pins.led(GPIO.rec_led_pin)


def test_the_thread_survives_a_controller_bug():
    pins = MockPins(time.monotonic)
    controller = FakeController("recording")
    calls = []

    def buggy(cmd, **args):
        calls.append(cmd)
        if len(calls) == 1:
            raise KeyError("bug")
        return {}

    controller.handle = buggy
    with HardwareBridge(GPIO, pins, controller):
        for presses in (1, 2):
            pins.press(GPIO.button_pin)
            time.sleep(0.05)                         # a 50 ms press, held on the real clock
            pins.release(GPIO.button_pin)
            wait_for(lambda n=presses: len(calls) >= n)
    assert calls == ["mark", "mark"]
