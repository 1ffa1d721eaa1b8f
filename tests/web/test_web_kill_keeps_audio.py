"""Killing the web page (SIGKILL) during a recording loses no audio: the recorder owns the
capture, so the part stays bit-identical to what the real ALSA device fed, and a restarted page
picks up the same session and controls the same day.

The device is the ALSA file feed clocked by JACK's dummy driver (tests/feeds.py): the same
bit-exact real PyAudio path as the fast feed, but at real speed, because a web-process restart
takes seconds and the unclocked feed would race through tens of minutes of audio meanwhile."""

from __future__ import annotations

import numpy as np

from tests.feeds import find_offset, make_rt_feed, wait_for
from tests.recorder_process import RecorderProcess, journal, part_samples
from tests.webfixtures import HttpSession, WebProcess, make_web_config, set_password

FEED_S = 120


def test_sigkill_of_the_web_page_during_a_recording_loses_no_audio(tmp_path, jack):
    feed = make_rt_feed(tmp_path / "home", jack, FEED_S)
    config_path = make_web_config(tmp_path / "box", audio={"device": "rtfeed"})
    set_password(config_path)
    recorder = RecorderProcess(config_path, env=feed.process_env()).start()
    web = WebProcess(config_path).start()
    try:
        page = HttpSession(web.url).login()
        status, reply = page.call("/api/control/start", {})
        assert status == 200 and reply["result"]["state"] == "recording", reply
        wait_for(lambda: recorder.status()["part_frames"] > 48000, what="a second recorded")
        web.kill()
        frames_at_kill = recorder.status()["part_frames"]
        wait_for(lambda: recorder.status()["part_frames"] > frames_at_kill + 48000,
                 what="recording goes on without the web page")
        web.start()
        # the same browser session still works after the restart (the key is on disk)
        status, reply = page.call("/api/control/mark", {"label": "после перезапуска"})
        assert status == 200, reply
        status, reply = page.call("/api/control/stop", {})
        assert status == 200 and reply["result"]["state"] == "stopped", reply
    finally:
        web.terminate()
        recorder.terminate()
    (day_dir,) = recorder.day_dirs
    entries = journal(day_dir)
    opened = [e.data for e in entries if e.event == "part_opened"]
    closed = {e.data["part"]: e.data for e in entries if e.event == "part_closed"}
    markers = {e.data["kind"]: e.data for e in entries if e.event == "marker"}
    # every part is an exact stretch of the feed ...
    recorded = []
    for part in opened:
        samples = part_samples(day_dir / part["file"])
        start = part["capture_frame"]
        assert start + len(samples) < len(feed.samples), "feed too short for this test"
        assert len(samples) == closed[part["part"]]["frames"]
        assert find_offset(feed.samples, samples) == start
        assert np.array_equal(samples, feed.samples[start:start + len(samples)])
        recorded.append((start, len(samples)))
    # ... and together they cover the feed from start to stop without a gap (a starved
    # device may split the part, but never lose a sample)
    assert recorded[0][0] == markers["start"]["capture_frame"]
    for (start, frames), (next_start, _) in zip(recorded, recorded[1:], strict=False):
        assert next_start == start + frames
    assert sum(frames for _, frames in recorded) > frames_at_kill + 48000
    assert recorded[-1][0] + recorded[-1][1] == markers["stop"]["capture_frame"]
    assert markers["participant"]["label"] == "после перезапуска"
