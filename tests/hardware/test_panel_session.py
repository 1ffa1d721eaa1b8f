"""One panel connection's logic with exact times: presses, link loss, replies, 10 Hz status."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from appliance.config import GpioConfig
from appliance.hardware import panel_protocol as pp
from appliance.hardware.panel import PanelSession

from .fakes import FakeController

GPIO = GpioConfig(debounce_ms=30, long_press_s=2.0, stop_press_s=5.0)


class Panel:
    """Plays the panel: KEY lines every 100 ms and on change, at exact times."""

    def __init__(self, state: str = "idle") -> None:
        self.now_s = 0.0
        self.controller = FakeController(state, clock=lambda: self.now_s)
        self.session = PanelSession(GPIO, self.controller)
        self.seq = 0
        self.pressed = False
        self.sent: list[tuple[float, pp.Message]] = []

    def key(self, pressed: bool, skip: int = 0) -> None:
        self.pressed = pressed
        self.seq += 1 + skip
        self.session.receive(pp.key_line(pressed, self.seq), self.now_s)

    def run(self, until_s: float, heartbeat: bool = True) -> None:
        """Advance in 10 ms steps, with a KEY heartbeat every 100 ms."""
        while self.now_s < until_s - 1e-9:
            self.now_s = round(self.now_s + 0.01, 6)
            if heartbeat and round(self.now_s * 100) % 10 == 0:
                self.key(self.pressed)
            for line in self.session.tick(self.now_s):
                self.sent.append((self.now_s, pp.parse(line.rstrip(b"\n"))))

    def replies(self) -> list[tuple[float, str, tuple[str, ...]]]:
        return [(t, m.kind, m.fields) for t, m in self.sent if m.kind != "ST"]

    def calls(self):
        return [(round(t, 6), cmd, args["source"], args["pressed_at_s"])
                for t, cmd, args in self.controller.calls]


def test_short_press_starts_and_is_acknowledged():
    panel = Panel("idle")
    panel.run(1.0)
    panel.key(True)
    panel.run(1.2)
    panel.key(False)
    panel.run(1.5)
    assert panel.calls() == [(1.23, "start", "panel", 1.0)]
    assert panel.replies() == [(1.23, "ACK", ("start",))]
    states = [(t, m.fields[0]) for t, m in panel.sent if m.kind == "ST"]
    assert ("REC" in dict(states).values()) and states[-1][1] == "REC"


def test_status_goes_out_at_10_hz_with_the_recorder_state():
    panel = Panel("recording")
    panel.controller.set(elapsed_s=61.7, part=1, levels={"peak_dbfs": [-6.0]})
    panel.run(3.0)
    times = [t for t, m in panel.sent if m.kind == "ST"]
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert len(times) == 30 and max(gaps) <= 0.11 + 1e-9   # ticks here are 10 ms apart
    assert panel.sent[-1][1].fields == ("REC", "61", "1", "18", "-", "recording")


def test_very_long_press_stops_while_held():
    panel = Panel("recording")
    panel.run(1.0)
    panel.key(True)
    panel.run(7.0)
    assert panel.calls() == [(6.0, "stop", "panel", 1.0)]
    panel.key(False)
    panel.run(8.0)
    assert len(panel.calls()) == 1


def test_silent_link_cancels_a_held_press_instead_of_stopping():
    panel = Panel("recording")
    panel.run(1.0)
    panel.key(True)
    panel.run(1.5)
    panel.run(9.0, heartbeat=False)                 # unplugged mid-press: no "released" ever
    assert panel.calls() == []
    assert (1.6 + 0.5 - 0.1 <= panel.replies()[0][0] <= 2.11)
    assert panel.replies()[0][1:] == ("ERR", ("panel.cancelled",))
    panel.key(True)                                  # the link is back, the finger still down
    panel.run(10.0)
    panel.key(False)
    panel.run(11.0)
    assert panel.calls() == []                       # a cancelled press is not completed
    panel.key(True)
    panel.run(11.2)
    panel.key(False)
    panel.run(11.5)
    assert [c[1] for c in panel.calls()] == ["mark"]  # the next real press works


def test_skipped_sequence_number_while_held_cancels():
    panel = Panel("recording")
    panel.run(1.0)
    panel.key(True)
    panel.run(2.5)
    panel.key(True, skip=3)
    panel.key(False)
    panel.run(4.0)
    assert panel.calls() == []


def test_refused_press_answers_err_with_the_reason_code():
    panel = Panel("idle")
    panel.controller.refusal = "no_device"
    panel.key(True)
    panel.run(0.2)
    panel.key(False)
    panel.run(0.5)
    assert panel.replies() == [(0.23, "ERR", ("fake.refused",))]
    assert not panel.session.last_outcome.ok


def test_hello_is_answered():
    panel = Panel()
    panel.session.receive(pp.encode(pp.Message("P", "HELLO", ("bigbutton", "1.0"))), 0.0)
    panel.run(0.01, heartbeat=False)
    assert panel.replies()[0][1] == "HELLO" and panel.replies()[0][2][0] == "appliance"
    assert panel.session.panel_hello == ("bigbutton", "1.0")


def test_overlong_and_split_lines():
    panel = Panel("recording")
    session = panel.session
    session.receive(b"x" * 500, 0.0)
    session.receive(b"yyy\n", 0.0)
    assert session.bad_lines == 1
    line = pp.key_line(True, 1)
    for byte in line:                                 # one byte at a time still parses
        session.receive(bytes([byte]), 0.0)
    assert session.decoder.advance(0.1)[0].phase == "pressed"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=80), max_size=20))
def test_garbage_never_raises_and_a_good_line_still_gets_through(chunks):
    panel = Panel("recording")
    for i, chunk in enumerate(chunks):
        panel.session.receive(chunk, i * 0.001)
    panel.session.receive(b"\n", 0.05)
    panel.session.tick(0.05)
    panel.now_s = 1.0
    panel.seq = 1000
    panel.key(True)
    panel.run(1.2)
    panel.key(False)
    panel.run(1.4)
    assert panel.controller.commands()[-1:] == ["mark"]
