"""`/participants` through the real app (Flask test client): import, edit, print view, CSV,
refusals in Russian, audit of the download, and the login gate. Saving goes through the
recorder (`sim_recorder`), which alone writes the day folder."""

from __future__ import annotations

import base64
import datetime as dt
import io
import subprocess

from openpyxl import Workbook

from appliance.contract import layout
from appliance.contract.audit import read_audit
from appliance.journal import Event, Journal
from appliance.participants import roster as roster_mod

DATE = "2027-02-10"


def xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def post(client, path, body):
    return client.post(path, json=body, headers={"X-CSRF-Token": client.csrf})


def upload(client, name, data):
    return post(client, f"/api/participants/import?date={DATE}",
                {"filename": name, "data_b64": base64.b64encode(data).decode()})


def test_import_edit_print_and_csv(sim_recorder, web_authed_client, web_data_dir):
    page_client, data_dir = web_authed_client, web_data_dir
    reply = upload(page_client, "ИС-01.xlsx", xlsx([
        ["№ п.п.", "ФИО участника", "Класс", "Отметка о неявке"],
        [1, "Иванов Иван Иванович", "9А", None], [2, "Петрова Анна Сергеевна", "9Б", "Н"]]))
    assert reply.status_code == 200 and reply.json["message"] == "Загружено участников: 2"
    day_dir = layout.day_dir(data_dir, dt.date.fromisoformat(DATE))
    assert [p.absent for p in roster_mod.load(day_dir).ordered()] == [False, True]

    bad = upload(page_client, "bad.csv", "1;Иванов И.И.;9А\n2;;9Б\n".encode("cp1251"))
    assert bad.status_code == 400
    assert bad.json["error"]["text"].startswith("Строка 2: не указаны ФИО участника")
    assert len(roster_mod.load(day_dir).participants) == 2, "nothing imported"

    state = page_client.get(f"/api/participants?date={DATE}").json
    edited = state["roster"] + [{"number": 3, "name": "Щукин Фёдор Ильич",
                                 "class": "9А", "absent": False}]
    assert post(page_client, f"/api/participants/roster?date={DATE}",
                {"participants": edited}).json["ok"]
    rows = page_client.get(f"/api/participants?date={DATE}").json["rows"]
    assert [(r["number"], r["notes"]) for r in rows] == [(1, []), (2, ["Н (неявка)"]), (3, [])]

    sheet = page_client.get(f"/participants/sheet?date={DATE}")
    text = sheet.get_data(as_text=True)
    assert sheet.mimetype == "text/html" and "Ведомость учета" in text and "ИС-02" in text
    assert "Щукин Фёдор Ильич" in text and "10.02.2027" in text
    assert "<th>Код МСУ</th><td>01</td>" in text, "the box's codes before the day starts"
    tech = page_client.get(f"/participants/sheet-tech?date={DATE}").get_data(as_text=True)
    assert "копия технического специалиста" in tech and "Н (неявка)" in tech
    csv_reply = page_client.get(f"/participants/sheet.csv?date={DATE}")
    assert csv_reply.get_data().startswith("\ufeff№;ФИО;Класс".encode())
    assert [e.data.get("file") for e in read_audit(data_dir) if e.event == "download"] == [
        "ведомость.csv"]


def test_bad_date_and_empty_upload_are_refused_in_russian(web_authed_client):
    page_client = web_authed_client
    reply = page_client.get("/api/participants?date=10.02.2027")
    assert reply.status_code == 400
    assert reply.json["error"]["text"] == "Дата «10.02.2027» не в формате ГГГГ-ММ-ДД"
    assert upload(page_client, "x.csv", b"").json["error"]["text"] == "Файл не выбран или пуст"


def test_everything_needs_a_login(web_client):
    anonymous_client = web_client
    assert anonymous_client.get("/api/participants").status_code == 401
    assert anonymous_client.get("/participants/sheet.csv").status_code in (302, 401)
    assert anonymous_client.get("/participants").status_code == 302


