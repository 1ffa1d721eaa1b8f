"""SerialPanel over a real pseudo-terminal: 10 Hz status, presses, garbage, unplug/replug."""

from __future__ import annotations

import random
import time

import pytest

from appliance.config import GpioConfig, SerialConfig
from appliance.hardware import panel_protocol as pp
from appliance.hardware.panel import SerialPanel
from tests.feeds import wait_for

from .fakes import FakeController
from .ptypanel import PtyPanel

GPIO = GpioConfig(debounce_ms=20, long_press_s=0.5, stop_press_s=1.0)


@pytest.fixture
def rig(tmp_path):
    link = tmp_path / "panel"
    pty = PtyPanel(link)
    controller = FakeController("idle")
    panel = SerialPanel(SerialConfig(port=str(link)), GPIO, controller).start()
    yield pty, controller, panel
    panel.close()
    pty.close()


def press(pty: PtyPanel, hold_s: float) -> None:
    pty.key(True)
    end = time.monotonic() + hold_s
    while time.monotonic() < end:          # the panel's 10 Hz heartbeat while held
        time.sleep(min(0.1, max(0.0, end - time.monotonic())))
        pty.key(True)
    pty.key(False)


def test_status_at_10_hz_and_a_press_starts(rig):
    pty, controller, panel = rig
    pty.wait_for(lambda m: m.kind == "ST")
    lines = pty.read_messages(2.0)
    status_times = [t for t, m in lines if m.kind == "ST"]
    assert len(status_times) >= 19
    assert max(b - a for a, b in zip(status_times, status_times[1:], strict=False)) < 0.2
    assert lines[-1][1].fields[0] == "IDLE" and lines[-1][1].fields[-1] == "ready"
    press(pty, 0.1)
    assert pty.wait_for(lambda m: m.kind in ("ACK", "ERR")).fields == ("start",)
    assert controller.commands() == ["start"]
    pty.wait_for(lambda m: m.kind == "ST" and m.fields[0] == "REC")


def test_garbage_on_the_line_changes_nothing(rig):
    pty, controller, panel = rig
    pty.wait_for(lambda m: m.kind == "ST")
    noise = random.Random(5)
    for _ in range(50):
        pty.send(bytes(noise.randrange(256) for _ in range(noise.randrange(1, 300))))
    pty.send(b"\n" + b"$P1,KEY,1,1*00\n" + b"\x00" * 1000 + b"\n$P9,KEY,1,1*2C\n")
    pty.send(pp.encode(pp.Message("P", "HELLO", ("test", "1"))))
    pty.wait_for(lambda m: m.kind == "HELLO")   # lines are handled in order: garbage is done
    assert controller.commands() == []
    press(pty, 0.1)
    pty.wait_for(lambda m: m.kind == "ACK")
    assert controller.commands() == ["start"]
    assert panel.connections == 1 and panel.session.bad_lines > 0


def test_unplug_mid_press_then_replug(rig):
    pty, controller, panel = rig
    controller.set(state="recording")
    pty.wait_for(lambda m: m.kind == "ST")
    pty.key(True)
    time.sleep(0.05)
    pty.unplug()                           # yanked with the button down
    wait_for(lambda: not panel.connected)
    time.sleep(1.5)                        # longer than the stop press
    assert controller.commands() == []
    pty.plug()
    wait_for(lambda: panel.connections == 2)
    pty.wait_for(lambda m: m.kind == "ST" and m.fields[0] == "REC")
    press(pty, 0.1)
    pty.wait_for(lambda m: m.kind == "ACK")
    assert controller.commands() == ["mark"]


def test_panel_plugged_in_after_start(tmp_path):
    link = tmp_path / "later"
    controller = FakeController("idle")
    with SerialPanel(SerialConfig(port=str(link)), GPIO, controller) as panel:
        time.sleep(0.2)
        assert not panel.connected
        pty = PtyPanel(link)
        try:
            pty.wait_for(lambda m: m.kind == "ST", timeout_s=5)
            assert panel.connected
        finally:
            pty.close()
