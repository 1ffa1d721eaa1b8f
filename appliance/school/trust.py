"""Pairing: a key shared by the boxes of one school, and the signatures made with it.

The technician types the same school passphrase on every box once. Each box derives the same
32-byte key from it with scrypt (salted with the school code, so one passphrase gives different
keys in different schools) and keeps only the key, in the web page's own state
(`{data_dir}/web/school-pairing.json`, mode 0600), never beside the recordings.

A summary request carries the sender's box id, a timestamp and a random nonce, signed with
HMAC-SHA256; the answering box refuses a bad signature, a timestamp outside REPLAY_WINDOW_S and
a nonce it has already seen. The reply is signed over the request's nonce and the body, so the
asking box knows the answer comes from a paired box and is fresh.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from pathlib import Path

from appliance import i18n
from appliance.errors import ConfigError
from appliance.fsutil import atomic_write_bytes

PAIRING_FILE = Path("web") / "school-pairing.json"
BOX_ID_FILE = Path("web") / "school-box-id"
MIN_PASSPHRASE_CHARS = 12
SCRYPT = {"n": 2**14, "r": 8, "p": 1, "maxmem": 64 * 1024 * 1024, "dklen": 32}
REPLAY_WINDOW_S = 300.0
HEADER_BOX, HEADER_TIME, HEADER_NONCE = "X-School-Box", "X-School-Time", "X-School-Nonce"
HEADER_SIGNATURE = "X-School-Signature"

i18n.register({
    "school.passphrase": ("Пароль школы", "School passphrase"),
    "school.passphrase_short": ("Пароль школы короче {min} символов",
                                "The school passphrase is shorter than {min} characters"),
    "school.no_school_code": ("Не задан код ОО (раздел [site]): сопряжение невозможно",
                              "The school code is not set ([site]): cannot pair"),
})


def derive_key(passphrase: str, school: str) -> bytes:
    """The school's shared key: scrypt(passphrase, salt = school code), 32 bytes."""
    if len(passphrase) < MIN_PASSPHRASE_CHARS:
        raise ConfigError("school.passphrase_short", min=MIN_PASSPHRASE_CHARS)
    if not school:
        raise ConfigError("school.no_school_code")
    salt = f"appliance-school:{school}".encode()
    return hashlib.scrypt(passphrase.encode("utf-8"), salt=salt, **SCRYPT)


def key_id(key: bytes) -> str:
    """A short public name of the key, shown to check that two boxes hold the same one."""
    return hashlib.sha256(b"appliance-school-key-id" + key).hexdigest()[:8].upper()


def save_key(data_dir: Path, key: bytes, school: str) -> None:
    body = json.dumps({"key": key.hex(), "school": school, "paired_at": time.time()})
    path = data_dir / PAIRING_FILE
    atomic_write_bytes(path, body.encode())
    os.chmod(path, 0o600)


def load_key(data_dir: Path, school: str) -> bytes | None:
    """The pairing key, or None when unpaired (or paired for another school code)."""
    try:
        stored = json.loads((data_dir / PAIRING_FILE).read_text())
        key = bytes.fromhex(stored["key"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return key if stored.get("school") == school and len(key) == 32 else None


def forget_key(data_dir: Path) -> None:
    (data_dir / PAIRING_FILE).unlink(missing_ok=True)


def box_id(data_dir: Path) -> str:
    """This box's random id, made at first use: names the box to the others."""
    path = data_dir / BOX_ID_FILE
    try:
        text = path.read_text().strip()
        if text:
            return text
    except FileNotFoundError:
        pass
    text = secrets.token_hex(8)
    atomic_write_bytes(path, text.encode())
    return text


def _mac(key: bytes, *parts: str | bytes) -> str:
    data = b"\n".join(p.encode() if isinstance(p, str) else p for p in parts)
    return hmac.new(key, data, hashlib.sha256).hexdigest()


def request_headers(key: bytes, sender: str, path: str, now: float | None = None) -> dict:
    stamp = f"{time.time() if now is None else now:.3f}"
    nonce = secrets.token_hex(16)
    return {HEADER_BOX: sender, HEADER_TIME: stamp, HEADER_NONCE: nonce,
            HEADER_SIGNATURE: _mac(key, "request", path, sender, stamp, nonce)}


def reply_signature(key: bytes, nonce: str, body: bytes) -> str:
    return _mac(key, "reply", nonce, body)


def reply_valid(key: bytes, nonce: str, body: bytes, signature: str) -> bool:
    return hmac.compare_digest(reply_signature(key, nonce, body), signature or "")


class RequestChecker:
    """Checks signed requests and remembers the nonces seen within the replay window
    (thread-safe: the web server answers on several threads)."""

    def __init__(self, window_s: float = REPLAY_WINDOW_S) -> None:
        self.window_s = window_s
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def check(self, key: bytes, path: str, headers, now: float | None = None) -> bool:
        now = time.time() if now is None else now
        sender, stamp = headers.get(HEADER_BOX, ""), headers.get(HEADER_TIME, "")
        nonce, signature = headers.get(HEADER_NONCE, ""), headers.get(HEADER_SIGNATURE, "")
        if not (sender and nonce and signature):
            return False
        try:
            sent_at = float(stamp)
        except ValueError:
            return False
        if abs(now - sent_at) > self.window_s:
            return False
        if not hmac.compare_digest(_mac(key, "request", path, sender, stamp, nonce), signature):
            return False
        with self._lock:
            for old, seen_at in list(self._seen.items()):
                if now - seen_at > 2 * self.window_s:
                    del self._seen[old]
            if nonce in self._seen:
                return False
            self._seen[nonce] = now
        return True
