"""The box's key: made once, private to its user, and checkable with openssl alone."""

import json
import re
import stat
import subprocess

import pytest

from appliance.boxkey import (
    box_fingerprint,
    ensure_key,
    fingerprint,
    normalize_fingerprint,
    private_key_path,
    public_key_path,
)
from appliance.errors import StorageError
from appliance.export.exporter import export_days

ROOM = "2027-02-10_ОО-640101/ауд-0005"


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_key_is_made_once_with_private_file_modes(tmp_path):
    assert box_fingerprint(tmp_path) is None  # no key yet: the page says so
    key = ensure_key(tmp_path)
    assert mode(private_key_path(tmp_path)) == 0o600
    assert mode(private_key_path(tmp_path).parent) == 0o700
    assert mode(public_key_path(tmp_path)) == 0o644
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){3}", key.fingerprint)
    again = ensure_key(tmp_path)
    assert again.public_raw == key.public_raw and box_fingerprint(tmp_path) == key.fingerprint
    assert ensure_key(tmp_path / "other").fingerprint != key.fingerprint
    assert normalize_fingerprint(key.fingerprint.lower().replace("-", " ")) == key.fingerprint


def test_unreadable_key_is_a_clear_error(tmp_path):
    ensure_key(tmp_path)
    private_key_path(tmp_path).write_bytes(b"garbage")
    with pytest.raises(StorageError) as err:
        ensure_key(tmp_path)
    assert err.value.code == "boxkey.unreadable" and "не читается" in str(err.value)


def test_openssl_alone_checks_signature_and_fingerprint(data_dir, small_day, tmp_path):
    """The commands docs/FORMATS.md gives the coordinator, run as written."""
    dest = tmp_path / "dest"
    dest.mkdir()
    export_days(data_dir, dest)
    room = dest / ROOM
    shell = lambda cmd: subprocess.run(cmd, shell=True, cwd=room, capture_output=True,  # noqa: E731
                                       text=True)
    check = shell("openssl pkeyutl -verify -pubin -inkey box-key.pem -rawin "
                  "-in manifest.json -sigfile manifest.json.sig")
    assert check.returncode == 0 and "Signature Verified Successfully" in check.stdout
    printed = shell("openssl pkey -pubin -in box-key.pem -outform DER | tail -c 32 "
                    "| openssl dgst -sha256 -binary | base32 | cut -c1-16").stdout.strip()
    assert normalize_fingerprint(printed) == box_fingerprint(data_dir)
    manifest = json.loads((room / "manifest.json").read_bytes())
    assert manifest["box"]["fingerprint"] == box_fingerprint(data_dir)
    assert fingerprint(ensure_key(data_dir).public_raw) == box_fingerprint(data_dir)
    assert shell("sha256sum -c --quiet SHA256SUMS").returncode == 0

    (room / "manifest.json").write_bytes((room / "manifest.json").read_bytes().replace(
        b'"bytes": ', b'"bytes": 1', 1))
    tampered = shell("openssl pkeyutl -verify -pubin -inkey box-key.pem -rawin "
                     "-in manifest.json -sigfile manifest.json.sig")
    assert tampered.returncode != 0 and "Signature Verification Failure" in tampered.stdout


def test_the_recorder_starts_even_when_its_key_is_unreadable(tmp_path, caplog):
    from appliance.daemon.process import make_box_key

    make_box_key(tmp_path)
    made = box_fingerprint(tmp_path)
    assert made
    private_key_path(tmp_path).write_bytes(b"garbage")
    make_box_key(tmp_path)  # logged, never raised: recording comes first
    assert "не читается" in caplog.text
    assert box_fingerprint(tmp_path) == made  # the public half is left as it was
