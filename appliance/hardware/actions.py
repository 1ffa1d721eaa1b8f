"""What a button gesture asks of the recorder, and asking it (shared by GPIO and serial panel).

Every gesture maps to the command the examiner plausibly meant in the current state, even
where the recorder will refuse it (a very long press while idle asks "stop"): the recorder is
the one judge of what is allowed, and it journals every refusal with its reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from appliance.contract.status import Status
from appliance.contract.vocabulary import Action, State
from appliance.errors import ApplianceError
from appliance.hardware.button import Gesture


class Controller(Protocol):
    """The recorder as the controls see it (hardware.recorder_link.RecorderLink)."""

    def handle(self, cmd: str, **args: object) -> dict:
        """Run start/pause/resume/stop/mark; raises ApplianceError when it cannot act."""

    def status(self) -> dict:
        """The status object of docs/FORMATS.md."""


_WHILE_RECORDING = {Gesture.SHORT: Action.MARK, Gesture.LONG: Action.PAUSE,
                    Gesture.VERY_LONG: Action.STOP}
_WHILE_PAUSED = {Gesture.SHORT: Action.RESUME, Gesture.LONG: Action.RESUME,
                 Gesture.VERY_LONG: Action.STOP}
_OTHERWISE = {Gesture.SHORT: Action.START, Gesture.LONG: Action.START,
              Gesture.VERY_LONG: Action.STOP}
COMMANDS = {State.RECORDING: _WHILE_RECORDING, State.PAUSED: _WHILE_PAUSED}
"""state -> gesture -> command; idle, stopped and unknown states use `_OTHERWISE`."""


def command_for(state: str | None, gesture: Gesture) -> Action:
    return COMMANDS.get(state or "", _OTHERWISE)[gesture]


@dataclass(frozen=True)
class PressOutcome:
    command: str
    ok: bool
    result: dict | None = None
    error: ApplianceError | None = None


def perform(controller: Controller, gesture: Gesture, source: str,
            pressed_at_s: float) -> PressOutcome:
    """Ask the recorder for what `gesture` means in its state right now.

    The state is read fresh, not from the last poll, so a start from the web page a moment
    ago turns this press into a marker rather than a refused second start. `pressed_at_s`
    (monotonic clock of the controls) lets the recorder place a marker at the press itself
    rather than at the release that completed the gesture.
    """
    try:
        state = Status.from_json(controller.status()).state
    except ApplianceError:
        state = None
    command = command_for(state, gesture)
    try:
        result = controller.handle(command, source=source, pressed_at_s=pressed_at_s)
    except ApplianceError as err:
        return PressOutcome(command, False, error=err)
    return PressOutcome(command, True, result=result)
