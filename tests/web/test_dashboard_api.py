"""Dashboard API against a real simulated recorder: status with hours left, controls and their
Russian refusals, and the server-sent level events of a real `appliance web` process."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import pytest

from appliance.contract.status import Status
from tests.webfixtures import HttpSession


@pytest.fixture
def recorder_client(sim_recorder, web_authed_client):
    return web_authed_client


def post(client, path, body=None):
    return client.post(path, json=body or {}, headers={"X-CSRF-Token": client.csrf})


def hours_left(status: dict) -> float | None:
    return Status.from_json(status).recording_hours_left()


def test_hours_left_is_free_bytes_over_the_byte_rate():
    status = {"free_bytes": 2 * 48000 * 2 * 3600 * 5, "rate_hz": 48000, "channels": 2}
    assert hours_left(status) == 5.0
    assert hours_left({"free_bytes": None, "rate_hz": 48000, "channels": 1}) is None


def test_status_and_controls_through_the_recorder(recorder_client, sim_recorder):
    status = recorder_client.get("/api/status").json
    assert status["ok"] and status["state"] == "idle"
    assert status["hours_left"] == hours_left(sim_recorder.status())
    refused = post(recorder_client, "/api/control/pause")
    assert refused.status_code == 409 and refused.json["ok"] is False
    assert any("а" <= ch <= "я" for ch in refused.json["error"]["text"].lower())
    assert post(recorder_client, "/api/control/start").json["result"]["state"] == "recording"
    mark = post(recorder_client, "/api/control/mark", {"label": "Участник 3"}).json
    assert mark["result"]["marker"]["label"] == "Участник 3"
    assert post(recorder_client, "/api/control/stop").json["result"]["state"] == "stopped"
    assert post(recorder_client, "/api/control/format").status_code == 400
    too_long = post(recorder_client, "/api/control/mark", {"label": "x" * 201})
    assert too_long.status_code == 400 and "200" in too_long.json["error"]["text"]


def test_recorder_down_is_reported_in_russian(web_authed_client):
    reply = web_authed_client.get("/api/status")
    assert reply.status_code == 503
    assert reply.json["error"]["text"].startswith("Регистратор не отвечает")


def test_level_events_stream_fresh_levels(web_server, sim_recorder):
    """The stream carries every new reading in order (its rate and latency are measured by
    benchmarks/bench_web.py, not asserted here)."""
    page = HttpSession(web_server.url).login()
    request = urllib.request.Request(web_server.url + "/api/events")
    events = []
    with page.opener.open(request, timeout=10) as stream:
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        while len({e["status"]["levels_time"] for e in events}) < 10:
            line = stream.readline()
            if line.startswith(b"data: "):
                events.append(json.loads(line[6:]))
    last = events[-1]
    assert last["ok"] and last["status"]["state"] == "idle"
    assert last["status"]["levels"]["peak_dbfs"] and last["status"]["levels_time"] > 0
    assert [e["seq"] for e in events] == sorted({e["seq"] for e in events})
    assert all(e["server_time"] >= e["status"]["levels_time"] for e in events)
    # without a session the stream is refused
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(web_server.url + "/api/events", timeout=5)
    assert refused.value.code == 401
    refused.value.close()


def test_open_streams_are_capped_so_pages_stay_served(web_process):
    from appliance.webui.dashboard import MAX_STREAMS
    from tests.webfixtures import set_password
    set_password(web_process.config_path)
    web = web_process.start()
    page = HttpSession(web.url).login()
    streams = []
    try:
        for _ in range(MAX_STREAMS):
            stream = page.opener.open(web.url + "/api/events", timeout=10)
            streams.append(stream)
            while not stream.readline().startswith(b"data: "):
                pass  # this stream is being served
        status, reply = page.call("/api/events")
        assert status == 503 and reply["error"]["text"].startswith("Слишком много")
        assert page.call("/api/session")[0] == 200  # the page itself still answers
    finally:
        for stream in streams:
            stream.close()


def test_logout_closes_the_event_stream(web_process):
    from tests.webfixtures import set_password
    set_password(web_process.config_path)
    web = web_process.start()
    page = HttpSession(web.url).login()
    with page.opener.open(web.url + "/api/events", timeout=10) as stream:
        while not stream.readline().startswith(b"data: "):
            pass
        assert page.call("/logout", {})[0] == 200
        deadline = time.monotonic() + 5
        while stream.readline():  # the server ends the stream: readline() gives b""
            assert time.monotonic() < deadline, "stream still open after logout"


def test_dashboard_is_russian_first_and_english_on_request(web_authed_client):
    page = web_authed_client.get("/").get_data(as_text=True)
    assert '<html lang="ru">' in page and "Начать запись" in page and "Завершить день" in page
    web_authed_client.get("/lang/en?next=/")
    page = web_authed_client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in page and ">Start<" in page and "Stop today" in page
    assert web_authed_client.get("/api/status").json["error"]["text"].startswith(
        "The recorder does not answer")
