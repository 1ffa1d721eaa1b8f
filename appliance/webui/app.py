"""The technician's web page: the Flask app, its access gate, CSRF check and error pages.

Every page module named in PAGE_MODULES contributes a blueprint `bp`. The gate in
`before_request` makes every endpoint need a logged-in session except PUBLIC_ENDPOINTS, so a
page module cannot forget it; likewise every state-changing request must carry the session's
CSRF token. The web page holds no recording state: it talks to the recorder only through the
control socket (pagekit.recorder), so it may crash or restart at any time.
"""

from __future__ import annotations

import hmac
import importlib
import logging
import os
import secrets
import time
from pathlib import Path

from flask import Flask, g, redirect, request, session, url_for
from werkzeug.exceptions import HTTPException

from appliance import __version__, i18n
from appliance import config as config_mod
from appliance.errors import (
    ApplianceError,
    ClockError,
    ConfigError,
    ControlError,
    StateError,
    StorageError,
)
from appliance.fsutil import atomic_write_bytes
from appliance.webui import guard
from appliance.webui.localtime import local_date, zone_name
from appliance.webui.pagekit import (
    csrf_token,
    current_config,
    current_language,
    error_reply,
    logged_in,
    optional_text,
    t,
    wants_json,
)

log = logging.getLogger(__name__)

PAGE_MODULES = (
    "appliance.webui.access",
    "appliance.webui.dashboard",
    "appliance.webui.system",
    "appliance.webui.participants",
    "appliance.webui.settings",
    "appliance.webui.testwizard",
    "appliance.webui.recordings",
    "appliance.webui.retention",
    "appliance.webui.school",
)

PUBLIC_ENDPOINTS = frozenset({"access.login", "access.setup", "access.language",
                              "access.session_info", "static",
                              "school.summary"})
"""school.summary answers other boxes without a session, only to requests signed with the
school's pairing key (appliance/webui/school.py)."""

# Navigation: (URL, i18n key); links to pages whose module is not registered are left out.
NAV = (
    ("/", "nav.dashboard"),
    ("/settings", "nav.settings"),
    ("/test", "nav.test"),
    ("/recordings", "nav.recordings"),
    ("/participants", "nav.participants"),
    ("/retention", "nav.retention"),
    ("/school", "nav.school"),
    ("/system", "nav.system"),
    ("/audit", "nav.audit"),
)

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_HEADER = "X-CSRF-Token"

ERROR_STATUS = ((StateError, 409), (ConfigError, 400), (ClockError, 409),
                (ControlError, 503), (StorageError, 507))

i18n.register({
    "web.title": ("Регистратор собеседования", "Interview recorder"),
    "nav.dashboard": ("Запись", "Recording"),
    "nav.settings": ("Настройки", "Settings"),
    "nav.test": ("Проверка звука", "Sound test"),
    "nav.recordings": ("Записи", "Recordings"),
    "nav.participants": ("Участники", "Participants"),
    "nav.system": ("Система", "System"),
    "nav.school": ("Все аудитории", "All rooms"),
    "nav.retention": ("Хранение", "Retention"),
    "nav.audit": ("Журнал действий", "Audit log"),
    "nav.logout": ("Выйти", "Log out"),
    "nav.menu": ("Меню", "Menu"),
    "nav.password": ("Пароль", "Password"),
    "web.login_required": ("Нужно войти: сеанс не начат или истёк",
                           "Please log in: no session or it has expired"),
    "web.login_required.hint": ("Откройте страницу входа и введите пароль",
                                "Open the login page and enter the password"),
    "web.csrf": ("Запрос отклонён: нет ключа защиты формы (CSRF)",
                 "Request refused: the form protection (CSRF) token is missing"),
    "web.csrf.hint": ("Обновите страницу и повторите действие",
                      "Reload the page and try again"),
    "web.http_error": ("Ошибка {status}: {name}", "Error {status}: {name}"),
    "web.http.400": ("неверный запрос", "Bad request"),
    "web.http.403": ("доступ запрещён", "Forbidden"),
    "web.http.404": ("страница не найдена", "Not found"),
    "web.http.405": ("такой запрос здесь не принимается", "Method not allowed"),
    "web.http_error.hint": ("Вернитесь на главную страницу", "Go back to the main page"),
    "web.internal": ("Внутренняя ошибка веб-страницы: {detail}",
                     "Internal error of the web page: {detail}"),
    "web.internal.hint": ("Подробности — в журнале на странице «Система»",
                          "Details are in the log on the System page"),
})


