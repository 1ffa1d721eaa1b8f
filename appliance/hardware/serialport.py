"""Opening the panel's serial port: the only module that imports pyserial.

`open_port` takes a device path (`/dev/ttyUSB0`, a `/dev/serial/by-id/...` link, a pty) or a
pyserial URL (`loop://`). Reads return after at most `timeout_s`, so the panel's loop keeps its
10 Hz beat whether or not the panel talks.
"""

from __future__ import annotations

import serial

PORT_ERRORS = (serial.SerialException, OSError)
"""What a vanished, unplugged or busy port raises."""

WRITE_STALLED = serial.SerialTimeoutException
"""The other end stopped reading (a stalled panel): the line is dropped, the port kept."""


def open_port(path: str, baudrate: int, timeout_s: float = 0.02) -> serial.SerialBase:
    return serial.serial_for_url(path, baudrate=baudrate, timeout=timeout_s,
                                 write_timeout=0.2, exclusive=True)


def read_some(port: serial.SerialBase) -> bytes:
    """Whatever has arrived (waiting up to the port's timeout for the first byte)."""
    return port.read(max(1, port.in_waiting))
