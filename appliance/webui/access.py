"""Login, logout, first-start setup, language switch and the audit log page.

Failed logins and setup codes count against the client address (ratelimit.FailureLimiter);
every login, logout and password change goes into the audit journal, and failed or blocked
attempts as one line per address and window (loginaudit).
"""

from __future__ import annotations

import time

from flask import (
    Blueprint,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from appliance import i18n
from appliance.contract.audit import AuditEvent, audit_path, log_event, read_audit
from appliance.errors import ApplianceError
from appliance.journal import verify_chain
from appliance.webui import auditview, auth
from appliance.webui.loginaudit import FailedLogins
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
from appliance.webui.ratelimit import FailureLimiter

bp = Blueprint("access", __name__)

AUDIT_PAGE_ROWS = 500


i18n.register({
    "access.login": ("Вход", "Log in"),
    "access.password": ("Пароль", "Password"),
    "access.password2": ("Пароль ещё раз", "Password again"),
    "access.submit": ("Войти", "Log in"),
    "access.setup": ("Первый запуск: задайте пароль", "First start: set the password"),
    "access.setup.explain": (
        "Пароля по умолчанию нет. Введите код первого входа: он записан в файл {path} "
        "(на карте памяти, раздел загрузки) и выведен на экран консоли регистратора. "
        "После сохранения пароля код перестаёт действовать.",
        "There is no default password. Enter the setup code: it is written to the file "
        "{path} (on the memory card, boot partition) and shown on the recorder's console. "
        "The code stops working once the password is saved."),
    "access.code": ("Код первого входа", "Setup code"),
    "access.save_password": ("Сохранить пароль", "Save password"),
    "access.change": ("Смена пароля", "Change the password"),
    "access.change.explain": ("После смены пароля все остальные входы (другие браузеры и "
                              "телефоны) завершатся, этот останется.",
                              "After the change every other login (other browsers and phones) "
                              "ends; this one stays."),
    "access.old_password": ("Текущий пароль", "Current password"),
    "access.new_password": ("Новый пароль", "New password"),
    "access.changed": ("Пароль изменён. Остальные входы завершены.",
                       "Password changed. Every other login has ended."),
    "access.blocked": ("Слишком много неудачных попыток входа с этого адреса. "
                       "Повторите через {seconds} с", "Too many failed attempts from this "
                       "address. Try again in {seconds} s"),
    "access.blocked.hint": ("Это защита от подбора пароля", "This protects against "
                            "password guessing"),
    "audit.title": ("Журнал действий", "Audit log"),
    "audit.time": ("Время", "Time"),
    "audit.event": ("Событие", "Event"),
    "audit.details": ("Подробности", "Details"),
    "audit.chain_ok": ("Цепочка записей цела (записей: {count})",
                       "The chain of entries is intact ({count} entries)"),
    "audit.chain_broken": ("Цепочка записей нарушена начиная с записи № {seq}",
                           "The chain of entries is broken from entry {seq}"),
    "audit.empty": ("Записей пока нет", "No entries yet"),
    "audit.shown": ("Показаны последние {shown} из {count}", "Showing the last {shown} of "
                    "{count}"),
    "audit.ev.login": ("вход", "login"),
    "audit.ev.login_failed": ("неудачный вход", "failed login"),
    "audit.ev.login_blocked": ("вход заблокирован", "login blocked"),
    "audit.ev.logout": ("выход", "logout"),
    "audit.ev.password_set": ("пароль задан", "password set"),
    "audit.ev.recorder_control": ("управление записью", "recording control"),
    "audit.ev.settings_changed": ("изменены настройки", "settings changed"),
    "audit.ev.download": ("скачан файл", "file downloaded"),
    "audit.ev.exported": ("выгрузка на USB", "USB export"),
    "audit.ev.export_failed": ("выгрузка не удалась", "export failed"),
    "audit.ev.clip_made": ("вырезан фрагмент участника", "participant clip made"),
    "audit.ev.purged": ("записи удалены", "recordings deleted"),
    "audit.ev.purge_started": ("начато удаление записей", "deletion started"),
    "audit.ev.clock_set": ("установлены часы", "clock set"),
})


def _limiter() -> FailureLimiter:
    limiter = current_app.extensions.get("appliance.limiter")
    if limiter is None:
        web = current_config().web
        limiter = FailureLimiter(web.login_attempts, web.login_window_s)
        current_app.extensions["appliance.limiter"] = limiter
    return limiter


def _failed_logins() -> FailedLogins:
    failures = current_app.extensions.get("appliance.failed_logins")
    if failures is None:
        data_dir = current_config().data_dir
        failures = FailedLogins(lambda **counts: log_event(
            data_dir, AuditEvent.LOGIN_FAILED, source="web", **counts))
        current_app.extensions["appliance.failed_logins"] = failures
    return failures


def _address() -> str:
    return request.remote_addr or "unknown"


def audit(event: str, **data: object) -> None:
    """One audit line saying the web page did it, and from which address."""
    log_event(current_config().data_dir, event, source="web", remote=_address(), **data)


def _field(name: str) -> str:
    data = request.get_json(silent=True) if request.is_json else request.form
    value = (data or {}).get(name, "")
    return value if isinstance(value, str) else ""


def _safe_next() -> str:
    target = request.args.get("next") or request.form.get("next") or "/"
    return target if target.startswith("/") and target[1:2] not in ("/", "\\") else "/"


def _begin_session() -> None:
    config = current_config()
    lang = session.get("lang")
    session.clear()
    session.update(user="technician", expires=time.time() + config.web.session_minutes * 60,
                   pw=auth.password_stamp(config), sid=auth.new_session_id())
    if lang:
        session["lang"] = lang
    csrf_token()


def _refuse_if_blocked(template: str, **context):
    """A 429 reply (with Retry-After) while this address is over its failure limit."""
    wait_s = _limiter().retry_after_s(_address())
    if wait_s <= 0:
        return None
    _failed_logins().blocked(_address())
    seconds = int(wait_s) + 1
    reply = make_response(_form_page(template, ApplianceError("access.blocked", seconds=seconds),
                                     429, **context))
    reply.headers["Retry-After"] = str(seconds)
    return reply


def _form_page(template: str, error: ApplianceError | None, status: int, **context):
    if wants_json():
        return error_reply(error, status)
    shown = {"text": t(error.code, **error.params),
             "hint": optional_text(f"{error.code}.hint", **error.params)}
    return render_template(template, error=shown, next=_safe_next(), **context), status


@bp.route("/login", methods=["GET", "POST"])
def login():
    config = current_config()
    if auth.setup_needed(config):
        return redirect(url_for("access.setup"))
    if request.method == "GET":
        return render_template("login.html", error=None, next=_safe_next())
    blocked = _refuse_if_blocked("login.html")
    if blocked:
        return blocked
    try:
        auth.check_password(config, _field("password"))
    except auth.AuthError as err:
        _limiter().failed(_address())
        _failed_logins().failed(_address())
        return _form_page("login.html", err, 401)
    _begin_session()
    audit(AuditEvent.LOGIN)
    if wants_json():
        return jsonify({"ok": True, "csrf_token": csrf_token()})
    return redirect(_safe_next())


@bp.route("/logout", methods=["POST"])
def logout():
    audit(AuditEvent.LOGOUT)
    auth.revoke(session.get("sid", ""), session.get("expires", 0))
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    if wants_json():
        return jsonify({"ok": True})
    return redirect(url_for("access.login"))


@bp.route("/setup", methods=["GET", "POST"])
def setup():
    config = current_config()
    if not auth.setup_needed(config):
        return redirect(url_for("access.login"))
    context = {"code_path": auth.setup_code_file(config)}
    if request.method == "GET":
        return render_template("setup.html", error=None, next="/", **context)
    blocked = _refuse_if_blocked("setup.html", **context)
    if blocked:
        return blocked
    try:
        auth.check_setup_code(config, _field("code"))
    except auth.AuthError as err:
        _limiter().failed(_address())
        _failed_logins().failed(_address(), setup_code=True)
        return _form_page("setup.html", err, 401, **context)
    try:
        repeated = _field("password2") if "password2" in (request.form or {}) else None
        auth.set_password(config, _field("password"), repeated)
    except auth.AuthError as err:
        return _form_page("setup.html", err, 400, **context)
    audit(AuditEvent.PASSWORD_SET)
    _begin_session()
    audit(AuditEvent.LOGIN)
    if wants_json():
        return jsonify({"ok": True, "csrf_token": csrf_token()})
    return redirect("/")


@bp.route("/password", methods=["GET", "POST"])
def change_password():
    """Old password and the new one twice; the other sessions end, this one goes on."""
    if request.method == "GET":
        return render_template("password.html", error=None, done=False)
    blocked = _refuse_if_blocked("password.html", done=False)
    if blocked:
        return blocked
    try:
        auth.change_password(current_config(), _field("old_password"), _field("password"),
                             _field("password2"))
    except auth.AuthError as err:
        if err.code == "auth.bad_password":
            _limiter().failed(_address())
            _failed_logins().failed(_address())
        return _form_page("password.html", err, 400 if err.code != "auth.bad_password" else 401,
                          done=False)
    _begin_session()
    audit(AuditEvent.PASSWORD_CHANGED)
    if wants_json():
        return jsonify({"ok": True, "csrf_token": csrf_token()})
    return render_template("password.html", error=None, done=True)


@bp.route("/lang/<code>")
def language(code: str):
    if code in ("ru", "en"):
        session["lang"] = code
    return redirect(_safe_next())


@bp.route("/api/session")
def session_info():
    """For scripts: the CSRF token to send, whether logged in, whether setup is pending."""
    return jsonify({"ok": True, "csrf_token": csrf_token(), "logged_in": logged_in(),
                    "setup_needed": auth.setup_needed(current_config())})


@bp.route("/audit")
def audit_page():
    data_dir = current_config().data_dir
    entries = read_audit(data_dir)
    broken = verify_chain(audit_path(data_dir)) if entries else None
    kind = request.args.get("kind", "")
    kinds = auditview.kinds(current_language())
    if kind not in {value for value, _ in kinds}:
        kind = ""
    rows = auditview.rows(entries, kind, current_language(), current_config())
    return render_template("audit.html", rows=rows[:AUDIT_PAGE_ROWS], matching=len(rows),
                           count=len(entries), broken=broken, kinds=kinds, kind=kind)

