"""The optional serial panel: its big button drives the recorder like the GPIO button, and it
shows state, elapsed time, a level bar and alarms, refreshed at 10 Hz.

`PanelSession` is the logic for one connection, single-threaded, explicit time, no I/O:
bytes in (`receive`), lines out (`tick`). `SerialPanel` is the shell that owns the port on
its own thread, and reopens it whenever it comes back: the panel may be unplugged and plugged
in at any moment, and nothing it sends (or fails to send) can stop the recorder.

Safety against a bad link: the panel reports the button *level* with a sequence number on
every change and at least every 100 ms. A press in progress is cancelled, never completed,
when reports stop for `LINK_TIMEOUT_S` or a sequence number is skipped: a lost "released"
line must not turn into a five-second hold that stops the day.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from appliance import __version__
from appliance.config import GpioConfig, SerialConfig
from appliance.contract.status import Status
from appliance.errors import ApplianceError
from appliance.hardware import leds, panel_protocol, serialport
from appliance.hardware.actions import Controller, PressOutcome, perform
from appliance.hardware.button import ButtonDecoder, Phase
from appliance.hardware.controls import button_timing
from appliance.hardware.panel_protocol import PanelLineError

log = logging.getLogger(__name__)

STATUS_INTERVAL_S = 0.1
LINK_TIMEOUT_S = 0.5
REOPEN_INTERVAL_S = 1.0


class PanelSession:
    """One connection's worth of protocol. Not thread-safe; times are monotonic seconds."""

    def __init__(self, gpio: GpioConfig, controller: Controller) -> None:
        self.controller = controller
        self.decoder = ButtonDecoder(button_timing(gpio))
        self.bad_lines = 0
        self.last_outcome: PressOutcome | None = None
        self.panel_hello: tuple[str, ...] | None = None
        self._buffer = b""
        self._discarding = False
        self._out: list[bytes] = []
        self._last_seq: int | None = None
        self._last_key_s = float("-inf")
        self._await_release = False   # a cancelled press must be let go before the next one
        self._next_status_s = float("-inf")

    def receive(self, data: bytes, now_s: float) -> None:
        """Bytes from the port; complete lines are acted upon, the rest kept for later."""
        self._buffer += data
        *lines, self._buffer = self._buffer.split(b"\n")
        for line in lines:
            if self._discarding:
                self._discarding = False      # the tail of an overlong line
                self.bad_lines += 1
                continue
            self._line(line, now_s)
        if len(self._buffer) > panel_protocol.MAX_LINE_BYTES:
            self._buffer, self._discarding = b"", True

    def tick(self, now_s: float) -> list[bytes]:
        """Bring everything up to `now_s`; the lines to send to the panel."""
        if self.decoder.is_held and now_s - self._last_key_s > LINK_TIMEOUT_S:
            self._cancel("silent link")
        for event in self.decoder.advance(now_s):
            if event.phase is Phase.GESTURE:
                self._act(event.gesture, event.pressed_at_s)
        if now_s >= self._next_status_s:
            self._next_status_s += STATUS_INTERVAL_S          # a steady beat, no bursts
            if self._next_status_s <= now_s:
                self._next_status_s = now_s + STATUS_INTERVAL_S
            self._out.append(self._status_line())
        out, self._out = self._out, []
        return out

    def next_wakeup_s(self) -> float:
        deadline = self.decoder.next_deadline_s()
        return min(self._next_status_s, float("inf") if deadline is None else deadline)

    def _line(self, line: bytes, now_s: float) -> None:
        try:
            message = panel_protocol.parse(line)
            if message.talker != "P":
                raise PanelLineError("not from a panel")
            if message.kind == "KEY":
                self._key(panel_protocol.parse_key(message), now_s)
            elif message.kind == "HELLO":
                self.panel_hello = message.fields
                self._out.append(panel_protocol.reply_line("HELLO", "appliance", __version__))
            else:
                raise PanelLineError(f"unknown type {message.kind}")
        except PanelLineError as err:
            self.bad_lines += 1
            log.debug("%s: %r", err, line[:panel_protocol.MAX_LINE_BYTES])

    def _key(self, report: panel_protocol.KeyReport, now_s: float) -> None:
        expected = None if self._last_seq is None else \
            (self._last_seq + 1) % panel_protocol.KEY_SEQ_MODULO
        self._last_seq, self._last_key_s = report.seq, now_s
        if self._await_release:
            self._await_release = report.pressed
            return
        if expected is not None and report.seq != expected and self.decoder.is_held:
            self._cancel("lost lines")
            self._await_release = report.pressed
            return
        for event in self.decoder.edge(report.pressed, now_s):
            if event.phase is Phase.GESTURE:
                self._act(event.gesture, event.pressed_at_s)

    def _cancel(self, why: str) -> None:
        log.warning("panel press cancelled: %s", why)
        self.decoder.cancel()
        self._await_release = True
        self._out.append(panel_protocol.reply_line("ERR", "panel.cancelled"))

    def _act(self, gesture, pressed_at_s: float) -> None:
        outcome = perform(self.controller, gesture, "panel", pressed_at_s)
        self.last_outcome = outcome
        if outcome.ok:
            self._out.append(panel_protocol.reply_line("ACK", outcome.command))
        else:
            self._out.append(panel_protocol.reply_line("ERR", outcome.error.code))
        self._next_status_s = float("-inf")          # show the new state at once

    def _status_line(self) -> bytes:
        try:
            status = Status.from_json(self.controller.status())
        except ApplianceError as err:
            log.warning("recorder status unavailable: %s", err)
            status = None
        return panel_protocol.status_line(status, leds.choose_pattern(status).name)


