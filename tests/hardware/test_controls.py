"""The examiner's controls against a fake recorder, on a manual clock: exact times for every
press, LED change and command, in every state, with and without alarms."""

from __future__ import annotations

import math

import pytest

from appliance.config import GpioConfig
from appliance.errors import ControlError
from appliance.hardware import leds
from appliance.hardware.controls import STATUS_POLL_S, ExaminerControls
from appliance.hardware.mock import ManualClock, MockPins

from .fakes import FakeController

GPIO = GpioConfig(backend="mock", debounce_ms=30, long_press_s=2.0, stop_press_s=5.0,
                  error_pattern_s=2.0)
BUTTON, RED, GREEN = GPIO.button_pin, GPIO.rec_led_pin, GPIO.ready_led_pin


class Rig:
    def __init__(self, state: str = "idle", **status: object) -> None:
        self.clock = ManualClock(0.0)
        self.pins = MockPins(self.clock)
        self.controller = FakeController(state, clock=self.clock)
        self.controller.set(**status)
        self.controls = ExaminerControls(GPIO, self.pins, self.controller)
        self.pins.watch_button(BUTTON, self.controls.edge)
        self.controls.tick(0.0)

    def run_until(self, end_s: float) -> None:
        """Tick at every deadline the controls ask for, as the bridge's thread would."""
        while (t := max(self.controls.next_wakeup_s(), self.clock())) < end_s:
            self.clock.set(t)
            self.controls.tick(t)
        self.clock.set(end_s)
        self.controls.tick(end_s)

    def press(self, down_s: float, up_s: float | None) -> None:
        self.run_until(down_s)
        self.pins.press(BUTTON, down_s)
        if up_s is not None:
            self.run_until(up_s)
            self.pins.release(BUTTON, up_s)

    def leds(self, since_s: float = -math.inf) -> list[tuple[float, str, bool]]:
        changes = [(round(s.time_s, 6), "red", s.on) for s in self.pins.led_states(RED, since_s)]
        changes += [(round(s.time_s, 6), "green", s.on)
                    for s in self.pins.led_states(GREEN, since_s)]
        return sorted(changes)

    def calls(self) -> list[tuple[float, str, float]]:
        return [(round(t, 6), cmd, args["pressed_at_s"]) for t, cmd, args in
                self.controller.calls]


def test_idle_short_press_starts_with_immediate_feedback():
    rig = Rig("idle")
    assert (rig.pins.led(RED), rig.pins.led(GREEN)) == (False, True)     # READY
    rig.press(1.0, 1.15)
    rig.run_until(3.0)
    assert rig.calls() == [(1.18, "start", 1.0)]
    assert rig.controller.calls[0][2]["source"] == "button"
    assert rig.leds(0.5) == [(1.03, "red", True),          # pressed: both on, at the debounce
                             (1.18, "green", False)]       # released: started, red steady
    assert rig.controls.pattern is leds.RECORDING


@pytest.mark.parametrize(("state", "held_s", "command", "new_state"), [
    ("idle", 0.2, "start", "recording"),
    ("idle", 2.5, "start", "recording"),
    ("recording", 0.2, "mark", "recording"),
    ("recording", 2.5, "pause", "paused"),
    ("recording", 6.0, "stop", "stopped"),
    ("paused", 0.2, "resume", "recording"),
    ("paused", 2.5, "resume", "recording"),
    ("paused", 6.0, "stop", "stopped"),
    ("stopped", 0.2, "start", "recording"),
])
def test_every_gesture_in_every_state(state, held_s, command, new_state):
    rig = Rig(state)
    rig.press(1.0, 1.0 + held_s)
    rig.run_until(10.0)
    decided_s = 6.0 if held_s >= 5 else round(1.0 + held_s + 0.03, 6)
    assert rig.calls() == [(decided_s, command, 1.0)]
    assert rig.controller.status()["state"] == new_state
    assert rig.controls.last_outcome.ok


def test_long_press_while_recording_darkens_at_threshold_and_pauses_at_release():
    rig = Rig("recording")
    rig.press(1.0, 3.5)
    rig.run_until(4.1)
    assert rig.leds(0.5) == [(1.03, "green", True),         # pressed: both on
                             (3.0, "green", False), (3.0, "red", False),   # long reached: dark
                             (3.53, "red", True),           # paused: slow blink begins on
                             (4.03, "red", False)]
    assert rig.calls() == [(3.53, "pause", 1.0)]


def test_nervous_press_never_stops_and_very_long_stops_while_held():
    rig = Rig("recording")
    rig.press(1.0, 5.99)                                   # 4.99 s: a pause, not a stop
    rig.run_until(7.0)
    assert rig.controller.commands() == ["pause"]
    rig.press(8.0, None)                                   # held and not let go
    rig.run_until(12.999)
    assert rig.controller.commands() == ["pause"]
    rig.run_until(13.0)
    assert rig.calls()[-1] == (13.0, "stop", 8.0)
    rig.pins.release(BUTTON, 20.0)
    rig.run_until(21.0)
    assert rig.controller.commands() == ["pause", "stop"]


