"""The panel line protocol: exact lines, strict rejection, and fuzzing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from appliance.contract.status import Status
from appliance.hardware import panel_protocol as pp
from appliance.hardware.panel_protocol import Message, PanelLineError


def test_known_line_and_checksum():
    # XOR of "P1,KEY,1,7" worked out by hand: the NMEA checksum of the body
    body = b"P1,KEY,1,7"
    ck = 0
    for byte in body:
        ck ^= byte
    assert pp.key_line(True, 7) == b"$P1,KEY,1,7*%02X\n" % ck
    assert pp.parse(b"$P1,KEY,1,7*%02X" % ck) == Message("P", "KEY", ("1", "7"))
    assert pp.parse(b"$P1,KEY,1,7*%02X\r" % ck) == Message("P", "KEY", ("1", "7"))


@pytest.mark.parametrize(("line", "reason"), [
    (b"$P1,KEY,1,7*00", "checksum"),
    (b"P1,KEY,1,7*2C", "malformed"),
    (b"$P1,KEY,1,7", "malformed"),
    (b"$p1,KEY,1,7*2C", "malformed"),
    (b"$P1,key,1,7*2C", "malformed"),
    (b"$P1,KEY,1,7*2c", "malformed"),
    (b"$P1,KEY,\xd0\x96,7*2C", "malformed"),
    (b"$P1,KEY,1,7*2C junk", "malformed"),
    (b"$P1,KEY,1\t,7*2C", "malformed"),
    (b"$P1,KEY," + b"1" * 200 + b"*00", "too long"),
    (b"", "malformed"),
])
def test_strict_rejection(line, reason):
    with pytest.raises(PanelLineError, match=reason):
        pp.parse(line)


def test_other_versions_are_refused_after_the_checksum():
    line = pp.encode(Message("P", "KEY", ("1", "7"), version=2)).rstrip(b"\n")
    with pytest.raises(PanelLineError, match="version 2"):
        pp.parse(line)


@pytest.mark.parametrize("fields", [("1",), ("2", "5"), ("1", "-1"), ("1", "65536"),
                                    ("1", "x"), ("1", "5", "5"), ("1", "٣")])
def test_key_fields_are_checked(fields):
    with pytest.raises(PanelLineError):
        pp.parse_key(Message("P", "KEY", fields))


def test_status_line_fields():
    status = {"state": "recording", "elapsed_s": 3725.9, "part": 2,
              "levels": {"peak_dbfs": [-30.0, -12.0]},
              "alarms": [{"code": "silence"}, {"code": "disk_low"}]}
    line = pp.status_line(Status.from_json(status), "alarm")
    assert pp.parse(line.rstrip(b"\n")) == Message(
        "A", "ST", ("REC", "3725", "2", "16", "silence+disk_low", "alarm"))
    idle = pp.parse(pp.status_line(Status(levels={"peak_dbfs": [None]}),
                                   "ready").rstrip(b"\n"))
    assert idle.fields == ("IDLE", "0", "-", "0", "-", "ready")
    assert pp.parse(pp.status_line(None, "fault").rstrip(b"\n")).fields[0] == "FAULT"



def test_the_panel_is_told_when_recording_is_on_but_nothing_is_written():
    from appliance.hardware import leds
    status = Status.from_json({
        "state": "recording", "elapsed_s": 61, "part": None, "levels": {"peak_dbfs": [-20.0]},
        "alarms": [{"code": "not_recording", "cause": "disk_full"}, {"code": "disk_full"}]})
    pattern = leds.choose_pattern(status)
    fields = pp.parse(pp.status_line(status, pattern.name).rstrip(b"\n")).fields
    assert fields[4:] == ("not_recording+disk_full", "not_recording")


@pytest.mark.parametrize(("peak", "bar"), [(None, 0), (float("nan"), 0), (-120, 0), (-60, 0),
                                           (-30, 10), (-3, 19), (0, 20), (6, 20)])
def test_level_bar(peak, bar):
    assert pp.level_bar(peak) == bar


def test_fields_that_would_break_the_framing_cannot_be_sent():
    for bad in ("a,b", "a*b", "$", "\n", "ж"):
        with pytest.raises(ValueError):
            pp.encode(Message("A", "ERR", (bad,)))


FIELD = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7e,
                              exclude_characters="$*,"), max_size=10)


@given(st.sampled_from(["P", "A"]), st.from_regex(r"[A-Z]{1,8}", fullmatch=True),
       st.lists(FIELD, max_size=5))
def test_round_trip(talker, kind, fields):
    message = Message(talker, kind, tuple(fields))
    assert pp.parse(pp.encode(message).rstrip(b"\n")) == message


@given(st.binary(max_size=200))
def test_garbage_raises_only_panel_line_error(data):
    try:
        pp.parse(data)
    except PanelLineError:
        pass


@given(st.binary(min_size=1, max_size=40), st.integers(0, 200))
def test_corrupting_a_valid_line_is_caught(noise, at):
    line = pp.key_line(True, 42).rstrip(b"\n")
    at %= len(line)
    corrupted = line[:at] + bytes([line[at] ^ noise[0]]) + line[at + 1:]
    if corrupted == line:
        return
    with pytest.raises(PanelLineError):
        pp.parse(corrupted)
