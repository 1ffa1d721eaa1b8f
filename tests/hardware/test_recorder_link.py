"""RecorderLink: which captured frame a press belongs to, and the drive state for the LEDs."""

from __future__ import annotations

from types import SimpleNamespace

from appliance.contract.status import Status
from appliance.hardware import leds
from appliance.hardware.recorder_link import RecorderLink


class Source:
    frames_captured = 0


def link_over(source: Source, drive_state: str | None = None) -> RecorderLink:
    recorder = SimpleNamespace(source=source, day=None,
                               status=lambda: {"state": "stopped", "alarms": []})
    drive = None if drive_state is None else (lambda: {"state": drive_state})
    return RecorderLink(recorder, data_dir=None, drive_status=drive)


def test_a_press_maps_to_the_frame_captured_at_its_edge():
    source = Source()
    link = link_over(source)
    for time_s, frames in ((10.0, 48_000), (10.5, 96_000), (12.0, 480_000)):
        source.frames_captured = frames
        link.note_edge(time_s)
    source.frames_captured = 1_000_000
    assert link.frame_at(10.0) == 48_000
    assert link.frame_at(10.49) == 48_000          # between edges: the last one before
    assert link.frame_at(12.0) == 480_000
    assert link.frame_at(9.0) == 1_000_000          # before anything noted: now
    link.note_edge(11.0)                            # out of order: ignored, list stays sorted
    assert link.frame_at(11.5) == 96_000


def test_status_carries_the_drive_so_the_leds_show_the_export():
    status = Status.from_json(link_over(Source(), "exporting").status())
    assert leds.choose_pattern(status) is leds.EXPORT_RUNNING
    assert "drive" not in link_over(Source()).status()
