"""The page on a shared school network: only its own host names, bodies refused by size before
they are read, failed logins summed up in the audit, a plain-Russian audit page with a filter,
formula-safe spreadsheets, CSP and Referrer-Policy, a password change, and marker labels kept
out of file names and label files."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import socket
import time
from pathlib import Path

from appliance import config as config_mod
from appliance.contract.audit import read_audit
from appliance.contract.dayview import load_day
from appliance.contract.layout import find_days
from appliance.errors import ApplianceError
from appliance.export.clips import participant_range
from appliance.spreadsheet import safe_row
from appliance.webui import auth, guard
from appliance.webui.loginaudit import FailedLogins
from tests.export.export_daybuilder import PartSpec, build_day
from tests.feeds import wait_for
from tests.webfixtures import PASSWORD, csrf_of, login_client, make_app, make_web_config

TEMPLATES = Path(__file__).resolve().parents[2] / "appliance" / "webui" / "templates"


def _host(client, host: str, path: str = "/login"):
    return client.get(path, headers={"Host": host})


def test_foreign_host_names_get_421_without_a_token_or_a_cookie(web_app, web_authed_client):
    anonymous = web_app.test_client()
    for path in ("/login", "/api/session", "/static/app.js"):
        reply = _host(anonymous, "evil.example", path)
        assert reply.status_code == 421, path
        assert "csrf" not in reply.get_data(as_text=True).lower()
        assert "Set-Cookie" not in reply.headers
        assert "собственному имени" in reply.get_data(as_text=True)
    # a logged-in session does not open the status under a rebound name either
    assert _host(web_authed_client, "evil.example:80", "/api/status").status_code == 421
    assert _host(web_authed_client, "room-0005.local.evil.example", "/audit").status_code == 421


def test_the_box_answers_to_its_own_names_and_addresses(web_app):
    client = web_app.test_client()
    hostname = socket.gethostname()
    lan = sorted(a for a in guard.own_addresses() if not a.startswith(("127.", "::1")))
    names = ["localhost", "localhost:8080", "127.0.0.1:80", "[::1]:80", "room-0005.local",
             "ROOM-0005.LOCAL", hostname, f"{hostname}.local:80"]
    names += [f"[{a}]" if ":" in a else a for a in lan]
    for name in names:
        assert _host(client, name).status_code == 200, name
    assert lan, "the test machine has a LAN address to check"
    assert _host(client, "192.0.2.250").status_code == 421  # an address that is not ours
    assert _host(client, "room-0006.local").status_code == 421  # another room's box


def test_extra_names_come_from_the_settings(tmp_path):
    config_path = make_web_config(tmp_path / "box",
                                  web={"allowed_hosts": ["zapis.school64.local"]})
    client = make_app(config_path).test_client()
    assert _host(client, "zapis.school64.local").status_code == 302  # to /setup: served
    assert _host(client, "evil.example").status_code == 421


def test_oversized_bodies_are_refused_before_they_are_read(web_app, web_client):
    big_form = {"password": "x" * (guard.FORM_LIMIT_BYTES + 10), "csrf_token": "nope"}
    reply = web_client.post("/login", data=big_form)
    assert reply.status_code == 413  # before the CSRF check that would read the form
    assert "Слишком большой запрос" in reply.get_data(as_text=True)
    authed = login_client(web_app.test_client())
    headers = {"X-CSRF-Token": authed.csrf}
    # the roster upload may carry a few MB; beyond its limit it is refused as JSON
    near = {"filename": "список.csv", "data_b64": "A" * (3 * 1024 * 1024)}
    assert authed.post("/api/participants/import", json=near,
                       headers=headers).status_code != 413
    over = {"filename": "список.csv", "data_b64": "A" * (guard.UPLOAD_LIMIT_BYTES + 1)}
    reply = authed.post("/api/participants/import", json=over, headers=headers)
    assert reply.status_code == 413 and reply.json["ok"] is False
    # the same few MB anywhere else is refused
    assert authed.post("/api/control/mark", json=near, headers=headers).status_code == 413


def _rss_kb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1))


def _send_declared(url: str, path: str, declared: int, send: int) -> str:
    """POST declaring `declared` bytes but sending only `send`; the server's status line."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        head = (f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
                f"Content-Type: application/x-www-form-urlencoded\r\n"
                f"Content-Length: {declared}\r\n\r\n").encode()
        sock.sendall(head)
        try:
            sock.sendall(b"x" * send)
        except OSError:
            pass  # the server closed early: that is the point
        return sock.recv(4096).decode("latin-1").split("\r\n")[0]