@pytest.mark.parametrize("state", ["recording", "paused", "idle", "stopped"])
def test_a_button_stuck_for_ten_minutes_acts_once_at_most(state):
    rig = Rig(state)
    rig.press(1.0, None)
    rig.run_until(601.0)                                   # stuck down for ten minutes
    rig.pins.release(BUTTON, 601.0)
    rig.run_until(700.0)
    # one "stop" at the very-long threshold (the recorder judges it in every state), then
    # nothing, however long the button stays down, and nothing at its release
    assert rig.calls() == [(6.0, "stop", 1.0)]


def test_bouncy_press_gives_one_marker():
    rig = Rig("recording")
    rig.run_until(1.0)
    rig.pins.bounce(BUTTON, True, 1.0, [0.002, 0.004, 0.009, 0.012])
    rig.run_until(1.2)
    rig.pins.bounce(BUTTON, False, 1.2, [0.001, 0.003])
    rig.run_until(2.0)
    assert rig.calls() == [(1.233, "mark", 1.0)]      # settled 30 ms after the last flip


def test_refused_press_flashes_the_error_pattern_then_returns():
    rig = Rig("idle")
    rig.controller.refusal = "no_device"
    rig.press(1.0, 1.1)
    rig.run_until(4.0)
    outcome = rig.controls.last_outcome
    assert not outcome.ok and outcome.command == "start"
    assert "Нельзя" in str(outcome.error)
    red = [(round(s.time_s, 3), s.on) for s in rig.pins.led_states(RED, 1.1)]
    green = [(round(s.time_s, 3), s.on) for s in rig.pins.led_states(GREEN, 1.1)]
    flips = [round(1.13 + 0.125 * k, 3) for k in range(1, 16)]
    assert red == [(t, k % 2 == 1) for k, t in enumerate(flips)]
    assert green == [(1.13, False)] + [(t, k % 2 == 0) for k, t in enumerate(flips)]
    assert rig.controls.pattern is leds.READY             # back to READY 2 s after 1.13
    assert (rig.pins.led(RED), rig.pins.led(GREEN)) == (False, True)
    assert rig.leds(3.01) == []


def test_press_during_alarm_acts_and_the_alarm_blink_resumes():
    alarm = [{"code": "silence", "message": "Тишина", "hint": "", "since": 0}]
    rig = Rig("recording", alarms=alarm)
    rig.run_until(0.6)
    states = rig.pins.led_states(RED)
    assert [s.time_s for s in states] == pytest.approx([0.0, 0.0, 0.125, 0.25, 0.375, 0.5])
    assert [s.on for s in states] == [False, True, False, True, False, True]
    rig.press(1.0, 1.1)
    rig.run_until(1.4)
    assert rig.calls() == [(1.13, "mark", 1.0)]
    assert rig.controls.pattern is leds.ALARM
    assert rig.leds(1.01) == [(1.03, "green", True),        # pressed (red was on in its blink)
                             (1.13, "green", False),       # marked: the alarm blink restarts
                             (1.255, "red", False), (1.38, "red", True)]


def test_alarm_appears_on_the_leds_within_one_poll():
    rig = Rig("recording")
    rig.run_until(1.0)
    rig.controller.set(alarms=[{"code": "clipping"}])
    rig.run_until(1.0 + STATUS_POLL_S + 0.2)
    first_blink = [s.time_s for s in rig.pins.led_states(RED, 1.0)]
    assert first_blink and first_blink[0] - 1.0 <= STATUS_POLL_S + 0.125 + 1e-9


def test_status_unavailable_shows_fault():
    rig = Rig("recording")

    def broken() -> dict:
        raise ControlError("fake.unreachable")

    rig.controller.status = broken
    rig.run_until(1.0)
    assert rig.controls.pattern is leds.FAULT


def test_paused_blinks_slowly():
    rig = Rig("paused")
    rig.run_until(3.0)
    states = rig.pins.led_states(RED, 0.01)
    assert [s.time_s for s in states] == pytest.approx([0.5, 1.0, 1.5, 2.0, 2.5, 3.0])
    assert [s.on for s in states] == [False, True, False, True, False, True]
    assert not rig.pins.led(GREEN)


def test_led_snapshot_follows_patterns_and_is_timed_after_a_slow_command():
    rig = Rig("idle")
    assert rig.controls.shown.to_dict() == {"pattern": "ready", "red": False, "green": True,
                                            "since_s": 0.0}
    slow_handle = rig.controller.handle

    def handle_taking_40_ms(cmd, **args):
        rig.clock.set(rig.clock() + 0.040)            # the recorder takes its time
        return slow_handle(cmd, **args)

    rig.controller.handle = handle_taking_40_ms
    rig.controls.clock = rig.clock
    rig.press(1.0, 1.2)
    rig.run_until(1.23)
    assert rig.controls.shown.pattern == "recording"
    assert rig.controls.shown.since_s == pytest.approx(1.27)   # settled 1.23 + 40 ms command
    assert rig.leds(1.1) == [(1.27, "green", False)]
