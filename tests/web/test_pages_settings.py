"""Settings through the real app: validation messages per field, nothing written on error,
atomic save with an audit line, the exact file-name preview, devices and clock from a real
recorder."""

from __future__ import annotations

import datetime as dt
import time

from appliance import config as config_mod
from tests.web.pages_helpers import audit_lines

pytest_plugins = ["tests.web.pages_fixtures"]


GOOD = {"site.region": "63", "site.msu": "02", "site.school": "630202", "site.room": "0012",
        "recording.naming": "ascii", "recording.pause_mode": "continue",
        "audio.device": "examfeed", "audio.rate": "44100"}


def post(client, url, body):
    return client.post(url, json=body, headers={"X-CSRF-Token": client.csrf_token})


def test_settings_page_shows_the_current_values(page_client):
    page = page_client.get("/settings").get_data(as_text=True)
    for value in ("640101", "0005", 'value="64"', "examfeed"):
        assert value in page


def test_preview_gives_the_exact_file_name_for_the_typed_values(page_client):
    today = dt.date.today().isoformat()
    reply = page_client.get("/api/settings/preview", query_string={
        "site.school": "630202", "site.room": "0012", "recording.naming": "cyrillic"}).get_json()
    assert reply["file"] == f"{today}_ОО-630202_ауд-0012_часть-1.wav" and reply["fields"] == {}
    reply = page_client.get("/api/settings/preview", query_string={
        "recording.naming": "ascii"}).get_json()  # the saved codes fill what is not typed
    assert reply["file"] == f"{today}_OO-640101_room-0005_part-1.wav"
    reply = page_client.get("/api/settings/preview", query_string={"site.school": "64010"})
    body = reply.get_json()
    assert body["file"] is None
    assert body["fields"]["site.school"] == ("Код ОО: нужно ровно 6 цифр, например 640101; "
                                             "введено «64010»")


def test_a_bad_school_code_is_explained_and_nothing_is_saved(page_client, site_config,
                                                               data_dir):
    before = site_config.read_bytes()
    reply = post(page_client, "/api/settings", {**GOOD, "site.school": "64-01"})
    assert reply.status_code == 400
    body = reply.get_json()
    assert body["ok"] is False and set(body["fields"]) == {"site.school"}
    assert "ровно 6 цифр" in body["fields"]["site.school"]
    assert body["error"]["text"].startswith("Настройки не сохранены")
    assert site_config.read_bytes() == before
    assert not audit_lines(data_dir, "settings_changed")


def test_every_field_gets_its_own_message(page_client, site_config):
    before = site_config.read_bytes()
    reply = post(page_client, "/api/settings", {
        "site.region": "", "site.msu": "1", "site.room": "５５５５", "recording.naming": "latin",
        "recording.pause_mode": "split", "audio.device": "", "audio.rate": "fast"})
    fields = reply.get_json()["fields"]
    assert fields == {
        "site.region": "Код региона: заполните поле",
        "site.msu": "Код МСУ: нужно ровно 2 цифры, например 01; введено «1»",
        "site.room": "Номер аудитории: нужно ровно 4 цифры, например 0005; введено «５５５５»",
        "recording.naming": "Имена файлов: выберите одно из предложенных значений",
        "audio.device": "Микрофон: заполните поле",
        "audio.rate": "Частота дискретизации, Гц: нужно целое число; введено «fast»",
    }
    reply = post(page_client, "/api/settings", {"audio.rate": "1000"})
    assert reply.get_json()["fields"]["audio.rate"].startswith(
        "Частота дискретизации, Гц: нужно число от 8000 до 96000")
    reply = post(page_client, "/api/settings", {"audio.rate": "12345"})
    assert reply.get_json()["fields"]["audio.rate"] == \
        "Частота дискретизации, Гц: выберите одно из предложенных значений"
    assert site_config.read_bytes() == before


def test_good_settings_are_saved_atomically_and_audited(page_client, site_config, data_dir):
    reply = post(page_client, "/api/settings", GOOD)
    assert reply.status_code == 200 and reply.get_json()["ok"]
    assert reply.get_json()["message"].startswith("Настройки сохранены. Регистратор сейчас не")
    assert reply.get_json()["applied"] is False  # no recorder on this box
    saved = config_mod.load(site_config)
    assert (saved.site.region, saved.site.msu, saved.site.school, saved.site.room) == \
        ("63", "02", "630202", "0012")
    assert (saved.recording.naming, saved.recording.pause_mode) == ("ascii", "continue")
    assert (saved.audio.device, saved.audio.rate) == ("examfeed", 44100)
    assert saved.checks.test_duration_s == 4.0  # settings the page does not show are kept
    [entry] = audit_lines(data_dir, "settings_changed")
    assert entry.data["changes"]["site.school"] == ["640101", "630202"]
    assert "audio.device" not in entry.data["changes"]  # unchanged values are not logged
    assert not list(site_config.parent.glob(".*tmp*"))  # no temporary file left
    page = page_client.get("/settings").get_data(as_text=True)
    assert 'value="630202"' in page  # the page re-reads what was saved
    again = post(page_client, "/api/settings", GOOD).get_json()
    assert again["changed"] == {}


def test_state_changes_need_the_csrf_token(page_client, site_config):
    before = site_config.read_bytes()
    assert page_client.post("/api/settings", json=GOOD).status_code == 403
    assert page_client.post("/api/clock", json={"epoch_s": time.time()}).status_code == 403
    assert site_config.read_bytes() == before


def test_devices_come_from_the_recorders_portaudio(recorder_client):
    page = recorder_client.get("/settings").get_data(as_text=True)
    assert "<option value=\"examfeed\"" in page  # the ALSA file device PortAudio lists


def test_devices_unavailable_is_said_next_to_the_field(page_client):
    page = page_client.get("/settings").get_data(as_text=True)
    assert "Список микрофонов недоступен" in page and "Регистратор не отвечает" in page


def test_clock_is_set_from_the_browsers_time(recorder_client, live_recorder):
    ahead = time.time() + 3 * 86400
    reply = post(recorder_client, "/api/clock", {"epoch_s": ahead})
    assert reply.status_code == 200, reply.data
    clock = reply.get_json()["clock"]
    assert clock["source"] == "browser" and clock["ok"] is True
    shown = dt.datetime.fromisoformat(clock["now"]).timestamp()
    assert abs(shown - ahead) < 5
    status = recorder_client.get("/api/clock").get_json()["clock"]
    assert status["source"] == "browser"
    assert abs(dt.datetime.fromisoformat(status["now"]).timestamp() - time.time() - 3 * 86400) < 5
    reply = post(recorder_client, "/api/clock", {"epoch_s": "soon"})
    assert reply.status_code == 400