def test_the_served_page_refuses_a_100_mb_body_without_buffering_it(web_server):
    before = _rss_kb(web_server.proc.pid)
    started = time.monotonic()
    status = _send_declared(web_server.url, "/login", 100 * 1024 * 1024, 1024 * 1024)
    assert " 413 " in status, status
    small = _send_declared(web_server.url, "/login", 200_000, 200_000)
    assert " 413 " in small, small
    elapsed = time.monotonic() - started
    grown_kb = _rss_kb(web_server.proc.pid) - before
    print(f"100 MB declared: {status!r}; RSS grew {grown_kb} kB; {elapsed:.2f} s")
    assert grown_kb < 8 * 1024


def test_failed_logins_make_one_audit_line_per_address_and_window(web_app):
    data_dir = config_mod.load(web_app.config["APPLIANCE_CONFIG_PATH"]).data_dir
    written = []
    window_s = 60.0
    web_app.extensions["appliance.failed_logins"] = failures = FailedLogins(
        lambda **counts: written.append(counts), window_s=window_s)
    before = len(read_audit(data_dir))
    client = web_app.test_client()
    token = csrf_of(client.get("/login").get_data(as_text=True))
    started = time.monotonic()
    for _ in range(40):  # 5 wrong passwords, then 35 refused by the lockout
        client.post("/login", data={"password": "не тот", "csrf_token": token})
    assert time.monotonic() - started < window_s, "all attempts inside one window"
    assert written == [] and len(read_audit(data_dir)) == before  # nothing per attempt
    failures.flush("127.0.0.1")  # what the window's timer does when it ends
    [line] = written
    assert (line["address"], line["failed"], line["blocked"]) == ("127.0.0.1", 5, 35)


def test_the_window_timer_writes_the_line():
    written = []
    failures = FailedLogins(lambda **counts: written.append(counts), window_s=0.2)
    failures.failed("192.0.2.1")
    failures.blocked("192.0.2.1")
    failures.failed("192.0.2.2", setup_code=True)
    wait_for(lambda: len(written) == 2, timeout_s=10, what="both windows' lines")
    by_address = {line.pop("address"): line for line in written}
    assert by_address["192.0.2.1"]["failed"] == 1 and by_address["192.0.2.1"]["blocked"] == 1
    assert by_address["192.0.2.2"]["setup_code"] == 1


def test_failed_login_lines_reach_the_audit_journal(web_app):
    data_dir = config_mod.load(web_app.config["APPLIANCE_CONFIG_PATH"]).data_dir
    client = web_app.test_client()
    client.environ_base["REMOTE_ADDR"] = "192.0.2.9"
    token = csrf_of(client.get("/login").get_data(as_text=True))
    for _ in range(3):
        client.post("/login", data={"password": "не тот", "csrf_token": token})
    web_app.extensions["appliance.failed_logins"].flush("192.0.2.9")
    [entry] = [e for e in read_audit(data_dir) if e.event == "login_failed"]
    assert entry.data["failed"] == 3 and entry.data["address"] == "192.0.2.9"


