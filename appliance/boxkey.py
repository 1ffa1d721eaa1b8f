"""The box's own Ed25519 key: it signs every export package, so a package proves which box made it.

The key pair is made once, at the recorder's first start (or by the first export): the private
key in `{data_dir}/private/box-key.pem` (folder 0700, file 0600: only the recorder's user reads
it), the public key beside it in `{data_dir}/box-key.pub.pem` for the web page and the papers.
People compare keys by the fingerprint, four groups of four characters (`fingerprint`).

The `cryptography` library is imported only where a key is made, used or checked, so the
coordinator's `verify` also runs, minus the signature check, on a Python without it.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from appliance import i18n
from appliance.errors import StorageError
from appliance.fsutil import atomic_write_bytes

PRIVATE_DIR = "private"
PRIVATE_KEY_FILE = "box-key.pem"
PUBLIC_KEY_FILE = "box-key.pub.pem"
FINGERPRINT_GROUPS = 4
FINGERPRINT_GROUP_CHARS = 4

i18n.register({
    "boxkey.unreadable": ("Ключ подписи устройства {path} не читается: {detail}",
                          "The box's signing key {path} cannot be read: {detail}"),
})


def fingerprint(public_raw: bytes) -> str:
    """`ABCD-EFGH-IJKL-MNOP`: base32 of SHA-256 of the 32 raw public key bytes, first 16 chars.

    The same with standard tools: `openssl pkey -pubin -in box-key.pem -outform DER | tail -c 32
    | openssl dgst -sha256 -binary | base32 | cut -c1-16`.
    """
    text = base64.b32encode(hashlib.sha256(public_raw).digest()).decode("ascii")
    n = FINGERPRINT_GROUP_CHARS
    return "-".join(text[i * n:(i + 1) * n] for i in range(FINGERPRINT_GROUPS))


def normalize_fingerprint(text: str) -> str:
    """A fingerprint as typed (any case, spaces or dashes) in the canonical form."""
    chars = "".join(c for c in text.upper() if c.isalnum())
    n = FINGERPRINT_GROUP_CHARS
    return "-".join(chars[i:i + n] for i in range(0, len(chars), n))


def signature_valid(public_raw: bytes, data: bytes, signature: bytes) -> bool | None:
    """Whether `signature` is the Ed25519 signature of `data`; None without `cryptography`."""
    try:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    except ImportError:
        return None
    try:
        Ed25519PublicKey.from_public_bytes(public_raw).verify(signature, data)
    except (InvalidSignature, ValueError):
        return False
    return True


def public_key_path(data_dir: str | os.PathLike) -> Path:
    return Path(data_dir) / PUBLIC_KEY_FILE


def private_key_path(data_dir: str | os.PathLike) -> Path:
    return Path(data_dir) / PRIVATE_DIR / PRIVATE_KEY_FILE


def raw_public(data_dir: str | os.PathLike) -> bytes | None:
    """The box's 32 raw public key bytes, or None while no key was made (the web page's view)."""
    from cryptography.hazmat.primitives import serialization

    try:
        pem = public_key_path(data_dir).read_bytes()
    except FileNotFoundError:
        return None
    return serialization.load_pem_public_key(pem).public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def box_fingerprint(data_dir: str | os.PathLike) -> str | None:
    """The fingerprint to show and print (System page, report, act, room sheet); None: no key."""
    raw = raw_public(data_dir)
    return fingerprint(raw) if raw else None


class BoxKey:
    """The loaded private key: signs, and knows its public half."""

    def __init__(self, private) -> None:
        from cryptography.hazmat.primitives import serialization

        self._private = private
        self.public_raw: bytes = private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_raw)

    def public_pem(self) -> bytes:
        from cryptography.hazmat.primitives import serialization

        return self._private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)

    def sign(self, data: bytes) -> bytes:
        return self._private.sign(data)


def ensure_key(data_dir: str | os.PathLike) -> BoxKey:
    """Load the box's key, making it first if there is none; raises StorageError if unreadable."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    path = private_key_path(data_dir)
    try:
        key = BoxKey(serialization.load_pem_private_key(path.read_bytes(), password=None))
    except FileNotFoundError:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(path.parent, 0o700)
        private = Ed25519PrivateKey.generate()
        atomic_write_bytes(path, private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()), mode=0o600)
        key = BoxKey(private)
    except (OSError, ValueError) as err:
        raise StorageError("boxkey.unreadable", path=path,
                           detail=getattr(err, "strerror", None) or err) from err
    public = public_key_path(data_dir)
    if not public.exists() or public.read_bytes() != key.public_pem():
        atomic_write_bytes(public, key.public_pem(), mode=0o644)
    return key


def main(argv: list[str]) -> int:
    """`python -m appliance.boxkey DATA_DIR`: make or check the key there; what is wrong with
    it is printed. The recorder runs this in a child process at its start."""
    try:
        ensure_key(argv[0])
    except StorageError as err:
        print(err)
        return 1
    return 0


if __name__ == "__main__":
    import sys

    raise SystemExit(main(sys.argv[1:]))
