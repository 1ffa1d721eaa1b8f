"""Every list of the corpus (tests/participants/corpus.py) through the web API, as a script
or the page would send it: the exact roster it gives (saved by the recorder), the notes shown,
or the refusal in Russian with the day's earlier roster left as it was."""

from __future__ import annotations

import base64

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.participants.corpus import DATE, Case, corpus, csv_bytes, person

EARLIER = [person(n, f"Участник Прежнего Списка {n}", "9Д") for n in range(1, 11)]
EARLIER_CSV = csv_bytes([["№", "ФИО", "Класс"]]
                        + [[p["number"], p["name"], p["class"]] for p in EARLIER])


def upload(client, filename: str, data: bytes, **choice):
    return client.post(f"/api/participants/import?date={DATE}",
                       json={"filename": filename, "data_b64": base64.b64encode(data).decode(),
                             **choice}, headers={"X-CSRF-Token": client.csrf})


def roster_of(client) -> list[dict]:
    reply = client.get(f"/api/participants?date={DATE}")
    assert reply.status_code == 200
    return reply.json["roster"]


def test_the_corpus_is_big_and_varied():
    cases = corpus()
    assert len(cases) >= 20
    assert len({c.filename for c in cases}) == len(cases)
    kinds = {c.filename.rsplit(".", 1)[1] for c in cases}
    assert kinds == {"csv", "txt", "xlsx", "xls", "ods"}
    assert sum(1 for c in cases if c.refusal) >= 5


@pytest.mark.parametrize("case", corpus(), ids=lambda c: c.filename)
def test_a_list_imports_exactly_or_is_refused_keeping_the_earlier_one(sim_recorder,
                                                                      web_authed_client,
                                                                      case: Case):
    client = web_authed_client
    assert upload(client, "прежний.csv", EARLIER_CSV).status_code == 200
    reply = upload(client, case.filename, case.data)
    if case.refusal:
        assert reply.status_code == 400, reply.json
        assert reply.json["error"]["text"].startswith(case.refusal), reply.json["error"]["text"]
        assert roster_of(client) == EARLIER, "a refused file changes nothing"
        return
    assert reply.status_code == 200, reply.json
    assert roster_of(client) == case.roster
    count = len(case.roster)
    assert reply.json["message"].startswith(f"Загружено участников: {count}")
    for note in case.notes:
        assert any(note in n for n in reply.json["notes"]), (note, reply.json["notes"])
    if not case.notes:
        assert reply.json["notes"] == []


@pytest.mark.parametrize("case", corpus(), ids=lambda c: c.filename)
def test_the_preview_shows_what_the_import_would_do(web_authed_client, case: Case):
    client = web_authed_client
    reply = upload(client, case.filename, case.data, preview=True)
    if case.refusal and reply.status_code == 400:  # the file itself cannot be read
        assert reply.json["error"]["text"].startswith(case.refusal)
        return
    assert reply.status_code == 200, reply.json
    assert reply.json["roster"] == case.roster
    assert reply.json.get("problem", "").startswith(case.refusal)
    assert roster_of(client) == [], "a preview saves nothing"


CORPUS = corpus()


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(which=st.integers(0, len(CORPUS) - 1), cut=st.integers(0, 6000),
       junk=st.binary(max_size=40), where=st.integers(0, 6000))
def test_a_damaged_file_never_gets_a_server_error(sim_recorder, web_authed_client, which, cut,
                                                  junk, where):
    """Corpus files cut short and with bytes spliced in: a roster or a Russian refusal."""
    case = CORPUS[which]
    data = case.data[:cut] if cut < len(case.data) else case.data
    data = data[:where] + junk + data[where:]
    preview = upload(web_authed_client, case.filename, data, preview=True)
    assert preview.status_code in (200, 400), preview.json
    reply = upload(web_authed_client, case.filename, data)
    assert reply.status_code in (200, 400), reply.json
    if reply.status_code == 400:
        text = reply.json["error"]["text"]
        assert text and not text.startswith("Внутренняя"), text
