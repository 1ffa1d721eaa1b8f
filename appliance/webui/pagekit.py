"""What every page module needs from the app: settings, language, texts, CSRF, errors,
the recorder and the audit journal.

The app (app.py) registers the page modules; they take these helpers from here and never
import the app back. The web page holds no recording state: it asks the recorder over its
control socket (`recorder`), so it may crash or restart at any time.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from flask import current_app, g, has_request_context, jsonify, render_template, request, session

from appliance import config as config_mod
from appliance import i18n
from appliance.config import Config
from appliance.contract.audit import AuditEvent, log_event
from appliance.contract.control import ControlClient
from appliance.errors import ApplianceError

RECORDER_TIMEOUT_S = 15.0


def config_path() -> Path:
    """The settings file this app reads and the settings page writes."""
    return current_app.config["APPLIANCE_CONFIG_PATH"]


def current_config() -> Config:
    """The settings, re-read whenever the file changed (the settings page saves it)."""
    cache = current_app.extensions["appliance.config"]
    path = config_path()
    try:
        stamp = path.stat().st_mtime_ns
    except FileNotFoundError:
        stamp = None
    if cache.get("stamp", ...) != stamp:
        cache["config"], cache["stamp"] = config_mod.load(path), stamp
    return cache["config"]


def current_language() -> str:
    """The page language: the session's choice, else the configured default."""
    lang = session.get("lang") if _has_request() else None
    return lang if lang in ("ru", "en") else current_config().web.language


def t(key: str, **params: object) -> str:
    """A user-facing message in the page language (also the Jinja global `t`), numbers with
    the language's decimal separator."""
    lang = current_language()
    return i18n.text(key, lang, **i18n.localized(params, lang))


def optional_text(key: str, **params: object) -> str:
    """The message `key` in the page language, or "" when no such message exists (hints)."""
    try:
        return i18n.text(key, current_language(), **params)
    except KeyError:
        return ""


def csrf_token() -> str:
    """This session's CSRF token, made on first use (Jinja global `csrf_token()`)."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def logged_in() -> bool:
    return bool(g.get("user"))


def wants_json() -> bool:
    return (request.path.startswith("/api/") or request.is_json
            or request.accept_mimetypes.best == "application/json")


def error_reply(err: ApplianceError, status: int):
    """`{"ok": false, "error": {...}}` for scripts, an error page for people."""
    body = {"code": err.code, "text": err.message(current_language()),
            "hint": optional_text(f"{err.code}.hint", **err.params)}
    if wants_json():
        return jsonify({"ok": False, "error": body}), status
    return render_template("error.html", error=body), status


def _has_request() -> bool:
    return has_request_context()


def cache_dir(name: str) -> Path:
    """A cache of the page's own (waveform peaks, clips being sent), inside its state dir."""
    from appliance.webui.auth import web_dir
    return web_dir(current_config()) / "cache" / name


def recorder(cmd: str, timeout_s: float = RECORDER_TIMEOUT_S, **args: Any) -> Any:
    """The recorder's reply to a control command: the page's only way to the recorder, its
    control socket. ApplianceError (shown in the page language) when it refuses or is down.
    A longer `timeout_s` is for the commands that answer only after a recording (the test)."""
    return ControlClient(current_config().recording.socket_path(), timeout_s).call(cmd, **args)


def audit(event: AuditEvent, **data: object) -> None:
    """One line in the audit journal, saying that the web page did it and from where."""
    log_event(current_config().data_dir, event, source="web", remote=request.remote_addr or "",
              **data)
