"""The live page is never silently stale:
the status poller's numbers never restart below the last snapshot's, a stream opened after
everyone had left starts with a status polled after it opened, and the page says «данные
устарели N с» when no update has come for over 2 s (tests/web/test_not_recording_page.py:
«Запись НЕ ИДЁТ»)."""

from __future__ import annotations

import re
import signal
import time

from appliance.webui import statushub
from appliance.webui.statushub import StatusHub
from tests.feeds import wait_for


def test_a_stream_reopened_after_everyone_left_gets_fresh_status(sim_recorder, monkeypatch):
    monkeypatch.setattr(statushub, "IDLE_STOP_S", 0.2)
    hub = StatusHub(sim_recorder.config.recording.socket_path, interval_s=0.01)
    seq = hub.watch()
    while seq < 100:  # a page watched for a while: the numbers are high
        seq = hub.next_after(seq, 5.0).seq
    hub.unwatch()
    wait_for(lambda: hub._thread is None, timeout_s=10, what="the poller stopped")
    sim_recorder.ctl("start")  # the recorder moves on while nobody watches

    opened = time.time()
    after = hub.watch()
    first = hub.next_after(after, 1.0)
    assert first is not None and first.seq > seq, "numbers go on from the last snapshot"
    assert first.server_time >= opened and first.status["state"] == "recording"
    for _ in range(20):  # and the stream keeps flowing, not stuck behind an old number
        following = hub.next_after(first.seq, 1.0)
        assert following is not None and following.seq > first.seq
        first = following
    hub.unwatch()


def test_the_page_says_how_long_its_data_has_been_stale(logged_in_page, web_server):
    page = logged_in_page
    page.goto("/")
    page.wait_for_function("document.getElementById('state').dataset.state === 'idle'")
    assert page.locator("#stale").is_hidden()
    web_server.proc.send_signal(signal.SIGSTOP)  # the web process hangs: no more events
    try:
        stopped = time.monotonic()
        page.wait_for_selector("#stale", state="visible", timeout=10_000)
        shown_after_s = time.monotonic() - stopped
        page.wait_for_function(
            "/Данные устарели [3-9] с/.test(document.getElementById('stale').textContent)",
            timeout=10_000)
        text = page.locator("#stale").text_content()
    finally:
        web_server.proc.send_signal(signal.SIGCONT)
    assert 1.5 <= shown_after_s <= 4.0, shown_after_s  # > 2 s after the last event
    assert re.search(r"Данные устарели \d+ с", text)
    page.wait_for_selector("#stale", state="hidden", timeout=10_000)

