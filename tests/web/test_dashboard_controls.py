"""Dashboard follow-ups: the recorder's last refusal named in Russian, the LEDs, the simulated
examiner's button, the USB drive and its export, intro-check flags in the page language, and
controls that match what the recorder accepts in each state."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from appliance import config as config_mod
from appliance.contract.audit import read_audit
from appliance.contract.control import ControlServer
from appliance.contract.vocabulary import Action, State
from appliance.recorder.session import TABLE, transition
from appliance.webui import dashboard
from tests.feeds import wait_for

STATIC = Path(dashboard.__file__).parent / "static"


def post(client, path, body=None):
    return client.post(path, json=body or {}, headers={"X-CSRF-Token": client.csrf})


@pytest.fixture
def fake_recorder(web_config):
    """A real control socket whose handlers the test chooses (a recorder without GPIO
    simulation, or with a drive in a given state)."""
    servers = []

    def serve(handlers: dict) -> ControlServer:
        server = ControlServer(config_mod.load(web_config).recording.socket_path(), handlers)
        server.start()
        servers.append(server)
        return server

    yield serve
    for server in servers:
        server.close()


def audit_events(data_dir, event):
    return [entry.data for entry in read_audit(data_dir) if entry.event == event]


def test_refusals_name_the_command_in_russian():
    with pytest.raises(Exception) as refused:
        transition(State.PAUSED, Action.MARK, "split")
    assert str(refused.value) == "Команда «Следующий участник» невозможна: сейчас пауза"
    for action, name in ((Action.START, "Начать запись"), (Action.PAUSE, "Пауза"),
                         (Action.RESUME, "Продолжить"), (Action.STOP, "Завершить день")):
        with pytest.raises(Exception, match=f"«{name}»"):
            transition(State.STOPPED if action is not Action.START else State.RECORDING,
                       action, "split")


def test_last_refusal_shown_until_the_next_command(sim_recorder, web_authed_client):
    refused = post(web_authed_client, "/api/control/pause")
    assert refused.status_code == 409
    text = refused.json["error"]["text"]
    assert "«Пауза»" in text and "pause" not in text
    status = web_authed_client.get("/api/status").json
    assert status["last_refusal"]["command"] == "pause"
    assert "«Пауза»" in status["last_refusal"]["message"] and status["last_refusal"]["time"] > 0
    assert post(web_authed_client, "/api/control/start").status_code == 200
    assert web_authed_client.get("/api/status").json["last_refusal"] is None
    page = web_authed_client.get("/").get_data(as_text=True)
    assert 'id="last-refusal"' in page and 'id="led-red"' in page and 'id="led-green"' in page


def test_every_led_pattern_has_a_russian_name():
    from appliance import i18n
    from appliance.hardware.leds import PATTERNS
    for name in PATTERNS:
        assert re.search("[а-я]", i18n.text(f"led.{name}", "ru").lower())


def test_status_carries_the_leds_and_the_page_their_russian_names(sim_recorder,
                                                                   web_authed_client):
    leds = web_authed_client.get("/api/status").json["leds"]
    assert leds["pattern"] == "ready" and leds["green"] is True and leds["red"] is False
    page = web_authed_client.get("/").get_data(as_text=True)
    data = json.loads(re.search(r'<script id="dash-text" type="application/json">(.*?)</script>',
                                page, re.S).group(1))
    assert data["leds"]["ready"] == "Готов" and data["leds"]["export_running"].startswith(
        "Идёт выгрузка")


def test_simulated_button_presses_reach_the_recorder(sim_recorder, web_authed_client,
                                                     web_data_dir):
    assert web_authed_client.get("/api/button").json == {"ok": True, "simulated": True}
    assert "Кнопка экзаменатора (имитация)" in web_authed_client.get("/").get_data(as_text=True)
    press = post(web_authed_client, "/api/button/press")
    assert press.status_code == 200 and press.json["result"]["action"] == "press"
    wait_for(lambda: sim_recorder.status()["leds"]["pattern"] == "pressed", timeout_s=10,
             what="the press seen past the debounce time")
    assert post(web_authed_client, "/api/button/release").status_code == 200
    wait_for(lambda: sim_recorder.status()["state"] == "recording", timeout_s=10,
             what="a short press from idle starts the recording")
    assert [e["action"] for e in audit_events(web_data_dir, "simulated_button")] == [
        "press", "release"]
    assert post(web_authed_client, "/api/button/hold").status_code == 400


def test_button_of_a_recorder_without_simulation_is_refused(fake_recorder, web_authed_client):
    fake_recorder({"status": lambda: {"state": "idle"}})
    assert web_authed_client.get("/api/button").json == {"ok": True, "simulated": False}
    refused = post(web_authed_client, "/api/button/press")
    assert refused.status_code == 409
    assert refused.json["error"]["text"].startswith("Кнопка экзаменатора не имитируется")


def test_drive_state_and_export_refused_without_a_drive(sim_recorder, web_authed_client,
                                                        web_data_dir):
    drive = web_authed_client.get("/api/drive").json["drive"]
    assert drive["state"] == "absent"
    refused = post(web_authed_client, "/api/drive/export")
    assert refused.status_code == 409
    assert refused.json["error"]["text"] == "Выгрузка не начата: USB-накопитель не подключён"
    assert refused.json["error"]["hint"].startswith("Вставьте накопитель")
    assert audit_events(web_data_dir, "export_requested")[-1]["started"] is False
    assert "Выгрузить на USB-накопитель" in web_authed_client.get("/").get_data(as_text=True)


def test_export_started_on_a_mounted_drive_is_audited(fake_recorder, web_authed_client,
                                                      web_data_dir):
    drive = {"state": "mounted", "device": "/dev/sda1", "message": "", "progress": 0.0,
             "result": None}

    def export():  # DriveManager.start_export: only onto a mounted drive, one at a time
        started = drive["state"] == "mounted"
        if started:
            drive.update(state="exporting", progress=0.25)
        return {"started": started, **drive}

    fake_recorder({"drive": lambda: dict(drive), "export": export})
    reply = post(web_authed_client, "/api/drive/export")
    assert reply.status_code == 200 and reply.json["drive"]["state"] == "exporting"
    assert web_authed_client.get("/api/drive").json["drive"]["progress"] == 0.25
    (entry,) = audit_events(web_data_dir, "export_requested")
    assert entry["started"] is True and entry["device"] == "/dev/sda1"
    assert post(web_authed_client, "/api/drive/export").json["error"]["text"] == (
        "Выгрузка уже идёт")


def test_flags_are_sent_in_the_page_language_without_touching_the_snapshot():
    flag = {"code": "no_speech_at_start", "params": {"limit_s": 30.0}, "message": "Нет речи …"}
    status = {"participant": {"flagged": [{"participant": 2, "part": 1, "frame": 0,
                                           "flags": [flag]}],
                              "current": {"participant": 3, "flags": [flag]}}}
    english = dashboard._with_flag_texts(status, "en")
    assert english["participant"]["current"]["flags"][0]["message"].startswith(
        "No speech in the first 30 s")
    assert english["participant"]["flagged"][0]["flags"][0]["message"].startswith("No speech")
    assert status["participant"]["current"]["flags"][0]["message"] == "Нет речи …"
    russian = dashboard._with_flag_texts(status, "ru")
    assert russian["participant"]["current"]["flags"][0]["message"].startswith(
        "Нет речи в первые 30 с")
    quiet = {"participant": {"flagged": [], "current": None}}
    assert dashboard._with_flag_texts(quiet, "en") is quiet


def test_dashboard_allows_exactly_what_the_recorder_accepts():
    source = (STATIC / "dashboard.js").read_text()
    table = re.search(r"const ALLOWED = (\{.*?\});", source, re.S).group(1)
    allowed = json.loads(re.sub(r"(\w+):", r'"\1":', table))
    accepted = {state.value: sorted({action.value for (s, action, _) in TABLE if s is state})
                for state in State}
    assert {state: sorted(actions) for state, actions in allowed.items()} == accepted