# ----- the app --------------------------------------------------------------------------------
def create_app(config_path: str | os.PathLike | None = None, *, testing: bool = False) -> Flask:
    path = config_mod.resolve_path(config_path)
    config = config_mod.load(path)
    app = Flask(__name__)
    app.config.update(APPLIANCE_CONFIG_PATH=path, TESTING=testing,
                      SECRET_KEY=_secret_key(config.data_dir),
                      SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      SESSION_COOKIE_NAME="appliance_session", JSON_AS_ASCII=False)
    app.json.ensure_ascii = False
    app.extensions["appliance.config"] = {}
    app.jinja_env.globals.update(t=t, csrf_token=csrf_token, nav_items=_nav_items,
                                 lang=current_language, version=__version__,
                                 logged_in=logged_in,
                                 box_timezone=lambda: zone_name(current_config()))
    app.jinja_env.filters["local_date"] = local_date
    app.jinja_env.filters["decimal"] = lambda value, digits=1: i18n.decimal(
        value, digits, current_language())
    for name in PAGE_MODULES:
        app.register_blueprint(importlib.import_module(name).bp)
    app.before_request(_guard)
    app.before_request(_gate)
    app.after_request(guard.add_headers)
    app.register_error_handler(ApplianceError, _appliance_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _internal_error)
    from appliance.webui.auth import ensure_setup_code
    ensure_setup_code(config)
    return app


def _secret_key(data_dir: Path) -> bytes:
    """Kept in the data dir, so sessions survive a restart of the web page."""
    path = data_dir / "web" / "secret.key"
    try:
        key = path.read_bytes()
        if len(key) >= 32:
            return key
    except FileNotFoundError:
        pass
    key = secrets.token_bytes(32)
    atomic_write_bytes(path, key)
    os.chmod(path, 0o600)
    return key


def _nav_items() -> list[tuple[str, str, bool]]:
    """(url, label, is current page) for each page this app has."""
    from flask import current_app
    rules = {rule.rule for rule in current_app.url_map.iter_rules()}
    here = request.path
    return [(url, t(key), here == url or (url != "/" and here.startswith(url + "/")))
            for url, key in NAV if url in rules]


def _gate():
    """Session expiry, login and CSRF for every request (see module docstring)."""
    from appliance.webui import auth
    g.user = None
    if session.get("user"):
        expires = session.get("expires", 0)
        if (time.time() < expires and not auth.revoked(session.get("sid", ""))
                and session.get("pw") == auth.password_stamp(current_config())):
            g.user = session["user"]
        else:
            session.pop("user", None)
    if request.endpoint not in PUBLIC_ENDPOINTS and not g.user:
        if wants_json() or request.method in UNSAFE_METHODS:
            return error_reply(ApplianceError("web.login_required"), 401)
        target = "access.setup" if auth.setup_needed(current_config()) else "access.login"
        return redirect(url_for(target, next=request.full_path.rstrip("?")))
    if request.method in UNSAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER) or request.form.get("csrf_token") or ""
        if not hmac.compare_digest(sent, session.get("csrf", "\0")):
            return error_reply(ApplianceError("web.csrf"), 403)
    return None


def _guard():
    """Foreign host names and oversized bodies, refused before the session is looked at."""
    refusal = guard.refuse_foreign_host(current_config(), t)
    if refusal is not None:
        return refusal
    too_big = guard.oversized_body()
    return None if too_big is None else error_reply(too_big, 413)


def _appliance_error(err: ApplianceError):
    status = next((code for cls, code in ERROR_STATUS if isinstance(err, cls)), 400)
    return error_reply(err, status)


def _http_error(err: HTTPException):
    if err.code and err.code < 400:
        return err
    if err.code == 413:
        return error_reply(guard.too_big(), 413)
    name = optional_text(f"web.http.{err.code}") or err.name
    return error_reply(ApplianceError("web.http_error", status=err.code, name=name),
                       err.code or 500)


def _internal_error(err: Exception):
    log.exception("request %s %s failed", request.method, request.path)
    return error_reply(ApplianceError("web.internal", detail=type(err).__name__), 500)
