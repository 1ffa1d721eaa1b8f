"""The test-recording wizard through the real app and a real recorder: both seats, every
reason's fields, the overall verdict, and the recording served for playback."""

from __future__ import annotations

import wave

from appliance.recorder.soundtest import judge_files
from tests.web.pages_helpers import wav_params

pytest_plugins = ["tests.web.pages_fixtures"]


STATUS_TEXT = {"pass": "годно", "warn": "годно с замечаниями", "fail": "не годно"}
REASON_FIELDS = {"code", "severity", "value", "threshold", "unit", "message", "hint"}


def post(client, url, body=None):
    return client.post(url, json=body or {}, headers={"X-CSRF-Token": client.csrf_token})


def judged_here(live_recorder, seat: str, names: dict[str, str]) -> dict:
    """The sound check's result for the recorded files themselves, worked out in this test
    (what the page must show: the simulated voice's phrases fall differently in each take)."""
    tests_dir = live_recorder.config.data_dir / "tests"
    files = {name_seat: str(tests_dir / name) for name_seat, name in names.items()}
    return judge_files(seat, files, live_recorder.config.checks)


def check_verdict(verdict: dict, expected: dict) -> None:
    assert verdict == expected
    assert verdict["status_text"] == STATUS_TEXT[verdict["status"]]
    for reason in verdict["reasons"]:
        assert REASON_FIELDS <= set(reason), reason
        assert reason["message"] and reason["hint"]


def test_two_steps_give_verdicts_and_playable_recordings(recorder_client, live_recorder):
    first = post(recorder_client, "/api/test/participant")
    assert first.status_code == 200, first.data
    body = first.get_json()
    assert body["seat"] == "participant" and body["overall"] is None
    expected = judged_here(live_recorder, "participant", {"participant": body["name"]})
    check_verdict(body["verdict"], expected["verdict"])
    second = post(recorder_client, "/api/test/examiner").get_json()
    assert second["seat"] == "examiner"
    expected = judged_here(live_recorder, "examiner", {"participant": body["name"],
                                                       "examiner": second["name"]})
    check_verdict(second["verdict"], expected["verdict"])
    check_verdict(second["overall"], expected["overall"])
    assert second["overall"]["steps"].keys() == {"participant", "examiner"}

    tests_dir = live_recorder.config.data_dir / "tests"
    for name in (body["name"], second["name"]):
        audio = recorder_client.get(f"/test/audio/{name}")
        assert audio.status_code == 200 and audio.mimetype == "audio/wav"
        assert audio.data == (tests_dir / name).read_bytes()
        rate_hz, channels, frames = wav_params(tests_dir / name)
        assert frames == 2 * rate_hz  # half of the configured 4 s test
        peaks = recorder_client.get(f"/api/test/peaks/{name}").get_json()
        assert peaks["frames"] == frames and max(peaks["peaks"]) > 0
    page = recorder_client.get("/test").get_data(as_text=True)
    assert body["name"] in page and "по 2 с с каждого места" in page


def test_test_audio_supports_range_requests(recorder_client, live_recorder):
    name = post(recorder_client, "/api/test/participant").get_json()["name"]
    path = live_recorder.config.data_dir / "tests" / name
    reply = recorder_client.get(f"/test/audio/{name}", headers={"Range": "bytes=0-43"})
    assert reply.status_code == 206 and reply.data == path.read_bytes()[:44]
    with wave.open(str(path)) as w:
        assert w.getsampwidth() == 2


def test_an_unknown_seat_is_refused_with_a_message(recorder_client):
    reply = post(recorder_client, "/api/test/window")
    assert reply.status_code == 409
    assert reply.get_json()["error"]["code"] == "tst.bad_seat"


def test_without_a_recorder_the_wizard_says_so(page_client):
    reply = post(page_client, "/api/test/participant")
    assert reply.status_code == 503
    assert "Регистратор не отвечает" in reply.get_json()["error"]["text"]


def test_before_any_test_the_dashboard_says_none_was_run_and_the_page_restores_nothing(
        page_client):
    page = page_client.get("/").get_data(as_text=True)
    assert "Проверка звука сегодня не проводилась" in page
    reply = page_client.get("/api/test/last").get_json()
    assert reply == {"ok": True, "last": None, "recent": []}


def test_a_new_participant_step_starts_a_new_test(recorder_client):
    """Each test is its two steps: a participant step never gets an overall verdict made with
    an earlier test's examiner, and the page after a reload shows only this test's steps."""
    post(recorder_client, "/api/test/participant")
    post(recorder_client, "/api/test/examiner")
    again = post(recorder_client, "/api/test/participant").get_json()
    assert again["overall"] is None
    last = recorder_client.get("/api/test/last").get_json()["last"]
    assert last["overall"] is None
    assert {seat: step["name"] for seat, step in last["steps"].items()} == {
        "participant": again["name"]}
    closing = post(recorder_client, "/api/test/examiner").get_json()
    last = recorder_client.get("/api/test/last").get_json()["last"]
    assert {seat: step["name"] for seat, step in last["steps"].items()} == {
        "participant": again["name"], "examiner": closing["name"]}
    assert last["overall"]["status"] == closing["overall"]["status"]
