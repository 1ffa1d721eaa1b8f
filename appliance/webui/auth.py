"""The page's one password: no default, set once with a code only physical access reveals.

At first start (no password yet) a one-time setup code is written to `[web] setup_code_file`
(the image puts it on the FAT boot partition, readable by taking out the SD card or on the
HDMI console) and printed to the console log. Whoever types that code sets the password; the
code is then deleted. The password is kept only as a salted scrypt hash.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
import time
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

from appliance import i18n
from appliance.config import Config
from appliance.errors import ApplianceError, StateError
from appliance.fsutil import atomic_write_bytes

log = logging.getLogger(__name__)

MIN_PASSWORD_CHARS = 8
# scrypt N=2^14, r=8, p=5: one of OWASP's equivalent scrypt settings, chosen for 16 MB of
# memory per check (werkzeug's default N=2^15 would briefly take 32 MB of a small Pi's RAM).
HASH_METHOD = "scrypt:16384:8:5"
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off a screen
CODE_GROUPS, CODE_GROUP_CHARS = 3, 4
_CODES_IN_MEMORY: dict[Path, str] = {}  # codes whose file could not be written
_REVOKED: dict[str, float] = {}  # session id -> when that session would have expired

i18n.register({
    "auth.bad_password": ("Неверный пароль", "Wrong password"),
    "auth.bad_password.hint": ("Проверьте раскладку клавиатуры и Caps Lock",
                               "Check the keyboard layout and Caps Lock"),
    "auth.bad_code": ("Неверный код первого входа", "Wrong setup code"),
    "auth.bad_code.hint": ("Код — в файле {path} на карте памяти и в журнале консоли",
                           "The code is in the file {path} on the memory card and in the "
                           "console log"),
    "auth.short_password": ("Пароль слишком короткий: нужно не меньше {min} символов",
                            "The password is too short: at least {min} characters"),
    "auth.mismatch": ("Пароли не совпадают", "The passwords do not match"),
    "auth.already_set": ("Пароль уже задан", "The password is already set"),
    "auth.already_set.hint": ("Войдите со своим паролем", "Log in with your password"),
})


class AuthError(ApplianceError, PermissionError):
    """A wrong password or setup code, or an unacceptable new password."""


def web_dir(config: Config) -> Path:
    """The page's own state (password hash, session key, caches), apart from the evidence:
    the page may read the recordings but writes only here and to the audit journal."""
    return config.data_dir / "web"


def password_file(config: Config) -> Path:
    return web_dir(config) / "password.json"


def setup_code_file(config: Config) -> Path:
    return Path(config.web.setup_code_file or config.data_dir / "setup-code.txt")


def setup_needed(config: Config) -> bool:
    return not password_file(config).exists()


def password_stamp(config: Config) -> str:
    """A short fingerprint of the stored hash: sessions made before a password change end."""
    try:
        stored = password_file(config).read_bytes()
    except FileNotFoundError:
        return ""
    return hashlib.sha256(stored).hexdigest()[:16]


def new_code() -> str:
    return "-".join("".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUP_CHARS))
                    for _ in range(CODE_GROUPS))


def ensure_setup_code(config: Config) -> str | None:
    """When no password is set: the setup code (made and written if there is none yet),
    printed to the log for the console. None once the password is set. When the file cannot
    be written (a read-only boot partition), the code lives in memory and on the console only."""
    if not setup_needed(config):
        return None
    path = setup_code_file(config)
    code = _stored_code(path)
    if not code:
        code = new_code()
        try:
            atomic_write_bytes(path, (code + "\n").encode("ascii"))
        except OSError as err:
            log.error("Код первого входа не записан в %s (%s): он только в этом журнале", path,
                      err)
            _CODES_IN_MEMORY[path] = code
    log.warning("Код первого входа на веб-страницу (setup code): %s (файл %s)", code, path)
    return code


def _stored_code(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return _CODES_IN_MEMORY.get(path, "")


def check_setup_code(config: Config, code: str) -> None:
    if not setup_needed(config):
        raise StateError("auth.already_set")
    path = setup_code_file(config)
    expected = _code_letters(_stored_code(path))
    if not expected or not hmac.compare_digest(_code_letters(code).encode(), expected.encode()):
        raise AuthError("auth.bad_code", path=path)


def _code_letters(code: str) -> str:
    """The code as typed in any case, with or without its dashes or spaces."""
    return "".join(ch for ch in code.upper() if ch.isascii() and ch.isalnum())


def set_password(config: Config, password: str, repeated: str | None = None) -> None:
    """Store the password's hash (atomically, 0600) and consume the setup code."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise AuthError("auth.short_password", min=MIN_PASSWORD_CHARS)
    if repeated is not None and repeated != password:
        raise AuthError("auth.mismatch")
    record = {"hash": generate_password_hash(password, method=HASH_METHOD),
              "set_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    path = password_file(config)
    atomic_write_bytes(path, json.dumps(record).encode())
    os.chmod(path, 0o600)
    code_path = setup_code_file(config)
    _CODES_IN_MEMORY.pop(code_path, None)
    try:
        code_path.unlink(missing_ok=True)
    except OSError as err:  # a read-only boot partition: the code is useless from now on
        log.error("Код первого входа %s не удалён: %s", code_path, err)


def change_password(config: Config, old: str, new: str, repeated: str) -> None:
    """A new password for one who knows the old one; every session made before it ends
    (their password stamp no longer matches)."""
    check_password(config, old)
    set_password(config, new, repeated)


def check_password(config: Config, password: str) -> None:
    try:
        stored = json.loads(password_file(config).read_text(encoding="utf-8"))["hash"]
    except (FileNotFoundError, ValueError, KeyError):
        stored = ""
    if not stored or not check_password_hash(stored, password):
        raise AuthError("auth.bad_password")


def new_session_id() -> str:
    return secrets.token_urlsafe(16)


def revoke(session_id: str, expires: float) -> None:
    """End a session before its time (logout): its cookie no longer opens anything, and its
    event streams close. Kept in memory, which is enough for the rest of its lifetime unless
    the page restarts."""
    now = time.time()
    for old in [sid for sid, until in _REVOKED.items() if until < now]:
        del _REVOKED[old]
    _REVOKED[session_id] = expires


def revoked(session_id: str) -> bool:
    return session_id in _REVOKED
