"""The pairing key and signatures, the rows of «Все аудитории», and the page's routes (Flask
test client, no LAN)."""

from __future__ import annotations

import datetime as dt
import json
import stat
import time

import pytest

from appliance import config as config_mod
from appliance.contract.soundtest_files import recording_path, save_result
from appliance.errors import ConfigError
from appliance.school import trust
from appliance.school.lan import Announcement, Found
from appliance.school.peers import SUMMARY_PATH, Known
from appliance.school.summary import local_summary
from appliance.school.table import format_table, peer_row, school_rows, summary_row
from tests.recorder_process import write_config

PASSPHRASE = "школа-640101-собеседование"


def test_the_same_passphrase_gives_the_same_key_only_in_the_same_school():
    key = trust.derive_key(PASSPHRASE, "640101")
    assert len(key) == 32 and key == trust.derive_key(PASSPHRASE, "640101")
    assert key != trust.derive_key(PASSPHRASE, "640102")
    assert key != trust.derive_key(PASSPHRASE + "!", "640101")
    with pytest.raises(ConfigError, match="короче 12 символов"):
        trust.derive_key("короткий", "640101")
    with pytest.raises(ConfigError, match="код ОО"):
        trust.derive_key(PASSPHRASE, "")


def test_signed_requests_pass_once_and_fresh_only():
    key, other = trust.derive_key(PASSPHRASE, "640101"), trust.derive_key(PASSPHRASE, "640102")
    checker = trust.RequestChecker()
    headers = trust.request_headers(key, "box1", SUMMARY_PATH)
    assert not checker.check(other, SUMMARY_PATH, headers)
    assert not checker.check(key, "/api/other", headers)
    assert checker.check(key, SUMMARY_PATH, headers)
    assert not checker.check(key, SUMMARY_PATH, headers), "a replay must be refused"
    for field, value in ((trust.HEADER_BOX, "box2"), (trust.HEADER_TIME, "1.0"),
                         (trust.HEADER_NONCE, "00")):
        tampered = {**trust.request_headers(key, "box1", SUMMARY_PATH), field: value}
        assert not checker.check(key, SUMMARY_PATH, tampered), field
    old = trust.request_headers(key, "box1", SUMMARY_PATH, now=time.time() - 301)
    assert not checker.check(key, SUMMARY_PATH, old)
    body = b'{"room": "0002"}'
    signature = trust.reply_signature(key, "n1", body)
    assert trust.reply_valid(key, "n1", body, signature)
    assert not trust.reply_valid(key, "n2", body, signature)
    assert not trust.reply_valid(key, "n1", body + b" ", signature)
    assert not trust.reply_valid(other, "n1", body, signature)


def test_key_is_kept_private_and_for_its_school(tmp_path):
    key = trust.derive_key(PASSPHRASE, "640101")
    trust.save_key(tmp_path, key, "640101")
    path = tmp_path / trust.PAIRING_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert trust.load_key(tmp_path, "640101") == key
    assert trust.load_key(tmp_path, "640102") is None
    trust.forget_key(tmp_path)
    assert trust.load_key(tmp_path, "640101") is None
    assert trust.box_id(tmp_path) == trust.box_id(tmp_path)


SUMMARY = {"box_id": "b2", "room": "0002", "state": "recording", "elapsed_s": 3725.0,
           "hours_left": 12.5, "alarms": [{"code": "silence", "message": "Тишина 10 с"}],
           "last_test": {"status": "pass", "text": "годно", "at": "2026-12-05T07:41:09",
                         "seats": ["examiner", "participant"]},
           "mirror": {"state": "ok", "ok": True, "text": "пишется"}, "time": 0.0}
EXAM_DAY = dt.date(2026, 12, 5)


def known(summary, last_ok_at, refused=False, diff=0.3) -> Known:
    found = Found(Announcement("b2", "640101", "0002", 8080), ["10.0.0.2"])
    return Known(found, summary=summary, clock_diff_s=diff, refused=refused,
                 last_ok_at=last_ok_at, first_seen_at=100.0, address="10.0.0.2")


def test_rows_say_state_alarms_disk_test_mirror_and_clock():
    row = summary_row(SUMMARY, 2.4, EXAM_DAY, "ru")
    assert row["state_text"] == "идёт запись" and row["elapsed_text"] == "1:02:05"
    assert row["alarms"] == ["Тишина 10 с"] and row["disk_text"] == "12.5 ч"
    assert row["test_text"] == "годно, 07:41" and row["mirror_text"] == "пишется"
    assert row["clock_off"] and row["clock_text"] == "+2.4 с — расходятся часы!"
    within = summary_row({**SUMMARY, "last_test": None, "mirror": None}, -1.9, EXAM_DAY, "ru")
    assert not within["clock_off"] and within["clock_text"] == "-1.9 с"
    assert within["test_text"] == within["mirror_text"] == "—"