class SerialPanel:
    """Owns the serial port on its own thread; reopens it when the panel comes back.

    `observe_edge(time_s)` is called whenever bytes arrive, with the time their lines are
    stamped with (see HardwareBridge).
    """

    def __init__(self, serial_cfg: SerialConfig, gpio: GpioConfig, controller: Controller,
                 clock: Callable[[], float] = time.monotonic,
                 open_port: Callable[..., object] = serialport.open_port,
                 observe_edge: Callable[[float], None] | None = None) -> None:
        self.serial_cfg = serial_cfg
        self.observe_edge = observe_edge
        self.gpio = gpio
        self.controller = controller
        self.clock = clock
        self.open_port = open_port
        self.session: PanelSession | None = None
        self.connections = 0
        self._port = None
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="serial-panel", daemon=True)

    @property
    def connected(self) -> bool:
        return self._port is not None

    def start(self) -> SerialPanel:
        self._thread.start()
        return self

    def close(self) -> None:
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        self._drop_port()

    def __enter__(self) -> SerialPanel:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                if self._port is None:
                    self._open()
                else:
                    self._exchange()
            except serialport.PORT_ERRORS as err:
                log.info("serial panel gone: %s", err)
                self._drop_port()
            except Exception:  # the top of the thread: whatever the panel does, carry on
                log.exception("serial panel failed; reopening")
                self._drop_port()
                self._stopping.wait(REOPEN_INTERVAL_S)

    def _open(self) -> None:
        try:
            self._port = self.open_port(self.serial_cfg.port, self.serial_cfg.baudrate)
        except serialport.PORT_ERRORS:
            self._stopping.wait(REOPEN_INTERVAL_S)
            return
        self.session = PanelSession(self.gpio, self.controller)
        self.connections += 1
        log.info("serial panel connected on %s", self.serial_cfg.port)

    def _exchange(self) -> None:
        data = serialport.read_some(self._port)
        now_s = self.clock()
        if data:
            if self.observe_edge is not None:
                self.observe_edge(now_s)
            self.session.receive(data, now_s)
        out = b"".join(self.session.tick(now_s))
        if out:
            try:
                self._port.write(out)
            except serialport.WRITE_STALLED:
                self._port.reset_output_buffer()

    def _drop_port(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            try:
                port.close()
            except serialport.PORT_ERRORS as err:
                log.debug("closing the panel port: %s", err)
