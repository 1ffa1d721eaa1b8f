"""End to end: simulated button presses drive a real recorder process recording through the
real PyAudio → ALSA `file` feed, and every marker lands at the sample of its press.

The fast feed runs far ahead of the pipeline (seconds of audio per millisecond), so a press
acted on at its release would land many seconds late: this proves presses act at the frame
captured when the button went down (± one block). (The recorder can wait
for a past frame only while its queue, 120 s of audio, still holds it: here a 0.5 s long press
is ~25 s of feed; a machine 5x faster than the development box would still pass.)
"""

from __future__ import annotations

import numpy as np

from appliance.journal import verify_chain
from tests.feeds import make_fast_feed, wait_for
from tests.recorder_process import RecorderProcess, journal, part_samples, write_config

FEED_S = 1800
BLOCK_FRAMES = 4800  # 100 ms at 48 kHz, the default block


def shows(rec: RecorderProcess, pattern: str, since_s: float) -> bool:
    """The LEDs took on `pattern` at or after `since_s` (monotonic, the recorder's clock)."""
    leds = rec.status()["leds"]
    return leds["pattern"] == pattern and leds["since_s"] >= since_s


def press(rec: RecorderProcess, until) -> dict:
    """Press, wait until the controls show `until` (a LED pattern name), release."""
    pressed = rec.client.call("button", action="press")
    wait_for(lambda: shows(rec, until, pressed["time_s"]), what=f"LEDs {until}")
    rec.client.call("button", action="release")
    return pressed


def test_button_presses_place_parts_and_markers_at_their_samples(tmp_path):
    feed = make_fast_feed(tmp_path / "home", FEED_S)
    config = write_config(tmp_path / "appliance.toml", tmp_path / "data", device="examfeed",
                          recording={"pause_mode": "split"},
                          gpio={"backend": "mock", "debounce_ms": 20, "long_press_s": 0.5,
                                "stop_press_s": 1.0})
    rec = RecorderProcess(config, env=feed.process_env()).start()
    try:
        presses = {"start": press(rec, "pressed")}
        wait_for(lambda: rec.status()["state"] == "recording", what="started by the button")
        presses["marks"] = []
        for n in (1, 2, 3):
            presses["marks"].append(press(rec, "pressed"))
            wait_for(lambda n=n: rec.status()["participants"] == n, what=f"marker {n}")
        presses["pause"] = press(rec, "long_reached")
        wait_for(lambda: rec.status()["state"] == "paused", what="paused by a long press")
        presses["resume"] = press(rec, "pressed")
        wait_for(lambda: rec.status()["state"] == "recording", what="resumed")
        rec.ctl("stop")
    finally:
        rec.terminate()

    (day_dir,) = rec.day_dirs
    entries = journal(day_dir)
    opened = [e.data for e in entries if e.event == "part_opened"]
    markers = [e.data for e in entries if e.event == "marker"]

    def near(press_info: dict, capture_frame: int) -> bool:
        return 0 <= capture_frame - press_info["capture_frame"] <= BLOCK_FRAMES

    # start and resume act from idle/paused, where the pipeline does little and keeps up with
    # capture: nothing before "now" is kept to start from, so they open the part when the
    # gesture completes, after the press and before the next one
    assert presses["start"]["capture_frame"] <= opened[0]["capture_frame"] \
        <= presses["marks"][0]["capture_frame"]
    assert presses["resume"]["capture_frame"] <= opened[1]["capture_frame"]
    participant = [m for m in markers if m["kind"] == "participant"]
    assert len(participant) == 3
    for pressed, marker in zip(presses["marks"], participant, strict=True):
        assert near(pressed, marker["capture_frame"]), (pressed, marker)
        assert marker["frame"] == marker["capture_frame"] - opened[0]["capture_frame"]
    pause = next(m for m in markers if m["kind"] == "pause")
    assert near(presses["pause"], pause["capture_frame"])
    # the presses were far apart in the audio, so landing near each one is no coincidence
    gaps = np.diff([p["capture_frame"] for p in presses["marks"]])
    assert (gaps > 10 * BLOCK_FRAMES).all()
    assert [e.data["source"] for e in entries if e.event in ("started", "paused", "resumed")] \
        == ["button"] * 3
    for part in opened:
        samples = part_samples(day_dir / part["file"])
        start = part["capture_frame"]
        assert start + len(samples) < len(feed.samples), "feed too short for this test"
        assert np.array_equal(samples, feed.samples[start:start + len(samples)])
    assert verify_chain(day_dir / "journal.jsonl") is None
