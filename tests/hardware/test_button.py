"""The button decoder with exact injected timestamps: bounce, short, long, very long."""

from __future__ import annotations

import pytest

from appliance.hardware.button import ButtonDecoder, ButtonTiming, Gesture, Phase

TIMING = ButtonTiming(debounce_s=0.030, long_press_s=2.0, stop_press_s=5.0)


def run(edges: list[tuple[float, bool]], until_s: float, step_s: float = 0.001):
    """Feed edges in order, advancing time in small steps; every event with its tick time."""
    decoder = ButtonDecoder(TIMING)
    seen = []
    pending = sorted(edges)
    t = 0.0
    while t <= until_s + 1e-9:
        while pending and pending[0][0] <= t:
            at_s, pressed = pending.pop(0)
            seen += [(at_s, e) for e in decoder.edge(pressed, at_s)]
        seen += [(t, e) for e in decoder.advance(t)]
        t = round(t + step_s, 6)
    return seen


def gestures(seen):
    return [(e.gesture, round(e.pressed_at_s, 6), round(e.time_s, 6))
            for _, e in seen if e.phase is Phase.GESTURE]


def test_short_press_reports_contact_times_not_debounced_times():
    seen = run([(1.000, True), (1.150, False)], 2.0)
    assert gestures(seen) == [(Gesture.SHORT, 1.0, 1.15)]
    pressed = [(t, e) for t, e in seen if e.phase is Phase.PRESSED]
    assert [round(t, 3) for t, _ in pressed] == [1.030]      # acknowledged after the debounce
    assert pressed[0][1].time_s == 1.000


def test_bounce_on_press_and_release_makes_one_press_timed_from_first_contact():
    press = [(1.000, True), (1.002, False), (1.004, True), (1.009, False), (1.012, True)]
    release = [(1.300, False), (1.301, True), (1.303, False)]
    seen = run(press + release, 2.0)
    assert gestures(seen) == [(Gesture.SHORT, 1.0, 1.3)]
    assert sum(e.phase is Phase.PRESSED for _, e in seen) == 1


@pytest.mark.parametrize("width_s", [0.001, 0.010, 0.029])
def test_spike_shorter_than_debounce_is_no_press(width_s):
    assert run([(1.0, True), (1.0 + width_s, False)], 2.0) == []


def test_press_just_longer_than_debounce_counts():
    assert gestures(run([(1.0, True), (1.031, False)], 2.0)) == [(Gesture.SHORT, 1.0, 1.031)]


@pytest.mark.parametrize(("held_s", "expected"), [
    (1.999, Gesture.SHORT), (2.0, Gesture.LONG), (4.999, Gesture.LONG)])
def test_long_press_is_decided_at_release(held_s, expected):
    seen = run([(1.0, True), (1.0 + held_s, False)], 8.0)
    assert gestures(seen) == [(expected, 1.0, round(1.0 + held_s, 6))]
    reached = [t for t, e in seen if e.phase is Phase.LONG_REACHED]
    assert reached == ([] if expected is Gesture.SHORT else [pytest.approx(3.0)])


def test_very_long_press_fires_while_held_and_release_adds_nothing():
    seen = run([(1.0, True), (7.5, False)], 9.0)
    assert gestures(seen) == [(Gesture.VERY_LONG, 1.0, 6.0)]
    fired_at = [t for t, e in seen if e.phase is Phase.GESTURE]
    assert fired_at == [pytest.approx(6.0)]          # the stop does not wait for the release


def test_thresholds_crossed_between_ticks_are_not_lost():
    decoder = ButtonDecoder(TIMING)
    events = decoder.edge(True, 1.0) + decoder.edge(False, 7.0) + decoder.advance(20.0)
    assert [(e.phase, e.gesture, e.time_s) for e in events] == [
        (Phase.PRESSED, None, 1.0), (Phase.LONG_REACHED, None, 3.0),
        (Phase.GESTURE, Gesture.VERY_LONG, 6.0)]


def test_release_before_threshold_seen_late_is_still_long_not_very_long():
    decoder = ButtonDecoder(TIMING)
    events = decoder.edge(True, 1.0) + decoder.edge(False, 5.9)    # held 4.9 s
    events += decoder.advance(30.0)
    assert [e.gesture for e in events if e.phase is Phase.GESTURE] == [Gesture.LONG]


def test_deadlines_say_when_to_look_next():
    decoder = ButtonDecoder(TIMING)
    assert decoder.next_deadline_s() is None
    decoder.edge(True, 1.0)
    assert decoder.next_deadline_s() == pytest.approx(1.03)
    decoder.advance(1.03)
    assert decoder.next_deadline_s() == pytest.approx(3.0)
    decoder.advance(3.0)
    assert decoder.next_deadline_s() == pytest.approx(6.0)
    decoder.advance(6.0)
    assert decoder.next_deadline_s() is None


def test_cancel_forgets_a_press_without_a_gesture():
    decoder = ButtonDecoder(TIMING)
    decoder.edge(True, 1.0)
    decoder.advance(1.5)
    decoder.cancel()
    assert decoder.advance(10.0) == []
    assert not decoder.is_held


def test_edge_stamped_before_the_last_tick_counts_as_then():
    decoder = ButtonDecoder(TIMING)
    decoder.advance(5.0)
    decoder.edge(True, 4.99)
    assert [e.time_s for e in decoder.advance(5.1)] == [5.0]


def test_timing_must_be_ordered():
    with pytest.raises(ValueError):
        ButtonTiming(0.03, 5.0, 2.0)