def test_nezachet_marks_and_their_refusals_in_russian(sim_recorder, web_authed_client,
                                                      web_data_dir):
    page_client = web_authed_client
    url = f"/api/participants/result?date={DATE}"
    early = post(page_client, url, {"participant": 1, "nezachet": True})
    assert early.status_code == 409 and early.json["error"]["text"] == "За 10.02.2027 нет записей"
    day_dir = layout.day_dir(web_data_dir, dt.date.fromisoformat(DATE))
    day_dir.mkdir(parents=True)
    with Journal(day_dir / "journal.jsonl") as journal:  # the day was recorded
        journal.append(Event.DAY_OPENED, date=DATE, region="64", msu="01", school="640101",
                       room="0005", naming="cyrillic")
    upload(page_client, "ИС-01.csv", "1;Иванов Иван Иванович;9А\n2;Петрова Анна;9Б\n".encode())
    assert post(page_client, url, {"participant": 2, "nezachet": True}).json["nezachet"] == [2]
    rows = page_client.get(f"/api/participants?date={DATE}").json["rows"]
    assert [(r["number"], r["nezachet"]) for r in rows] == [(1, False), (2, True)]
    assert post(page_client, url, {"participant": 2, "nezachet": False}).json["nezachet"] == []
    unknown = post(page_client, url, {"participant": 9, "nezachet": True})
    assert unknown.status_code == 400
    assert unknown.json["error"]["text"] == "Участника с номером 9 нет в списке"
    bad = post(page_client, url, {"participant": "x", "nezachet": True})
    assert bad.json["error"]["text"] == "Поле «participant» должно быть целым числом, получено «x»"
    assert [e.data["nezachet"] for e in read_audit(web_data_dir)
            if e.event == "result_marked"] == [True, False]
    no_act = page_client.get(f"/participants/early-act?date={DATE}&participant=1")
    assert no_act.status_code == 409
    assert "У участника 1 нет отметки о досрочном завершении" in no_act.get_data(as_text=True)
    package = page_client.post("/participants/regional.zip", data={
        "date": DATE, "csrf_token": page_client.csrf})
    assert package.status_code == 409  # every mark was taken back: nothing to hand over
    assert "За 10.02.2027 нет участников с отметкой «незачет»" in package.get_data(as_text=True)
    not_recorded = page_client.post("/participants/regional.zip", data={
        "date": "2027-02-11", "csrf_token": page_client.csrf})
    assert "За 11.02.2027 нет записей" in not_recorded.get_data(as_text=True)


def test_the_api_returns_variant_and_ovz_and_takes_a_chosen_mapping(sim_recorder,
                                                                   web_authed_client):
    client = web_authed_client
    data = ("№;Ф.И.О. ребёнка;Кл.;Вар.;Особые условия\r\n"
            "1;Иванов Иван Иванович;9А;2;да\r\n2;Петрова Анна Сергеевна;9Б;;\r\n").encode("cp1251")
    automatic = upload(client, "свой.csv", data)
    assert automatic.status_code == 400  # «Ф.И.О. ребёнка» is no header it knows
    assert automatic.json["error"]["text"].startswith("Строка 1: номер «№» не целое число")
    twice = post(client, f"/api/participants/import?date={DATE}",
                 {"filename": "свой.csv", "data_b64": base64.b64encode(data).decode(),
                  "header_row": 1, "roles": ["number", "name", "name"]})
    assert twice.json["error"]["text"] == "Назначение «ФИО» выбрано для двух столбцов: B и C"
    chosen = post(client, f"/api/participants/import?date={DATE}",
                  {"filename": "свой.csv", "data_b64": base64.b64encode(data).decode(),
                   "header_row": 1, "roles": ["number", "name", "class", "variant", "ovz"]})
    assert chosen.status_code == 200, chosen.json
    assert client.get(f"/api/participants?date={DATE}").json["roster"] == [
        {"number": 1, "name": "Иванов Иван Иванович", "class": "9А", "absent": False,
         "variant": 2, "ovz": True},
        {"number": 2, "name": "Петрова Анна Сергеевна", "class": "9Б", "absent": False,
         "variant": None, "ovz": False}]
    state = client.get(f"/api/participants?date={DATE}").json
    assert state["next"] == 1 and state["rows"][0]["notes"] == ["ОВЗ"]
    assert state["rows"][0]["variant"] == "2"


def test_the_sample_file_imports_as_it_is(sim_recorder, web_authed_client):
    client = web_authed_client
    sample = client.get("/participants/sample.csv")
    assert sample.status_code == 200 and "attachment" in sample.headers["Content-Disposition"]
    reply = upload(client, "образец.csv", sample.get_data())
    assert reply.json["message"] == "Загружено участников: 3"
    roster = client.get(f"/api/participants?date={DATE}").json["roster"]
    assert [(p["variant"], p["ovz"], p["absent"]) for p in roster] == [
        (1, False, False), (2, True, False), (3, False, True)]


