"""The serial panel's line protocol, version 1 (pure: bytes in, messages out, and back).

A line is `$<talker><version>,<TYPE>[,<field>...]*<CK>` + `\\n` (a `\\r` before it is
allowed), printable ASCII only, at most `MAX_LINE_BYTES`. `<talker>` is `P` (panel) or `A`
(appliance); `<CK>` is two upper-case hex digits, the XOR of every byte between `$` and `*`
(as in NMEA 0183). Anything else is rejected whole: a line is either exactly right or ignored.
docs/SERIAL-PROTOCOL.md is the user-facing copy of this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import reduce

from appliance import i18n
from appliance.contract.status import Status
from appliance.contract.vocabulary import State
from appliance.errors import ApplianceError

VERSION = 1
MAX_LINE_BYTES = 120
BAR_SEGMENTS = 20
BAR_FLOOR_DBFS = -60.0
KEY_SEQ_MODULO = 65536

_LINE = re.compile(rb"\$([PA])([0-9]{1,3}),([A-Z]{1,8})((?:,[^$*,\x00-\x1f\x7f-\xff]*)*)"
                   rb"\*([0-9A-F]{2})\r?")
_FIELD_OK = re.compile(r"[^$*,\x00-\x1f\x7f-\U0010ffff]*")

i18n.register({
    "panel.line": ("Строка пульта отброшена: {reason}", "Panel line dropped: {reason}"),
})


class PanelLineError(ApplianceError, ValueError):
    """A line from the serial panel that is not exactly right; it is dropped and counted."""

    def __init__(self, reason: str) -> None:
        super().__init__("panel.line", reason=reason)


@dataclass(frozen=True)
class Message:
    talker: str
    """"P" from the panel, "A" from the appliance."""
    kind: str
    fields: tuple[str, ...] = ()
    version: int = VERSION


def checksum(body: bytes) -> int:
    return reduce(lambda acc, byte: acc ^ byte, body, 0)


def encode(message: Message) -> bytes:
    """The line for `message`, newline included."""
    for text in (message.kind, *message.fields):
        if not _FIELD_OK.fullmatch(text):
            raise ValueError(f"not allowed in a panel line field: {text!r}")
    body = ",".join((f"{message.talker}{message.version}", message.kind, *message.fields))
    data = body.encode("ascii")
    return b"$" + data + b"*" + f"{checksum(data):02X}".encode("ascii") + b"\n"


def parse(line: bytes) -> Message:
    """One line without its `\\n`; raises PanelLineError for anything not exactly right."""
    if len(line) > MAX_LINE_BYTES:
        raise PanelLineError("too long")
    match = _LINE.fullmatch(line)
    if match is None:
        raise PanelLineError("malformed")
    talker, version, kind, fields, check = match.groups()
    body = line[1:line.rindex(b"*")]
    if checksum(body) != int(check, 16):
        raise PanelLineError("checksum")
    if int(version) != VERSION:
        raise PanelLineError(f"version {int(version)}")
    values = tuple(fields.decode("ascii").split(",")[1:])
    return Message(talker.decode("ascii"), kind.decode("ascii"), values)


@dataclass(frozen=True)
class KeyReport:
    """Panel -> appliance `KEY`: the button level, sent on change and at least every 100 ms."""

    pressed: bool
    seq: int


def parse_key(message: Message) -> KeyReport:
    if len(message.fields) != 2 or message.fields[0] not in ("0", "1"):
        raise PanelLineError("KEY wants level 0|1 and a sequence number")
    seq = message.fields[1]
    if not (seq.isascii() and seq.isdigit() and len(seq) <= 5 and int(seq) < KEY_SEQ_MODULO):
        raise PanelLineError("KEY sequence number out of range")
    return KeyReport(message.fields[0] == "1", int(seq))


def key_line(pressed: bool, seq: int) -> bytes:
    return encode(Message("P", "KEY", ("1" if pressed else "0", str(seq % KEY_SEQ_MODULO))))


STATE_WORDS = {State.IDLE: "IDLE", State.RECORDING: "REC", State.PAUSED: "PAUSE",
               State.STOPPED: "STOP"}


def level_bar(peak_dbfs: float | None) -> int:
    """0..BAR_SEGMENTS segments, linear in dB from BAR_FLOOR_DBFS to 0 dBFS."""
    if peak_dbfs is None or peak_dbfs != peak_dbfs:
        return 0
    fraction = (peak_dbfs - BAR_FLOOR_DBFS) / -BAR_FLOOR_DBFS
    return max(0, min(BAR_SEGMENTS, round(fraction * BAR_SEGMENTS)))


def status_line(status: Status | None, pattern_name: str) -> bytes:
    """Appliance -> panel `ST`: state, elapsed seconds, part, level bar, alarms, LED pattern."""
    if status is None:
        fields = ("FAULT", "0", "-", "0", "-", pattern_name)
    else:
        peaks = status.peaks_dbfs()
        alarms = "+".join(_code(code) for code in status.alarm_codes()) or "-"
        fields = (STATE_WORDS.get(status.state, "FAULT"), str(int(status.elapsed_s or 0)),
                  "-" if status.part is None else str(status.part),
                  str(level_bar(max(peaks) if peaks else None)), alarms, pattern_name)
    return encode(Message("A", "ST", fields))


def _code(code: str) -> str:
    return code if _FIELD_OK.fullmatch(code) and "+" not in code else "alarm"


def reply_line(kind: str, *fields: str) -> bytes:
    """Appliance -> panel `ACK`, `ERR` or `HELLO`."""
    return encode(Message("A", kind, tuple(fields)))
