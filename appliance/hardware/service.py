"""The examiner's hardware of a running recorder: button and LEDs, serial panel, and the
control commands that go with them.

`run_recorder` builds one `ExaminerHardware` next to the Recorder. GPIO uses `gpio.backend`
(the mock backend under `--simulate`); the serial panel runs when `serial.port` is set.
With the mock backend the control API gains `button` (press/release the simulated button),
so tests, benchmarks and the web page can press it; the status object gains `leds`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from appliance import i18n
from appliance.config import Config
from appliance.contract.vocabulary import ButtonAction, Command
from appliance.errors import ControlError
from appliance.hardware.controls import HardwareBridge
from appliance.hardware.mock import MockPins
from appliance.hardware.panel import SerialPanel
from appliance.hardware.pins import open_pins
from appliance.hardware.recorder_link import RecorderLink
from appliance.recorder.core import Recorder

BUTTON_ACTIONS = {ButtonAction.PRESS: True, ButtonAction.RELEASE: False}

i18n.register({
    "button.bad_action": ("Кнопка: действие «{action}» неизвестно (press или release)",
                          "Button: unknown action '{action}' (press or release)"),
})


class ExaminerHardware:
    """Pins + HardwareBridge + SerialPanel for one recorder. A context manager."""

    def __init__(self, config: Config, recorder: Recorder, simulate: bool = False,
                 clock: Callable[[], float] = time.monotonic,
                 drive_status: Callable[[], dict] | None = None) -> None:
        self.config = config
        self.clock = clock
        self.link = RecorderLink(recorder, config.data_dir, drive_status)
        self.pins = open_pins("mock" if simulate else config.gpio.backend, clock)
        self.bridge = None if self.pins is None else HardwareBridge(
            config.gpio, self.pins, self.link, clock, observe_edge=self.link.note_edge)
        self.panel = None if not config.serial.port else SerialPanel(
            config.serial, config.gpio, self.link, clock, observe_edge=self.link.note_edge)

    def start(self) -> ExaminerHardware:
        for part in (self.bridge, self.panel):
            if part is not None:
                part.start()
        return self

    def close(self) -> None:
        """Stop the panel and the controls; the LEDs go dark."""
        for part in (self.panel, self.bridge):
            if part is not None:
                part.close()

    def __enter__(self) -> ExaminerHardware:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def leds(self) -> dict | None:
        """The LEDs as last shown (see controls.LedState), None without GPIO."""
        shown = self.bridge.controls.shown if self.bridge else None
        return shown.to_dict() if shown else None

    def control_handlers(self, status: Callable[[], dict]) -> dict:
        """`status` with `leds` added, and `button` when the button is simulated."""
        def status_with_leds() -> dict:
            return {**status(), "leds": self.leds()}

        handlers = {Command.STATUS: status_with_leds}
        if isinstance(self.pins, MockPins):
            handlers[Command.BUTTON] = self.press_simulated
        return handlers

    def press_simulated(self, action: str, source: str = "cli") -> dict:
        """Drive the simulated button line (`press` or `release`) now.

        Returns when the edge happened (`time_s`, monotonic, comparable with `leds.since_s`)
        and the frame being captured then (`capture_frame`): where a marker made by this
        press belongs. `source` is accepted for symmetry with other commands; the recorder
        journals the press as `button`.
        """
        if action not in BUTTON_ACTIONS:
            raise ControlError("button.bad_action", action=action)
        time_s = self.clock()
        self.pins.drive(self.config.gpio.button_pin, BUTTON_ACTIONS[action], time_s)
        return {"action": action, "time_s": time_s, "capture_frame": self.link.frame_at(time_s)}
