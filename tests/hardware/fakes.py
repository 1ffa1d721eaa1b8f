"""A fake recorder for the controls' tests: the session table in a few lines, every call logged."""

from __future__ import annotations

import threading
import time

from appliance import i18n
from appliance.errors import StateError

i18n.register({"fake.refused": ("Нельзя: {cmd} в состоянии {state}",
                                "Not allowed: {cmd} in state {state}"),
                "fake.unreachable": ("Регистратор не отвечает", "The recorder does not answer")})

ALLOWED = {"start": ("idle", "stopped"), "pause": ("recording",), "resume": ("paused",),
           "stop": ("recording", "paused"), "mark": ("recording",)}
NEXT = {"start": "recording", "pause": "paused", "resume": "recording", "stop": "stopped"}


class FakeController:
    """`handle`/`status` like the recorder's; `refuse_all` mimics "no microphone" etc."""

    def __init__(self, state: str = "idle", clock=time.monotonic) -> None:
        self.clock = clock
        self.lock = threading.Lock()
        self.calls: list[tuple[float, str, dict]] = []
        self.changed = threading.Condition(self.lock)
        self.refusal: str | None = None
        self.status_obj = {"state": state, "configured": True, "clock": {"ok": True},
                           "device": {"present": True}, "alarms": [], "elapsed_s": 0.0,
                           "levels": {"peak_dbfs": [-20.0], "rms_dbfs": [-30.0]}}

    def handle(self, cmd: str, **args: object) -> dict:
        with self.lock:
            self.calls.append((self.clock(), cmd, args))
            state = self.status_obj["state"]
            if self.refusal or state not in ALLOWED[cmd]:
                self.changed.notify_all()
                raise StateError("fake.refused", cmd=cmd, state=self.refusal or state)
            self.status_obj["state"] = NEXT.get(cmd, state)
            self.changed.notify_all()
            return dict(self.status_obj)

    def status(self) -> dict:
        with self.lock:
            return dict(self.status_obj)

    def set(self, **fields: object) -> None:
        with self.lock:
            self.status_obj.update(fields)

    def commands(self) -> list[str]:
        with self.lock:
            return [cmd for _, cmd, _ in self.calls]

    def wait_calls(self, count: int, timeout_s: float = 5.0) -> list[str]:
        with self.lock:
            if not self.changed.wait_for(lambda: len(self.calls) >= count, timeout_s):
                raise AssertionError(f"expected {count} calls, got {self.calls}")
            return [cmd for _, cmd, _ in self.calls]