def test_audit_page_is_plain_russian_and_filters_by_kind(web_app, web_authed_client):
    data_dir = config_mod.load(web_app.config["APPLIANCE_CONFIG_PATH"]).data_dir
    from appliance.contract.audit import log_event
    log_event(data_dir, "roster_imported", source="web", remote="192.0.2.5",
              date="2027-02-10", count=12)
    log_event(data_dir, "login_failed", source="web", address="192.0.2.6", failed=4,
              blocked=2, window_s=60)
    log_event(data_dir, "recorder_control", source="web", remote="192.0.2.5", command="stop",
              refused="session.refused")
    page = web_authed_client.get("/audit").get_data(as_text=True)
    table = page[page.index('id="audit-table"'):]
    visible = re.sub(r"\s+([;:])", r"\1", re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", table)))
    for raw in ("roster_imported", "login_failed", "source=", "remote=", "{'", "web;", "stop",
                "session.refused"):
        assert raw not in visible, raw
    assert "загружен список участников" in visible and "10.02.2027" in visible
    assert "неверных паролей: 4" in visible and "отклонено блокировкой: 2" in visible
    assert "команда: Завершить день; отказ: команда не выполнена" in visible
    assert re.search(r"\d\d\.\d\d\.\d{4} \d\d:\d\d:\d\d", visible)
    access = web_authed_client.get("/audit?kind=access").get_data(as_text=True)
    kinds = set(re.findall(r'data-kind="(\w+)"', access))
    assert kinds == {"access"} and 'data-event="roster_imported"' not in access
    data = web_authed_client.get("/audit?kind=data").get_data(as_text=True)
    assert set(re.findall(r'data-event="(\w+)"', data)) == {"roster_imported"}


def test_spreadsheet_cells_never_start_a_formula():
    cells = ["=HYPERLINK(\"http://evil\",\"x\")", "@SUM(A1)", "+7 900", "-2", "\tx", "\rx",
             "Иванова", 5, None]
    assert safe_row(cells) == ["'=HYPERLINK(\"http://evil\",\"x\")", "'@SUM(A1)", "'+7 900",
                               "'-2", "'\tx", "'\rx", "Иванова", 5, None]


def test_room_sheet_csv_writes_formula_names_as_text(tmp_path):
    from appliance.participants.sheet import sheet_csv

    class Row:
        def cells(self):
            return ["1", "=HYPERLINK(\"http://evil\")", "9А", "@cmd"]
    text = sheet_csv([Row()]).decode("utf-8-sig")
    row = list(csv.reader(io.StringIO(text), delimiter=";"))[1]
    assert row == ["1", "'=HYPERLINK(\"http://evil\")", "9А", "'@cmd"]


def test_every_reply_has_the_csp_and_no_referrer(web_app, web_authed_client):
    for path in ("/", "/audit", "/login", "/static/app.js", "/api/session"):
        reply = web_authed_client.get(path)
        csp = reply.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "unsafe-inline" not in csp, path
        assert "frame-ancestors 'none'" in csp
        assert reply.headers["Referrer-Policy"] == "no-referrer"
    assert web_authed_client.get("/static/favicon.svg").status_code == 200


def test_templates_have_no_inline_script_handlers_or_styles():
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", text)
        assert all('type="application/json"' in attrs for attrs in scripts), template.name
        assert not re.search(r"\son[a-z]+\s*=", text), template.name
        assert not re.search(r"\sstyle\s*=", text), template.name
        assert "javascript:" not in text, template.name


def test_password_change_needs_the_old_one_and_ends_the_other_sessions(web_app):
    config = config_mod.load(web_app.config["APPLIANCE_CONFIG_PATH"])
    mine, other = (login_client(web_app.test_client()) for _ in range(2))
    form = {"old_password": "не тот", "password": "новый-пароль-2027",
            "password2": "новый-пароль-2027", "csrf_token": mine.csrf}
    wrong = mine.post("/password", data=form)
    assert wrong.status_code == 401 and "Неверный пароль" in wrong.get_data(as_text=True)
    auth.check_password(config, PASSWORD)  # unchanged
    done = mine.post("/password", data={**form, "old_password": PASSWORD})
    assert done.status_code == 200 and "Пароль изменён" in done.get_data(as_text=True)
    auth.check_password(config, "новый-пароль-2027")
    assert mine.get("/api/session").json["logged_in"] is True
    assert other.get("/api/session").json["logged_in"] is False
    assert other.get("/").status_code == 302
    assert [e.event for e in read_audit(config.data_dir)][-1] == "password_changed"


def test_setup_code_is_accepted_without_dashes_and_in_any_case(web_config):
    app = make_app(web_config)
    code = auth.setup_code_file(config_mod.load(web_config)).read_text().strip()
    client = app.test_client()
    token = csrf_of(client.get("/setup").get_data(as_text=True))
    typed = code.replace("-", "").lower()
    reply = client.post("/setup", data={"code": f" {typed} ", "password": PASSWORD,
                                        "password2": PASSWORD, "csrf_token": token})
    assert reply.status_code == 302 and reply.headers["Location"] == "/"


def test_typed_marker_labels_stay_out_of_file_names_and_label_files(sim_recorder, web_config):
    name = "Вошла Петрова"
    client = sim_recorder.client
    client.call("start", source="web")
    wait_for(lambda: client.call("status")["state"] == "recording", what="recording")
    for label in (name, None):
        elapsed = client.call("status")["elapsed_s"]
        wait_for(lambda e=elapsed: client.call("status")["elapsed_s"] >= e + 0.5,
                 what="half a second more recorded")
        client.call("mark", source="web", **({"label": label} if label else {}))
    client.call("stop", source="web")
    wait_for(lambda: client.call("status")["state"] == "stopped", what="stopped")
    config = config_mod.load(web_config)
    [day_path] = find_days(config.data_dir)
    for path in day_path.iterdir():
        assert "Петров" not in path.name
        if path.suffix in (".wav", ".txt"):
            assert name.encode() not in path.read_bytes(), path.name
    labels = next(day_path.glob("*.txt")).read_text(encoding="utf-8")
    assert "Участник 1" in labels and "Участник 2" in labels
    clip = participant_range(load_day(day_path), 1)
    assert clip.name.endswith("участник-1") and "Петров" not in clip.name


def test_saving_settings_keeps_the_file_s_comments(web_app, web_authed_client):
    path = web_app.config["APPLIANCE_CONFIG_PATH"]
    text = path.read_text(encoding="utf-8")
    commented = ("# Настройки регистратора аудитории 0005\n"
                 + text.replace("[site]\n", "[site]\n# коды из приказа региона\n"))
    commented = commented.replace('room = "0005"', 'room = "0005"  # кабинет 12')
    path.write_text(commented, encoding="utf-8")
    reply = web_authed_client.post("/api/settings", json={"site.room": "0007"},
                                   headers={"X-CSRF-Token": web_authed_client.csrf})
    assert reply.status_code == 200 and reply.json["changed"] == {"site.room": ["0005", "0007"]}
    saved = path.read_text(encoding="utf-8")
    assert saved.startswith("# Настройки регистратора аудитории 0005\n")
    assert "# коды из приказа региона" in saved and 'room = "0007"  # кабинет 12' in saved
    assert config_mod.load(path).site.room == "0007"


def test_the_recorder_itself_refuses_a_purge_without_the_word(sim_recorder, web_data_dir):
    today = dt.date.today()
    old = build_day(web_data_dir, [PartSpec(2.0, [0.5])],
                    date=today.replace(year=today.year - 2, day=1))
    for word in ("", "удалить", "DELETE"):
        try:
            sim_recorder.client.call("purge", confirm=word, source="cli")
        except ApplianceError as err:
            assert err.code == "ret.not_confirmed"
        else:
            raise AssertionError(f"purge ran with {word!r}")
    assert old.exists()
    reply = sim_recorder.client.call("purge", confirm="УДАЛИТЬ", source="cli")
    assert [done["date"] for done in reply["purged"]] == [old.name] and not old.exists()


def test_report_and_summary_csv_write_formulas_as_text_and_read_them_back():
    """report.csv and the collection summary go through one writer: a hostile value (a
    package's school code, say) reaches Excel as text, and `verify` still reads the value."""
    from appliance.export.manifest import CSV_COLUMNS, format_csv_table, parse_csv
    row = dict.fromkeys(CSV_COLUMNS, "1")
    row[CSV_COLUMNS[1]] = "=HYPERLINK(\"http://evil\")"
    data = format_csv_table(CSV_COLUMNS, [row])
    written = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))[1]
    assert written[1] == "'=HYPERLINK(\"http://evil\")"
    assert parse_csv(data.decode("utf-8")) == [row]
