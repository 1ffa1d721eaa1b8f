"""The recorder writes the day folder's list and «незачет» marks for the participants page
(`save_roster`, `set_nezachet`): it checks what it is sent, and a page that may not write the
recordings (the image's web user; here a mount namespace where they are read-only) still saves.
"""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest

from appliance.contract import layout
from appliance.errors import ApplianceError
from appliance.journal import Event, Journal
from appliance.participants import results
from appliance.participants import roster as roster_mod
from tests.webfixtures import HttpSession, WebProcess, set_password

DATE = "2027-02-10"
ONE = [{"number": 1, "name": "Иванов Иван Иванович", "class": "9А"}]


def refusal(recorder, cmd: str, **args) -> str:
    with pytest.raises(ApplianceError) as caught:
        recorder.client.call(cmd, **args)
    return caught.value.code


def record_day(data_dir) -> None:
    day_dir = layout.day_dir(data_dir, dt.date.fromisoformat(DATE))
    day_dir.mkdir(parents=True, exist_ok=True)
    with Journal(day_dir / "journal.jsonl") as journal:
        journal.append(Event.DAY_OPENED, date=DATE, region="64", msu="01", school="640101",
                       room="0005", naming="cyrillic")


def test_the_recorder_checks_what_the_page_sends(sim_recorder, web_data_dir):
    for date in ("../../etc", "2027-02-10/../x", "20270210", "2027-W06-3", 20270210, ""):
        assert refusal(sim_recorder, "save_roster", date=date, participants=ONE) == "day.bad_date"
    lists = {"roster.bad_entry": ["x", {"a": 1}, [{"number": 1}] * 1000, [["x"]]],
             "roster.name_too_long": [[{"number": 1, "name": "Я" * 201}]],
             "roster.class_too_long": [[{"number": 1, "name": "Я", "class": "9" * 21}]],
             "roster.duplicate": [ONE * 2],
             "roster.bad_number": [[{"number": 1000, "name": "Я"}]]}
    for code, cases in lists.items():
        for participants in cases:
            assert refusal(sim_recorder, "save_roster", date=DATE,
                           participants=participants) == code, participants
    assert refusal(sim_recorder, "save_roster", date=DATE, participants=ONE,
                   path="/etc") == "control.internal"  # no other arguments are taken
    recordings = web_data_dir / "recordings"
    assert not recordings.exists() or list(recordings.iterdir()) == [], "nothing written"

    assert sim_recorder.client.call("save_roster", date=DATE, participants=ONE) == {"count": 1}
    day_dir = recordings / DATE
    assert roster_mod.load(day_dir).participants[0].name == "Иванов Иван Иванович"

    assert refusal(sim_recorder, "set_nezachet", date=DATE, participant=1,
                   nezachet=True) == "part.no_recording"
    record_day(web_data_dir)
    for participant, nezachet, code in ((True, True, "roster.bad_number"),
                                        ("1", True, "roster.bad_number"),
                                        (0, True, "roster.bad_number"),
                                        (1, "да", "part.bad_mark"), (1, 1, "part.bad_mark"),
                                        (2, True, "roster.unknown")):
        assert refusal(sim_recorder, "set_nezachet", date=DATE, participant=participant,
                       nezachet=nezachet) == code, (participant, nezachet)
    assert not (day_dir / results.RESULTS_NAME).exists()
    assert sim_recorder.client.call("set_nezachet", date=DATE, participant=1,
                                    nezachet=True) == {"nezachet": [1]}
    assert results.load(day_dir) == {1}


def test_a_page_that_cannot_write_the_recordings_saves_through_the_recorder(
        sim_recorder, web_config, web_data_dir):
    """The served page runs in its own mount namespace with the recordings read-only (as the
    image's web user may only read them): the list and the marks are still saved, by the
    recorder; with the recorder stopped the page says so in Russian and nothing changes."""
    recordings = web_data_dir / "recordings"
    recordings.mkdir(exist_ok=True)
    record_day(web_data_dir)
    set_password(web_config)
    read_only = ("unshare", "--mount", "--propagation", "private", "sh", "-c",
                 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" "$0" && exec "$@"',
                 str(recordings))
    web = WebProcess(web_config, wrapper=read_only).start()
    try:
        with open(f"/proc/{web.proc.pid}/mountinfo", encoding="utf-8") as info:
            assert any(line.split()[4] == str(recordings) and "ro" in line.split()[5].split(",")
                       for line in info), "the page's process sees the recordings read-only"
        session = HttpSession(web.url).login()
        listing = "1;Иванов Иван Иванович;9А\n2;Петрова Анна Сергеевна;9Б\n".encode()
        status, reply = session.call(f"/api/participants/import?date={DATE}", {
            "filename": "ИС-01.csv", "data_b64": base64.b64encode(listing).decode()})
        assert (status, reply["message"]) == (200, "Загружено участников: 2"), reply
        day_dir = recordings / DATE
        assert [p.number for p in roster_mod.load(day_dir).ordered()] == [1, 2]
        status, reply = session.call(f"/api/participants/result?date={DATE}",
                                     {"participant": 2, "nezachet": True})
        assert (status, reply["nezachet"]) == (200, [2]), reply
        assert json.loads((day_dir / results.RESULTS_NAME).read_text())["nezachet"] == [2]

        sim_recorder.terminate()
        before = sorted((p.name, p.read_bytes()) for p in day_dir.iterdir())
        status, reply = session.call(f"/api/participants/roster?date={DATE}",
                                     {"participants": ONE})
        assert status == 503 and reply["error"]["text"].startswith(
            "Регистратор не запущен, а список и отметки «незачет» записывает он: изменения не "
            "сохранены"), reply
        status, reply = session.call(f"/api/participants/result?date={DATE}",
                                     {"participant": 2, "nezachet": False})
        assert status == 503 and reply["error"]["text"].startswith("Регистратор не запущен")
        assert sorted((p.name, p.read_bytes()) for p in day_dir.iterdir()) == before
    finally:
        web.terminate()