def test_a_silent_box_counts_seconds_and_a_refused_one_says_so():
    assert peer_row(known(SUMMARY, 200.0), 201.0, "ru")["link"] == "ok"
    silent = peer_row(known(SUMMARY, 200.0), 215.4, "ru")
    assert silent["link"] == "no_link" and silent["state_text"] == "нет связи 15 с"
    assert silent["alarms"] == [] and silent["url"] == "http://10.0.0.2:8080/"
    never = peer_row(known(None, None), 130.0, "ru")
    assert never["state_text"] == "нет связи 30 с"
    refused = peer_row(known(None, None, refused=True), 130.0, "ru")
    assert refused["link"] == "not_paired"


def test_terminal_table():
    own = {**SUMMARY, "box_id": "b1", "room": "0001", "alarms": [], "state": "idle",
           "elapsed_s": 0.0}
    text = format_table(school_rows(own, [known(SUMMARY, 200.0, diff=5.0)], 200.5, "ru"), "ru")
    head, first, second = text.splitlines()
    assert head.split()[:3] == ["Аудитория", "Состояние", "Предупреждения"]
    assert first.startswith("0001 (этот регистратор)") and "нет" in first
    assert "идёт запись 1:02:05" in second and "Тишина 10 с" in second
    assert second.rstrip().endswith("+5.0 с — расходятся часы!")


def judged_step(folder, when: dt.datetime, seat: str, status: str, text: str,
                overall: tuple[str, str] | None = None, first: dt.datetime | None = None):
    """A test step as the recorder leaves it: the recording and its verdict beside it (the
    examiner's step names the participant's, recorded at `first`)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = recording_path(folder, seat, when)
    path.write_bytes(b"")
    files = {seat: str(path)}
    if first:
        files["participant"] = str(recording_path(folder, "participant", first))
    save_result(path.with_suffix(".json"), {
        "seat": seat, "file": str(path), "files": files,
        "verdict": {"status": status, "status_text": text, "reasons": []},
        "overall": {"status": overall[0], "status_text": overall[1], "reasons": []}
        if overall else None})


def own_row(config, status: dict | None, now: float) -> dict:
    return school_rows(local_summary(config, "b1", status), [], now, "ru")[0]


def test_the_last_test_column_reads_the_saved_verdicts(tmp_path):
    """Nothing judged: «—»; the first seat alone; both seats (a fail flagged); a day later
    with its date; and the same when the recorder does not answer."""
    config = config_mod.load(write_config(tmp_path / "a.toml", tmp_path / "data"))
    folder, idle = config.data_dir / "tests", {"state": "idle", "alarms": []}
    assert own_row(config, idle, time.time())["test_text"] == "—"
    morning = dt.datetime(2026, 12, 5, 8, 12, 3)
    judged_step(folder, morning, "participant", "pass", "годно")
    now = morning.timestamp() + 60
    row = own_row(config, idle, now)
    assert row["test_text"] == "годно, 08:12 (только место участника)"
    assert row["test_status"] == "pass" and not row["test_flagged"]
    judged_step(folder, morning + dt.timedelta(seconds=40), "examiner", "warn",
                "годно с замечаниями", overall=("fail", "не годно"), first=morning)
    row = own_row(config, idle, now)
    assert row["test_text"] == "не годно, 08:12" and row["test_flagged"]
    assert format_table([row], "ru").splitlines()[1].count("! не годно, 08:12") == 1
    assert own_row(config, idle, now + 86400)["test_text"] == "не годно, 05.12 08:12"
    assert own_row(config, None, now)["test_text"] == "не годно, 08:12"


@pytest.mark.parametrize(("state", "ok", "text"), [
    ("off", True, "выключена"), ("ok", True, "пишется"),
    ("catching_up", True, "догоняет: 2 части"), ("failed", False, "не пишется: нет носителя")])
def test_the_mirror_column_for_each_state(tmp_path, state, ok, text):
    """As the recorder's status says it; a failing mirror flagged as an alarm is."""
    config = config_mod.load(write_config(tmp_path / "a.toml", tmp_path / "data"))
    status = {"state": "idle", "alarms": [],
              "mirror": {"state": state, "ok": ok, "text": text, "path": "/media/mirror"}}
    row = own_row(config, status, time.time())
    assert row["mirror_text"] == text and row["mirror_state"] == state
    assert row["mirror_flagged"] is (state == "failed")
    line = format_table([row], "ru").splitlines()[1]
    assert (f"! {text}" in line) is (state == "failed") and text in line


