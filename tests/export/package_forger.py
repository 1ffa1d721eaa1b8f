"""What a forger with a text editor can do to an exported room folder: change files, then rewrite
every hash and every mention of them (journal entries and its whole hash chain, report.csv, the
handover act, SHA256SUMS, manifest.json), and optionally re-sign with a key of his own. Only the
box's private key is out of his reach.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import re
from pathlib import Path

from appliance.boxkey import fingerprint
from appliance.export.manifest import format_csv, format_sums
from appliance.export.package import MANIFEST_JSON, SEAL_FILES, SIGNATURE_FILE


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def rewrite_journal(path: Path, keep=lambda entry: True) -> None:
    """Drop entries `keep` rejects, refresh part_closed hashes from the files, re-chain."""
    prev, out = "0" * 64, []
    for line in path.read_bytes().splitlines():
        entry = json.loads(line)
        if not keep(entry):
            continue
        wav = path.parent / str(entry.get("file", ""))
        if entry["event"] == "part_closed" and wav.is_file():
            entry["sha256"], entry["bytes"] = sha(wav), wav.stat().st_size
        entry["seq"], entry["prev"] = len(out), prev
        new = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode()
        out.append(new)
        prev = hashlib.sha256(new).hexdigest()
    path.write_bytes(b"".join(line + b"\n" for line in out))


def rewrite_report(room: Path) -> None:
    report = room / "report.csv"
    rows = list(csv.DictReader(io.StringIO(report.read_text(encoding="utf-8-sig")),
                               delimiter=";"))
    kept = [r for r in rows if (room / r["Файл"]).is_file()]
    for row in kept:
        row["SHA-256"] = sha(room / row["Файл"])
        row["Размер, байт"] = str((room / row["Файл"]).stat().st_size)
    report.write_bytes(format_csv(kept))


def rewrite_act(room: Path) -> None:
    act = room / "акт-передачи.html"
    text = act.read_text(encoding="utf-8")

    def fix(match: re.Match) -> str:
        path = room / match[2]
        if not path.is_file():
            return ""
        return (f"<tr><td>{match[1]}</td><td>{match[2]}</td><td>{path.stat().st_size}</td>"
                f"<td><code>{sha(path)}</code></td></tr>")

    act.write_text(re.sub(r"<tr><td>(\d+)</td><td>([^<]*)</td><td>\d+</td>"
                          r"<td><code>[0-9a-f]{64}</code></td></tr>", fix, text),
                   encoding="utf-8")


def reseal(room: Path, key=None) -> None:
    """Rewrite every mention of every file's hash; sign with `key` (a BoxKey) if given."""
    rewrite_journal(room / "journal.jsonl")
    rewrite_report(room)
    rewrite_act(room)
    files = sorted(p for p in room.iterdir()
                   if p.is_file() and p.name not in SEAL_FILES and p.name != "SHA256SUMS")
    if key is not None:
        (room / "box-key.pem").write_bytes(key.public_pem())
    (room / "SHA256SUMS").write_bytes(format_sums([(p.name, sha(p)) for p in files]))
    manifest = json.loads((room / MANIFEST_JSON).read_bytes())
    manifest["files"] = [{"name": p.name, "bytes": p.stat().st_size, "sha256": sha(p)}
                         for p in sorted([*files, room / "SHA256SUMS"])]
    lines = (room / "journal.jsonl").read_bytes().splitlines()
    manifest["journal"].update(entries=len(lines), head=hashlib.sha256(lines[-1]).hexdigest())
    if key is not None:
        manifest["box"].update(public_key=base64.b64encode(key.public_raw).decode(),
                               fingerprint=fingerprint(key.public_raw))
    data = (json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()
    (room / MANIFEST_JSON).write_bytes(data)
    if key is not None:
        (room / SIGNATURE_FILE).write_bytes(key.sign(data))
