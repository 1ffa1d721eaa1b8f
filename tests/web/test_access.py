"""Access to the web page: every route gated, CSRF on every state change, first-start setup
code, hashed password, rate-limited logins, expiring sessions, audit of it all."""

from __future__ import annotations

import json
import logging
import time
import types

import pytest

from appliance import config as config_mod
from appliance.contract.audit import read_audit
from appliance.webui import app as app_module
from appliance.webui import auth
from appliance.webui.app import PUBLIC_ENDPOINTS, UNSAFE_METHODS
from appliance.webui.ratelimit import FailureLimiter
from tests.webfixtures import PASSWORD, csrf_of, login_client, make_app, make_web_config

SAMPLE_ARGS = {"IntegerConverter": 1, "FloatConverter": 1.0, "PathConverter": "2027-05-20/x.wav",
               "UUIDConverter": "00000000-0000-0000-0000-000000000000"}


def every_request(app):
    """(method, url, endpoint) for every route and method the app serves."""
    for rule in app.url_map.iter_rules():
        values = {name: SAMPLE_ARGS.get(type(conv).__name__, "x")
                  for name, conv in rule._converters.items()}
        url = rule.build(values, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, url, rule.endpoint


def test_only_login_setup_static_and_language_are_public(web_app):
    # school.summary: no session, but only requests signed with the school's pairing key
    # (tests/school/test_school_unit.py)
    assert PUBLIC_ENDPOINTS == {"access.login", "access.setup", "access.language",
                                "access.session_info", "static", "school.summary"}
    assert len(list(every_request(web_app))) > 10


def test_every_route_without_a_session_is_refused(web_app, web_client):
    checked = 0
    for method, url, endpoint in every_request(web_app):
        if endpoint in PUBLIC_ENDPOINTS:
            continue
        reply = web_client.open(url, method=method, json={} if method != "GET" else None)
        if url.startswith("/api/") or method in UNSAFE_METHODS:
            assert reply.status_code == 401, (method, url)
            assert reply.json["ok"] is False
            assert reply.json["error"]["text"].startswith("Нужно войти")
        else:
            assert reply.status_code == 302, (method, url)
            assert reply.headers["Location"].startswith("/login?next="), (method, url)
        checked += 1
        # the same with a script's Accept header: JSON 401, never the page
        reply = web_client.open(url, method=method, headers={"Accept": "application/json"})
        assert reply.status_code == 401, (method, url)
    assert checked >= 8


def test_public_pages_do_not_leak_the_app(web_client):
    assert web_client.get("/login").status_code == 200
    assert web_client.get("/static/app.js").status_code == 200
    info = web_client.get("/api/session").json
    assert info["logged_in"] is False and info["setup_needed"] is False


def test_state_changes_without_the_csrf_token_are_refused(web_app, web_authed_client):
    client = web_authed_client
    unsafe = [(m, u) for m, u, _ in every_request(web_app) if m in UNSAFE_METHODS]
    assert ("POST", "/api/control/x") in unsafe
    for method, url in unsafe:
        for headers in ({}, {"X-CSRF-Token": "forged"}):
            reply = client.open(url, method=method, json={}, headers=headers)
            assert reply.status_code == 403, (method, url, headers)
            assert "CSRF" in reply.json["error"]["text"]
    # still logged in, and the real token passes the check (the logout works)
    assert client.get("/audit").status_code == 200
    assert client.post("/logout", headers={"X-CSRF-Token": client.csrf}).status_code == 302
    assert client.get("/audit").status_code == 302


def test_login_form_needs_its_csrf_token(web_client):
    web_client.get("/login")
    reply = web_client.post("/login", data={"password": PASSWORD})
    assert reply.status_code == 403


def test_first_start_setup_code_sets_a_hashed_password_once(tmp_path, caplog):
    boot = tmp_path / "boot"
    boot.mkdir()
    config_path = make_web_config(tmp_path / "box",
                                  web={"setup_code_file": str(boot / "setup-code.txt")})
    config = config_mod.load(config_path)
    with caplog.at_level(logging.WARNING):
        app = make_app(config_path)
    code = (boot / "setup-code.txt").read_text().strip()
    assert len(code.replace("-", "")) == 12
    assert code in caplog.text  # on the console log too
    client = app.test_client()
    assert client.get("/").headers["Location"].startswith("/setup")
    assert client.get("/login").headers["Location"] == "/setup"
    token = csrf_of(client.get("/setup").get_data(as_text=True))
    form = {"code": code, "password": "долгий-пароль", "password2": "долгий-пароль",
            "csrf_token": token}
    wrong = client.post("/setup", data={**form, "code": "AAAA-BBBB-CCCC"})
    assert wrong.status_code == 401 and "Неверный код" in wrong.get_data(as_text=True)
    short = client.post("/setup", data={**form, "password": "short", "password2": "short"})
    assert short.status_code == 400 and "не меньше 8" in short.get_data(as_text=True)
    mismatch = client.post("/setup", data={**form, "password2": "другой-пароль"})
    assert mismatch.status_code == 400 and auth.setup_needed(config)
    # a restart before the password is set shows the same code
    assert auth.ensure_setup_code(config) == code
    done = client.post("/setup", data={**form, "code": code.lower()})
    assert done.status_code == 302 and done.headers["Location"] == "/"
    assert client.get("/").status_code == 200  # logged in by the setup
    assert not (boot / "setup-code.txt").exists()
    stored = auth.password_file(config).read_text()
    assert "долгий-пароль" not in stored and json.loads(stored)["hash"].startswith("scrypt:")
    assert auth.password_file(config).stat().st_mode & 0o077 == 0
    # the code is spent: setup is closed, and a restart makes no new code
    assert client.get("/setup").headers["Location"] == "/login"
    assert auth.ensure_setup_code(config) is None
    other = app.test_client()
    token = csrf_of(other.get("/login").get_data(as_text=True))
    assert other.post("/setup", data={**form, "csrf_token": token}).status_code == 302
    assert auth.password_stamp(config) and login_client(other, "долгий-пароль")
    app.extensions["appliance.failed_logins"].flush("127.0.0.1")  # the window's end
    entries = read_audit(config.data_dir)
    assert [e.event for e in entries] == ["password_set", "login", "login", "login_failed"]
    assert entries[-1].data["setup_code"] == 1 and entries[-1].data["address"] == "127.0.0.1"


def test_login_attempts_are_rate_limited_per_address(web_app):
    client = web_app.test_client()
    token = csrf_of(client.get("/login").get_data(as_text=True))
    attempts = config_mod.load(web_app.config["APPLIANCE_CONFIG_PATH"]).web.login_attempts
    for _ in range(attempts):
        reply = client.post("/login", data={"password": "не тот", "csrf_token": token})
        assert reply.status_code == 401 and "Неверный пароль" in reply.get_data(as_text=True)
    blocked = client.post("/login", data={"password": PASSWORD, "csrf_token": token})
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    assert "Слишком много" in blocked.get_data(as_text=True)
    # another address is not affected
    other = web_app.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    login_client(other)
    web_app.extensions["appliance.failed_logins"].flush("127.0.0.1")  # the window's end
    entries = [e for e in read_audit(web_app.config["APPLIANCE_CONFIG_PATH"].parent / "data")
               if e.event == "login_failed"]
    assert [(e.data["failed"], e.data["blocked"]) for e in entries] == [(attempts, 1)]


def test_limiter_forgets_failures_after_the_window():
    now = [1000.0]
    limiter = FailureLimiter(attempts=3, window_s=60, clock=lambda: now[0])
    for _ in range(3):
        assert limiter.retry_after_s("a") == 0
        limiter.failed("a")
        now[0] += 1
    assert limiter.retry_after_s("a") == pytest.approx(57)
    assert limiter.retry_after_s("b") == 0
    now[0] += 57
    assert limiter.retry_after_s("a") == 0


def test_sessions_expire(tmp_path, monkeypatch):
    config_path = make_web_config(tmp_path / "box", web={"session_minutes": 30})
    auth.set_password(config_mod.load(config_path), PASSWORD)
    client = login_client(make_app(config_path).test_client())
    with client.session_transaction() as session:
        assert session["expires"] == pytest.approx(time.time() + 30 * 60, abs=5)
    assert client.get("/api/session").json["logged_in"] is True
    later = time.time() + 30 * 60 + 1
    monkeypatch.setattr(app_module, "time", types.SimpleNamespace(time=lambda: later))
    assert client.get("/api/status").status_code == 401
    assert client.get("/").headers["Location"].startswith("/login")


def test_a_new_password_ends_older_sessions(web_app, web_authed_client):
    config = config_mod.load(web_app.config["APPLIANCE_CONFIG_PATH"])
    auth.set_password(config, "новый-пароль-123")
    assert web_authed_client.get("/api/session").json["logged_in"] is False


def test_login_redirects_only_within_the_site(web_client):
    for target, expected in (("/system", "/system"), ("//evil.example/", "/"),
                             ("/\\evil.example/", "/"), ("https://evil.example/", "/")):
        token = csrf_of(web_client.get("/login").get_data(as_text=True))
        reply = web_client.post(f"/login?next={target}",
                                data={"password": PASSWORD, "csrf_token": token})
        assert reply.headers["Location"] == expected


def test_audit_page_lists_logins_newest_first_in_russian_and_english(web_authed_client):
    page = web_authed_client.get("/audit").get_data(as_text=True)
    assert "Журнал действий" in page and "Цепочка записей цела" in page
    assert page.index('data-event="login"') > 0
    web_authed_client.get("/lang/en?next=/audit")
    page = web_authed_client.get("/audit").get_data(as_text=True)
    assert "Audit log" in page and "login" in page and '<html lang="en">' in page


def test_a_script_can_do_the_first_start_and_log_in_with_json(web_config):
    app = make_app(web_config)
    config = config_mod.load(web_config)
    code = auth.setup_code_file(config).read_text().strip()
    client = app.test_client()
    info = client.get("/api/session").json
    assert info["setup_needed"] is True and info["logged_in"] is False
    headers = {"X-CSRF-Token": info["csrf_token"]}
    assert client.post("/setup", json={"code": "nope", "password": PASSWORD},
                       headers=headers).status_code == 401
    reply = client.post("/setup", json={"code": code, "password": PASSWORD}, headers=headers)
    assert reply.status_code == 200 and reply.json["ok"]
    assert client.get("/api/session").json["logged_in"] is True
    client = app.test_client()
    headers = {"X-CSRF-Token": client.get("/api/session").json["csrf_token"]}
    reply = client.post("/login", json={"password": PASSWORD}, headers=headers)
    assert reply.status_code == 200
    assert client.post("/logout", headers={"X-CSRF-Token": reply.json["csrf_token"]},
                       json={}).json == {"ok": True}


def test_an_unwritable_code_file_leaves_the_code_on_the_console(tmp_path, caplog):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    config_path = make_web_config(tmp_path / "box",
                                  web={"setup_code_file": str(blocker / "setup-code.txt")})
    with caplog.at_level(logging.WARNING):
        app = make_app(config_path)
    code = caplog.text.split("(setup code): ")[1].split()[0]
    assert "не записан" in caplog.text
    client = app.test_client()
    token = csrf_of(client.get("/setup").get_data(as_text=True))
    reply = client.post("/setup", data={"code": code, "password": PASSWORD,
                                        "password2": PASSWORD, "csrf_token": token})
    assert reply.status_code == 302
    assert not auth.setup_needed(config_mod.load(config_path))


def test_logout_ends_the_session_even_for_a_copied_cookie(web_app, web_authed_client):
    cookie = web_authed_client.get_cookie(web_app.config["SESSION_COOKIE_NAME"]).value
    copy = web_app.test_client()
    copy.set_cookie(web_app.config["SESSION_COOKIE_NAME"], cookie)
    assert copy.get("/api/session").json["logged_in"] is True
    web_authed_client.post("/logout", headers={"X-CSRF-Token": web_authed_client.csrf})
    assert copy.get("/api/session").json["logged_in"] is False
    assert copy.get("/api/status").status_code == 401
