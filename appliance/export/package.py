"""The signed package: `manifest.json` plus its detached Ed25519 signature, sealing a folder.

`seal_package` is the one writer of a package's seal, for a room's day on an export drive and
for any other package the box hands over. It writes, in this order and each with read-back
verification: the box's public key (`box-key.pem`), `SHA256SUMS` (for `sha256sum -c`),
`manifest.json` (every file's name, size and SHA-256; the box's id, public key and fingerprint;
the journal's head; the export time) and last `manifest.json.sig`, the raw 64-byte Ed25519
signature of manifest.json's exact bytes. A folder with a signature is a finished package.

Reading (`parse_manifest`) is standard library only, for the coordinator's `verify`.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import platform
from pathlib import Path

from appliance.boxkey import BoxKey
from appliance.export.manifest import MANIFEST_NAME, format_sums
from appliance.export.reports import FileEntry
from appliance.export.verified_copy import write_verified
from appliance.journal import read_entries

PACKAGE_FORMAT = "appliance-export-package"
PACKAGE_VERSION = 1
MANIFEST_JSON = "manifest.json"
SIGNATURE_FILE = "manifest.json.sig"
PUBLIC_KEY_PEM = "box-key.pem"
JOURNAL_FILE = "journal.jsonl"
SEAL_FILES = (MANIFEST_JSON, SIGNATURE_FILE)
"""Files not listed in manifest.json (it cannot list itself or its signature)."""
WRITTEN_BY_SEAL = (PUBLIC_KEY_PEM, MANIFEST_NAME, *SEAL_FILES)
"""What `seal_package` adds to a folder, in order (an act written before it names them)."""


def journal_head(path: Path) -> dict:
    """{"file", "entries", "head"}: the digest of the journal's last line seals all before it."""
    entries = read_entries(path)
    return {"file": path.name, "entries": len(entries),
            "head": entries[-1].digest if entries else ""}


def manifest_bytes(files: list[FileEntry], public_raw: bytes, fingerprint: str,
                   subject: dict, journal: dict | None, exported_at: dt.datetime) -> bytes:
    """The manifest as signed: sorted keys, UTF-8, one trailing newline."""
    document = {
        "format": PACKAGE_FORMAT, "version": PACKAGE_VERSION,
        "box": {"id": platform.node(), "fingerprint": fingerprint,
                "public_key": base64.b64encode(public_raw).decode("ascii")},
        "exported_at": exported_at.isoformat(timespec="seconds"),
        "package": subject, "journal": journal,
        "files": [{"name": f.name, "bytes": f.bytes, "sha256": f.sha256}
                  for f in sorted(files, key=lambda f: f.name)],
    }
    return (json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()


def seal_package(folder: Path, files: list[FileEntry], key: BoxKey, subject: dict,
                 journal: Path | None = None) -> list[FileEntry]:
    """Seal `folder` whose `files` are written and verified; returns every file listed.

    `key` is the box's key; `subject` says what the package is (e.g. date, school, room);
    `journal` is the journal copy inside the folder (already among `files`), if any.
    """
    listed = [f for f in files if f.name not in (PUBLIC_KEY_PEM, MANIFEST_NAME)]
    pem = write_verified(key.public_pem(), folder / PUBLIC_KEY_PEM)
    listed.append(FileEntry(PUBLIC_KEY_PEM, pem.bytes, pem.sha256))
    sums = write_verified(format_sums([(f.name, f.sha256) for f in listed]),
                          folder / MANIFEST_NAME)
    listed.append(FileEntry(MANIFEST_NAME, sums.bytes, sums.sha256))
    head = journal_head(journal) if journal else None
    manifest = manifest_bytes(listed, key.public_raw, key.fingerprint, subject, head,
                              dt.datetime.now().astimezone())
    write_verified(manifest, folder / MANIFEST_JSON)
    write_verified(key.sign(manifest), folder / SIGNATURE_FILE)
    return listed


def parse_manifest(data: bytes) -> dict:
    """manifest.json as a dict; raises ValueError when it is not one of ours."""
    document = json.loads(data.decode("utf-8"))
    if not isinstance(document, dict) or document.get("format") != PACKAGE_FORMAT:
        raise ValueError("not an export package manifest")
    names = [entry.get("name") for entry in document.get("files", [])]
    names.append((document.get("journal") or {}).get("file", JOURNAL_FILE))
    for entry in document.get("files", []):
        if not {"name", "bytes", "sha256"} <= set(entry):
            raise ValueError(f"file entry without name, bytes or sha256: {entry}")
    for name in names:
        if not _plain_name(name):
            raise ValueError(f"not a file name inside the folder: {name!r}")
    document["public_raw"] = base64.b64decode(document["box"]["public_key"], validate=True)
    return document


def _plain_name(name: object) -> bool:
    """A name in the package folder itself: a hostile manifest must not reach outside it."""
    return (isinstance(name, str) and name not in ("", ".", "..")
            and not any(c in name for c in "/\\\0:"))
