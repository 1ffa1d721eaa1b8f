"""The Retention page: days with their keep-until dates, the purge of past-date days behind a
typed «УДАЛИТЬ», the act of destruction to download, the acts listed, every step audited, and
the day the running recorder has open never deleted."""

from __future__ import annotations

import datetime as dt

import pytest

from appliance.contract.audit import audit_path, read_audit
from appliance.journal import verify_chain
from tests.export.export_daybuilder import PartSpec, build_day

TODAY = dt.date.today()
OLD = TODAY.replace(year=TODAY.year - 2, day=min(TODAY.day, 28))  # kept until 1 March last year
RECENT = TODAY - dt.timedelta(days=30)  # kept until 1 March after it: not yet


def post(client, path, body=None):
    return client.post(path, json=body or {}, headers={"X-CSRF-Token": client.csrf})


@pytest.fixture
def days(web_data_dir):
    old = build_day(web_data_dir, [PartSpec(3.0, [1.0]), PartSpec(2.0, [])], date=OLD)
    recent = build_day(web_data_dir, [PartSpec(3.0, [1.0])], date=RECENT)
    return old, recent


def events(data_dir):
    return [(e.event, e.data) for e in read_audit(data_dir)]


def test_page_lists_days_with_keep_until_and_what_is_due(days, web_authed_client):
    page = web_authed_client.get("/retention").get_data(as_text=True)
    assert f'data-date="{OLD.isoformat()}" data-due="yes"' in page
    assert f'data-date="{RECENT.isoformat()}" data-due="no"' in page
    assert f"01.03.{OLD.year + 1}" in page and f"01.03.{RECENT.year + 1}" in page
    assert "удалять рано" in page and "УДАЛИТЬ" in page and 'href="/retention"' in page


def test_purge_needs_the_typed_word_then_writes_the_act(days, sim_recorder, web_authed_client,
                                                        web_data_dir):
    """The recorder deletes (the page asks it over the control socket)."""
    old, recent = days
    refused = post(web_authed_client, "/api/retention/purge", {"confirm": "удалить"})
    assert refused.status_code == 400 and "УДАЛИТЬ" in refused.json["error"]["text"]
    assert old.exists() and recent.exists()
    assert events(web_data_dir)[-1] == ("purge_requested", {
        "source": "web", "remote": "127.0.0.1", "confirmed": False, "dates": [OLD.isoformat()]})

    old_files = sorted(p.name for p in old.iterdir())
    reply = post(web_authed_client, "/api/retention/purge",
                 {"confirm": "УДАЛИТЬ", "head": "Иванова И. И."}).json
    assert reply["ok"] and not old.exists() and recent.exists()
    (done,) = reply["purged"]
    assert done["date"] == OLD.isoformat() and done["files"] == len(old_files)
    assert any("удалять рано" in message for message in reply["refused"])
    act = web_authed_client.get(done["act_url"])
    assert act.status_code == 200 and "attachment" in act.headers["Content-Disposition"]
    text = act.get_data(as_text=True)
    assert "форма — 1А" in text and "Иванова И. И." in text
    assert all(f"<td>{name}</td>" in text for name in old_files)
    names = [event for event, _ in events(web_data_dir)]
    assert names[-4:] == ["purge_requested", "purge_started", "purged", "download"]
    assert {data.get("source") for _, data in events(web_data_dir)} == {"web"}
    assert verify_chain(audit_path(web_data_dir)) is None
    page = web_authed_client.get("/retention").get_data(as_text=True)
    assert done["act"] in page and 'id="nothing-due"' in page
    again = post(web_authed_client, "/api/retention/purge", {"confirm": "УДАЛИТЬ"}).json
    assert again["purged"] == [] and again["nothing"].startswith("Удалять нечего")


def test_acts_are_served_only_by_their_listed_names(days, web_authed_client, web_data_dir):
    (web_data_dir / "secret.html").write_text("secret")
    for name in ("../../secret.html", "..%2F..%2Fsecret.html", "nothing.html"):
        assert web_authed_client.get(f"/retention/acts/{name}").status_code == 404


def test_the_day_open_in_the_recorder_is_never_purged(web_data_dir, sim_recorder,
                                                      web_authed_client):
    sim_recorder.ctl("start", date=OLD.isoformat())  # a day past its date
    sim_recorder.ctl("stop")  # every part sealed, but the recorder still holds the day
    assert sim_recorder.status()["day"] == OLD.isoformat()
    (day_dir,) = sim_recorder.day_dirs
    page = web_authed_client.get("/retention").get_data(as_text=True)
    assert f'data-date="{OLD.isoformat()}" data-due="no"' in page
    assert "открыт в работающем регистраторе" in page
    reply = post(web_authed_client, "/api/retention/purge", {"confirm": "УДАЛИТЬ"}).json
    assert reply["purged"] == [] and day_dir.exists()
