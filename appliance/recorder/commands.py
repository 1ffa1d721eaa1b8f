"""The recorder's command queue: commands from any thread, applied on the pipeline thread.

A command records the capture frame at which it was given and becomes due once the pipeline
has processed every block captured before it, so its place in the part is the moment it was
given however far the pipeline lags. The caller waits for the answer (or a time-out).
"""

from __future__ import annotations

import collections
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from appliance.errors import ApplianceError, ControlError
from appliance.recorder.session import Action

COMMAND_TIMEOUT_S = 10.0


@dataclass
class Command:
    action: Action | str
    args: dict
    frame: int
    done: threading.Event = field(default_factory=threading.Event)
    run: Any = None
    """For commands that are not session actions: a callable run on the pipeline thread."""
    result: dict | None = None
    error: ApplianceError | None = None

    @property
    def name(self) -> str:
        return self.action if self.run is not None else self.action.value


class CommandQueue:
    """`submit` from any thread; `due` on the pipeline thread."""

    def __init__(self, wake: Callable[[], None] = lambda: None,
                 timeout_s: float = COMMAND_TIMEOUT_S) -> None:
        self._pending: collections.deque[Command] = collections.deque()
        self._wake = wake
        """Tells the pipeline a command is waiting (it may be asleep on the capture queue)."""
        self.timeout_s = timeout_s

    def submit(self, command: Command) -> dict:
        """Queue the command and wait for its result; its refusal is raised here."""
        self._pending.append(command)
        self._wake()
        if not command.done.wait(self.timeout_s):
            raise ControlError("recorder.timeout")
        if command.error:
            raise command.error
        return command.result

    def apply_due(self, frames_processed: int, apply: Callable[[Command], None],
                  force: bool = False) -> None:
        """`apply` each command given at or before `frames_processed` (all with `force`), in
        order; each caller gets its answer whatever `apply` did, never a time-out."""
        while self._pending and (force or self._pending[0].frame <= frames_processed):
            command = self._pending.popleft()
            try:
                apply(command)
            finally:
                command.done.set()