def test_hostile_bodies_get_a_russian_refusal_never_a_server_error(web_authed_client):
    client = web_authed_client
    bodies = {
        "/api/participants/import": [[], "x", {"filename": 5, "data_b64": ["a"]},
                                     {"data_b64": "QQ==", "roles": "name"},
                                     {"data_b64": "QQ==", "roles": [1, 2]},
                                     {"data_b64": "QQ==", "header_row": "2"},
                                     {"data_b64": "QQ==", "header_row": 99}],
        "/api/participants/roster": [[], {"participants": {"a": 1}}, {"participants": ["x"]},
                                     {"participants": [{"number": "один", "name": "А"}]},
                                     {"participants": [{"number": 1, "name": "А",
                                                        "variant": "вар"}]}],
        "/api/participants/mark": [[], {"participant": "x"}],
        "/api/participants/correct": [{"part": "x", "frame": 1}, {}],
        "/api/participants/info": [{"participant": None}],
    }
    for path, cases in bodies.items():
        for body in cases:
            reply = post(client, f"{path}?date={DATE}", body)
            assert reply.status_code == 400, (path, body, reply.json)
            assert reply.json["error"]["text"][0].isupper(), reply.json


def test_refusals_and_notes_follow_the_page_language(sim_recorder, web_authed_client):
    client = web_authed_client
    client.get("/lang/en")
    data = ("№ п.п.;ФИО участника;Номер аудитории/ отметка о неявке\r\n"
            "1;Иванов Иван Иванович;0005\r\n2;Петрова Анна Сергеевна;0006\r\n3;;0005\r\n"
            ).encode("cp1251")
    refused = upload(client, "is01.csv", data)
    assert refused.json["error"]["text"] == (
        "Row 4: the participant's name is missing. Nothing was imported")
    preview = post(client, f"/api/participants/import?date={DATE}",
                   {"filename": "is01.csv", "data_b64": base64.b64encode(data).decode(),
                    "preview": True})
    assert preview.json["problem"] == refused.json["error"]["text"]
    twice = post(client, f"/api/participants/import?date={DATE}",
                 {"filename": "is01.csv", "data_b64": base64.b64encode(data).decode(),
                  "roles": ["name", "name", ""]})
    assert twice.json["error"]["text"] == "'Full name' is chosen for two columns: A and B"
    good = upload(client, "is01.csv", data.rsplit(b"\r\n3;", 1)[0] + b"\r\n")
    assert good.json["message"] == ("Participants imported: 1 Participants of other rooms left "
                                    "out (1): 0006 (1)")


def test_a_day_folder_that_cannot_be_written_is_said_in_russian(sim_recorder, web_authed_client,
                                                                web_data_dir):
    """A day folder the recorder cannot write either (a read-only or failing disk): the refused
    write of the roster or of a «незачет» mark is a message, never a server error, and changes
    nothing."""
    day_dir = layout.day_dir(web_data_dir, dt.date.fromisoformat(DATE))
    day_dir.mkdir(parents=True)
    with Journal(day_dir / "journal.jsonl") as journal:
        journal.append(Event.DAY_OPENED, date=DATE, region="64", msu="01", school="640101",
                       room="0005", naming="cyrillic")
    subprocess.run(["mount", "--bind", str(day_dir), str(day_dir)], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(day_dir)], check=True)
        reply = upload(web_authed_client, "ИС-01.csv", "1;Иванов Иван Иванович;9А\n".encode())
        assert reply.status_code == 507
        assert reply.json["error"]["text"].startswith(
            "Не удалось записать файл в папку дня (roster.json): накопитель или каталог "
            "доступен только для чтения")
        mark = post(web_authed_client, f"/api/participants/result?date={DATE}",
                    {"participant": 1, "nezachet": True})
        assert mark.json["error"]["text"].startswith(
            "Не удалось записать файл в папку дня (results.json)")
    finally:
        subprocess.run(["umount", str(day_dir)], check=True)
    assert sorted(p.name for p in day_dir.iterdir()) == ["journal.jsonl"]
