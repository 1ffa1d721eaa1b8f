"""Backend choice by name, and the mock backend's test helpers."""

from __future__ import annotations

import pytest

from appliance.errors import ConfigError
from appliance.hardware.mock import ManualClock, MockPins
from appliance.hardware.pins import open_pins, rpigpio_available


def test_backend_by_name():
    clock = ManualClock()
    assert isinstance(open_pins("mock", clock), MockPins)
    assert open_pins("none", clock) is None
    if not rpigpio_available():
        assert open_pins("auto", clock) is None
        with pytest.raises(ConfigError, match="RPi.GPIO"):
            open_pins("rpigpio", clock)


def test_mock_records_edges_and_led_changes_with_times():
    clock = ManualClock(5.0)
    edges = []
    with MockPins(clock) as pins:
        pins.watch_button(17, lambda pressed, t: edges.append((pressed, t)))
        pins.setup_led(27)
        pins.press(17)
        pins.press(17, 6.0)                     # no change: no edge
        pins.bounce(17, False, 7.0, [0.001, 0.002])
        clock.set(8.0)
        pins.set_led(27, True)
        pins.set_led(27, True)
        assert pins.led(27)
    assert edges == [(True, 5.0), (False, 7.0), (True, 7.001), (False, 7.002)]
    assert [(s.time_s, s.on) for s in pins.led_states(27)] == [(5.0, False), (8.0, True),
                                                                 (8.0, False)]
    assert pins.closed
    with pytest.raises(ValueError):
        pins.bounce(17, True, 9.0, [0.001])
