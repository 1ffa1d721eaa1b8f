"""LED patterns and which one the status calls for (the table of docs/LEDS.md)."""

from __future__ import annotations

import pytest

from appliance.contract.status import Status
from appliance.hardware import leds

READY_STATUS = {"configured": True, "clock": {"ok": True}, "device": {"present": True},
                "alarms": []}


@pytest.mark.parametrize(("status", "expected"), [
    ({**READY_STATUS, "state": "idle"}, leds.READY),
    ({**READY_STATUS, "state": "stopped"}, leds.READY),
    ({**READY_STATUS, "state": "idle", "configured": False}, leds.NOT_READY),
    ({**READY_STATUS, "state": "idle", "clock": {"ok": False}}, leds.NOT_READY),
    ({**READY_STATUS, "state": "idle", "device": {"present": False}}, leds.NOT_READY),
    ({**READY_STATUS, "state": "recording"}, leds.RECORDING),
    ({**READY_STATUS, "state": "paused"}, leds.PAUSED),
    ({**READY_STATUS, "state": "recording", "alarms": [{"code": "silence"}]}, leds.ALARM),
    ({**READY_STATUS, "state": "paused", "alarms": [{"code": "disk_low"}]}, leds.ALARM),
    ({**READY_STATUS, "state": "stopped", "drive": {"state": "exporting"}}, leds.EXPORT_RUNNING),
    ({**READY_STATUS, "state": "stopped", "drive": {"state": "safe_to_remove"}},
     leds.SAFE_TO_REMOVE),
    ({**READY_STATUS, "state": "stopped", "drive": {"state": "failed"}}, leds.EXPORT_FAILED),
    ({**READY_STATUS, "state": "recording", "drive": {"state": "exporting"}}, leds.RECORDING),
    ({**READY_STATUS, "state": "idle", "drive": None}, leds.READY),
    (None, leds.FAULT),
    ({**READY_STATUS, "state": "recording",
      "alarms": [{"code": "not_recording"}, {"code": "disk_full"}]}, leds.NOT_RECORDING),
])
def test_choose_pattern(status, expected):
    assert leds.choose_pattern(status and Status.from_json(status)) is expected


def test_every_pattern_is_distinguishable_from_the_state_patterns_it_overrides():
    def trace(pattern):
        return tuple(pattern.leds_at(t / 100) for t in range(400))
    states = [leds.NOT_READY, leds.READY, leds.RECORDING, leds.PAUSED, leds.ALARM,
              leds.EXPORT_RUNNING, leds.EXPORT_FAILED, leds.FAULT]
    assert trace(leds.NOT_RECORDING) not in {trace(leds.RECORDING), trace(leds.ALARM)}
    assert len({trace(p) for p in states}) == len(states)
    for feedback in (leds.PRESSED, leds.LONG_REACHED):
        assert trace(feedback) not in {trace(p) for p in states}


@pytest.mark.parametrize("blink", [leds.Blink(0.25, 0.125), leds.Blink(1.0, 0.5, 0.5),
                                   leds.Blink(2.0, 0.1)])
def test_next_change_is_exactly_the_next_flip(blink):
    t = 0.0
    for _ in range(50):
        nxt = blink.next_change_s(t)
        assert nxt > t
        assert blink.is_on(nxt) != blink.is_on(t)
        assert blink.is_on((t + nxt) / 2) == blink.is_on(t)
        t = nxt


def test_steady_never_changes():
    assert leds.ON.is_on(123.4) and not leds.OFF.is_on(5)
    assert leds.ON.next_change_s(1.0) == float("inf")
