"""`appliance panel-sim` as a real process on a real pty, against the appliance's SerialPanel."""

from __future__ import annotations

import queue
import subprocess
import sys
import threading

import pytest

from appliance.config import GpioConfig, SerialConfig
from appliance.hardware import panel_protocol as pp
from appliance.hardware.panel import SerialPanel
from appliance.hardware.panel_sim import describe
from tests.feeds import wait_for

from .fakes import FakeController

GPIO = GpioConfig(debounce_ms=20, long_press_s=0.5, stop_press_s=1.0)


class SimProcess:
    """The simulator with its stdin to type into and its stdout read line by line."""

    def __init__(self, link) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "appliance", "panel-sim", "--pty", str(link)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8")
        self.lines: queue.SimpleQueue[str] = queue.SimpleQueue()
        self.reader = threading.Thread(target=self._pump, daemon=True)
        self.reader.start()

    def _pump(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def type(self, command: str) -> None:
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()

    def expect(self, fragment: str, timeout_s: float = 10.0) -> str:
        seen = []
        while True:
            try:
                line = self.lines.get(timeout=timeout_s)
            except queue.Empty:
                raise AssertionError(f"no {fragment!r} in {seen}") from None
            seen.append(line)
            if fragment in line:
                return line

    def quit(self) -> int:
        self.type("quit")
        return self.proc.wait(timeout=10)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.proc.stdin.close()
        self.reader.join(timeout=5)
        self.proc.stdout.close()


@pytest.fixture
def rig(tmp_path):
    link = tmp_path / "panel"
    sim = SimProcess(link)
    sim.expect("Пульт на")
    controller = FakeController("idle")
    panel = SerialPanel(SerialConfig(port=str(link)), GPIO, controller).start()
    yield sim, controller, panel
    panel.close()
    sim.close()


def test_simulated_panel_drives_the_day_and_shows_refusals(rig):
    sim, controller, panel = rig
    sim.expect("Состояние IDLE")
    sim.expect("На связи: appliance")                 # HELLO on hearing it, answered
    sim.type("click")
    sim.expect("Принято: start")
    assert controller.wait_calls(1) == ["start"]
    sim.expect("Состояние REC")
    sim.type("click")
    sim.expect("Принято: mark")
    sim.type("hold 1.3")                               # past the 1 s stop threshold
    sim.expect("Принято: stop")
    sim.expect("Состояние STOP")
    assert controller.commands() == ["start", "mark", "stop"]
    assert panel.session.bad_lines == 0 and panel.session.panel_hello[0] == "panel-sim"
    controller.refusal = "no microphone"
    sim.type("click")
    sim.expect("Отказ: fake.refused")
    sim.type("jump")
    sim.expect("Неизвестная команда «jump»")
    wait_for(lambda: controller.commands()[-1:] == ["start"], what="the refused start")
    assert sim.quit() == 0


def test_status_text():
    status = pp.Message("A", "ST", ("REC", "3725", "2", "15", "silence", "alarm"))
    assert describe(status) == ("Состояние REC, 01:02:05, часть 2, уровень "
                                "[###############-----], тревоги: silence, индикаторы: alarm")
    assert describe(pp.Message("A", "ST", ("REC",))) is None
