"""The reference serial panel, in software: what a panel's firmware must do, runnable on a pty.

It speaks docs/SERIAL-PROTOCOL.md from the panel's side: HELLO whenever the appliance is heard
after a silence (it opens the port, or comes back; a line sent before it opened the port is
lost, since opening a port flushes what waited in it), the button level
(`KEY`) on every change and every 100 ms, and it shows what the appliance sends (`ST`, `ACK`,
`ERR`) as text. `appliance panel-sim` wraps it in a command that reads button actions from
stdin, so a person or a test can press the big button.

Threads: one reads the line, one sends the heartbeat; `press`/`release` may be called from
any thread.
"""

from __future__ import annotations

import os
import select
import threading
import time
import tty
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from appliance import __version__, i18n
from appliance.hardware import panel_protocol as pp
from appliance.hardware import serialport

HEARTBEAT_S = 0.1
"""The protocol asks for the button level at least every 100 ms."""
RELEASE_GAP_S = 0.1
"""Longer than any sensible debounce (gpio.debounce_ms), shorter than a human's re-press."""
SILENCE_S = 1.0
"""The appliance sends status every 100 ms: this long without a line means it went away."""

i18n.register({
    "panel_sim.status": ("Состояние {state}, {elapsed}, часть {part}, уровень [{bar}], "
                         "тревоги: {alarms}, индикаторы: {pattern}",
                         "State {state}, {elapsed}, part {part}, level [{bar}], "
                         "alarms: {alarms}, LEDs: {pattern}"),
    "panel_sim.ack": ("Принято: {command}", "Accepted: {command}"),
    "panel_sim.err": ("Отказ: {code}", "Refused: {code}"),
    "panel_sim.hello": ("На связи: {name} {version}", "Connected: {name} {version}"),
})


class Line(Protocol):
    """The panel's end of the serial line."""

    def read_some(self) -> bytes:
        """Whatever arrived, waiting at most ~50 ms; b"" when nothing did."""

    def write(self, data: bytes) -> None: ...

    def close(self) -> None: ...


class PtyLine:
    """A new pseudo-terminal pair: the panel keeps the master, the appliance opens the slave
    through `link` (a symlink, like /dev/serial/by-id/...)."""

    def __init__(self, link: Path) -> None:
        self.link = link
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)   # no echo of our own lines, no line editing
        tmp = link.with_name(link.name + ".new")
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(os.ttyname(self.slave))
        tmp.replace(link)

    def read_some(self) -> bytes:
        ready, _, _ = select.select([self.master], [], [], 0.05)
        return os.read(self.master, 4096) if ready else b""

    def write(self, data: bytes) -> None:
        os.write(self.master, data)

    def close(self) -> None:
        self.link.unlink(missing_ok=True)
        os.close(self.master)
        os.close(self.slave)


class SerialLine:
    """An existing serial device or pyserial URL (a socat pty, a USB adapter to a real box)."""

    def __init__(self, path: str, baudrate: int) -> None:
        self.port = serialport.open_port(path, baudrate, timeout_s=0.05)

    def read_some(self) -> bytes:
        return serialport.read_some(self.port)

    def write(self, data: bytes) -> None:
        self.port.write(data)

    def close(self) -> None:
        self.port.close()


def describe(message: pp.Message) -> str | None:
    """The text a person reads for a line from the appliance (None for lines not shown)."""
    fields = message.fields
    if message.kind == "ST" and len(fields) == 6:
        state, elapsed, part, bar, alarms, pattern = fields
        seconds = int(elapsed) if elapsed.isdigit() else 0
        segments = int(bar) if bar.isdigit() else 0
        return i18n.text("panel_sim.status", state=state,
                         elapsed=f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:"
                                 f"{seconds % 60:02d}",
                         part=part, bar="#" * segments + "-" * (pp.BAR_SEGMENTS - segments),
                         alarms=alarms, pattern=pattern)
    if message.kind == "ACK" and fields:
        return i18n.text("panel_sim.ack", command=fields[0])
    if message.kind == "ERR" and fields:
        return i18n.text("panel_sim.err", code=fields[0])
    if message.kind == "HELLO" and len(fields) >= 2:
        return i18n.text("panel_sim.hello", name=fields[0], version=fields[1])
    return None


class PanelSimulator:
    """The panel's behaviour over a `Line`; `show(text)` receives what its display shows.

    A status line is shown only when something other than the level bar changed, so the
    display does not scroll ten times a second.
    """

    def __init__(self, line: Line, show: Callable[[str], None]) -> None:
        self.line = line
        self.show = show
        self.pressed = False
        self.seq = 0
        self.bad_lines = 0
        self.unsent_lines = 0
        self.last_status: tuple[str, ...] | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._buffer = b""
        self._shown_key: tuple[str, ...] | None = None
        self._heard_at_s = float("-inf")
        self._threads = [threading.Thread(target=self._read_loop, name="panel-read", daemon=True),
                         threading.Thread(target=self._beat_loop, name="panel-beat", daemon=True)]

    def start(self) -> PanelSimulator:
        for thread in self._threads:
            thread.start()
        return self

    def close(self) -> None:
        self._stopping.set()
        for thread in self._threads:
            thread.join(timeout=2)
        self.line.close()

    def __enter__(self) -> PanelSimulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def press(self) -> None:
        self._set_key(True)

    def release(self) -> None:
        self._set_key(False)

    def hold(self, seconds: float) -> None:
        """Press, keep it down for `seconds` (the heartbeat says so), release, and stay
        released for `RELEASE_GAP_S`: a press right after would be read as contact bounce."""
        self.press()
        self._stopping.wait(seconds)
        self.release()
        self._stopping.wait(RELEASE_GAP_S)

    def _set_key(self, pressed: bool) -> None:
        with self._lock:
            self.pressed = pressed
            self._send_key_locked()

    def _send_key_locked(self) -> None:
        self.seq = (self.seq + 1) % pp.KEY_SEQ_MODULO
        self._send(pp.key_line(self.pressed, self.seq))

    def _send(self, data: bytes) -> None:
        try:
            self.line.write(data)
        except OSError:   # nobody listening yet: the heartbeat repeats the level anyway
            self.unsent_lines += 1

    def _beat_loop(self) -> None:
        while not self._stopping.wait(HEARTBEAT_S):
            with self._lock:
                self._send_key_locked()

    def _read_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                data = self.line.read_some()
            except OSError:      # the appliance has not opened its end yet
                self._stopping.wait(0.05)
                continue
            self._receive(data)

    def _heard(self, now_s: float) -> None:
        if now_s - self._heard_at_s > SILENCE_S:
            self._send(pp.encode(pp.Message("P", "HELLO", ("panel-sim", __version__))))
        self._heard_at_s = now_s

    def _receive(self, data: bytes) -> None:
        self._buffer += data
        *lines, self._buffer = self._buffer.split(b"\n")
        self._buffer = self._buffer[-pp.MAX_LINE_BYTES:]
        for raw in lines:
            try:
                message = pp.parse(raw)
            except pp.PanelLineError:
                self.bad_lines += 1
                continue
            if message.talker != "A":
                continue
            self._heard(time.monotonic())
            if message.kind == "ST":
                self.last_status = message.fields
                key = message.fields[:3] + message.fields[4:]
                if key == self._shown_key:
                    continue
                self._shown_key = key
            text = describe(message)
            if text is not None:
                self.show(text)