def test_a_status_without_a_mirror_shows_a_dash(tmp_path):
    config = config_mod.load(write_config(tmp_path / "a.toml", tmp_path / "data"))
    row = own_row(config, {"state": "idle", "alarms": []}, time.time())
    assert row["mirror_text"] == "—" and row["mirror_state"] is None
    assert not row["mirror_flagged"]
    assert own_row(config, None, time.time())["mirror_text"] == "—"


# ----- the routes, through the Flask test client ----------------------------------------------
def test_summary_answers_only_signed_requests(web_app, web_client, web_data_dir):
    judged_step(web_data_dir / "tests", dt.datetime.now(), "participant", "pass", "годно")
    assert web_client.get(SUMMARY_PATH).status_code == 403  # not paired at all
    key = trust.derive_key(PASSPHRASE, "640101")
    trust.save_key(web_data_dir, key, "640101")
    assert web_client.get(SUMMARY_PATH).status_code == 403  # paired, but unsigned
    headers = trust.request_headers(key, "other-box", SUMMARY_PATH)
    reply = web_client.get(SUMMARY_PATH, headers=headers)
    assert reply.status_code == 200
    assert trust.reply_valid(key, headers[trust.HEADER_NONCE], reply.get_data(),
                             reply.headers[trust.HEADER_SIGNATURE])
    summary = json.loads(reply.get_data())
    assert summary["room"] == "0005" and summary["state"] == "unknown"  # no recorder running
    assert "Регистратор не отвечает" in summary["alarms"][0]["message"]
    assert summary["last_test"]["status"] == "pass" and summary["last_test"]["seats"] == [
        "participant"]  # read from the disk, with or without the recorder
    assert summary["mirror"] is None
    assert web_client.get(SUMMARY_PATH, headers=headers).status_code == 403  # replay


def test_pairing_on_the_page(web_authed_client, web_data_dir):
    client = web_authed_client
    csrf = {"X-CSRF-Token": client.csrf}
    assert client.get("/api/school").json["paired"] is False
    reply = client.post("/api/school/pair", json={"passphrase": "мало"}, headers=csrf)
    assert reply.status_code == 400 and "короче 12" in reply.json["error"]["text"]
    reply = client.post("/api/school/pair", json={"passphrase": PASSPHRASE}, headers=csrf)
    assert reply.status_code == 200
    page = client.get("/api/school").json
    assert page["paired"] and page["key_id"] == reply.json["key_id"]
    assert [row["room"] for row in page["rows"]] == ["0005"] and page["rows"][0]["own"]
    audit = (web_data_dir / "audit" / "journal.jsonl").read_text()
    assert "school_paired" in audit and PASSPHRASE not in audit
    assert PASSPHRASE not in (web_data_dir / trust.PAIRING_FILE).read_text()
    assert client.post("/api/school/unpair", headers=csrf).status_code == 200
    assert client.get("/api/school").json["paired"] is False
    html = client.get("/school").get_data(as_text=True)
    assert "Все аудитории" in html and "<script>" not in html and "school.js" in html


def test_the_page_starts_without_mdns(web_app, web_authed_client, monkeypatch, caplog):
    """Where the interface list or multicast is refused (a service without AF_NETLINK), the
    page runs on, saying that finding other boxes is off."""
    from appliance.webui import school

    def refused(*args, **kwargs):
        raise OSError(97, "Address family not supported by protocol")
    monkeypatch.setattr(school, "SchoolLan", refused)
    school.start_lan(web_app)
    assert "mDNS announce and discovery not started" in caplog.text
    reply = web_authed_client.get("/api/school").json
    assert reply["lan"] is False and [row["room"] for row in reply["rows"]] == ["0005"]


def test_rows_in_english():
    row = peer_row(known(SUMMARY, 200.0, diff=-3.0), 201.0, "en")
    assert row["state_text"] == "recording" and row["disk_text"] == "12.5 h"
    assert row["clock_text"] == "-3.0 s — clocks differ!"
    assert peer_row(known(SUMMARY, 200.0), 260.0, "en")["state_text"] == \
        "no connection for 60 s"
