"""Collect many export drives into one archive folder, without overwriting anything.

Package after package, only room folders that pass `verify` (with the expected keys, if given)
are taken. Each is copied with the same read-back discipline as the export, its seal
(manifest.json, then the signature) last. A room folder already present with the same manifest
is skipped; one with a different manifest is never overwritten: the newcomer goes to
`ауд-0005_копия-2` (and so on) and the coordinator decides. The archive's summary table
(`сводка.csv`, `сводка.html`: school, room, date, parts, duration, verdict, key fingerprint)
is rewritten after each run from a check of the whole archive, plus the packages refused.
Standard library only (and `cryptography` for the signatures).
"""

from __future__ import annotations

import html
from pathlib import Path

from appliance import i18n
from appliance.export.manifest import format_csv_table
from appliance.export.package import MANIFEST_JSON, SIGNATURE_FILE, parse_manifest
from appliance.export.reports import html_head
from appliance.export.verified_copy import copy_verified, write_verified
from appliance.export.verify import (
    EXIT_FAILED,
    EXIT_OK,
    RoomCheck,
    format_table,
    hms,
    verdict,
    verify_tree,
    worst,
)

SUMMARY_CSV = "сводка.csv"
SUMMARY_HTML = "сводка.html"
SUMMARY_COLUMNS = ("ОО", "Аудитория", "Дата", "Частей", "Длительность", "Итог",
                   "Ключ устройства", "Папка")

i18n.register({
    "collect.refused": ("{folder}: не взята, есть ошибки проверки",
                        "{folder}: not taken, it failed the checks"),
    "collect.same": ("{folder}: уже есть в {dest}", "{folder}: already in {dest}"),
    "collect.copied": ("{folder} → {dest}", "{folder} → {dest}"),
    "collect.renamed": ("{folder} → {dest} (в папке назначения уже есть другая запись этой "
                        "аудитории)", "{folder} → {dest} (the destination already holds "
                        "another record of this room)"),
})


def _manifest(folder: Path) -> bytes | None:
    try:
        return (folder / MANIFEST_JSON).read_bytes()
    except FileNotFoundError:
        return None


def target_folder(dest_root: Path, check: RoomCheck) -> tuple[Path, bool]:
    """(where the room goes, whether it is already there): never an occupied different folder."""
    base = dest_root / check.folder.parent.name / check.folder.name
    word = "копия" if "ауд" in base.name else "copy"
    candidate, number = base, 1
    while True:
        existing = _manifest(candidate)
        if existing is None and not candidate.exists():
            return candidate, False
        if existing == _manifest(check.folder):
            return candidate, True
        number += 1
        candidate = base.with_name(f"{base.name}_{word}-{number}")


def copy_room(check: RoomCheck, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    manifest = parse_manifest((check.folder / MANIFEST_JSON).read_bytes())
    for entry in manifest["files"]:
        copy_verified(check.folder / entry["name"], target / entry["name"], entry["sha256"])
    for seal in (MANIFEST_JSON, SIGNATURE_FILE):
        copy_verified(check.folder / seal, target / seal)


def collect(dest_root: Path, sources: list[Path], out=print,
            keys: set[str] | None = None) -> list[RoomCheck]:
    """Copy every verified room of `sources` under `dest_root`; returns the rooms refused."""
    refused = []
    for source in sources:
        for check in verify_tree(source, keys):
            if check.exit_code != EXIT_OK:
                out(i18n.text("collect.refused", folder=check.folder))
                refused.append(check)
                continue
            target, present = target_folder(dest_root, check)
            if present:
                out(i18n.text("collect.same", folder=check.folder, dest=target))
                continue
            copy_room(check, target)
            key = "collect.copied" if target.name == check.folder.name else "collect.renamed"
            out(i18n.text(key, folder=check.folder, dest=target))
    return refused


def summary_rows(checks: list[RoomCheck]) -> list[dict[str, str]]:
    return [{"ОО": c.school, "Аудитория": c.room, "Дата": c.date, "Частей": str(c.parts),
             "Длительность": hms(c.duration_s), "Итог": verdict(c),
             "Ключ устройства": c.fingerprint, "Папка": str(c.folder)} for c in checks]


def summary_html(rows: list[dict[str, str]]) -> bytes:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in SUMMARY_COLUMNS)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(r[c])}</td>" for c in SUMMARY_COLUMNS)
                   + "</tr>" for r in rows)
    title = "Сводка собранных аудиозаписей итогового собеседования"
    return (f"{html_head(title)}<h1>{title}</h1><table><tr>{head}</tr>{body}</table>"
            "</body></html>\n").encode()


def run_collect(dest_root: Path, sources: list[Path], out=print,
                keys: set[str] | None = None) -> int:
    """Collect, check the whole archive, write its summary; the exit code of `verify`."""
    dest_root.mkdir(parents=True, exist_ok=True)
    refused = collect(dest_root, sources, out, keys)
    archive = verify_tree(dest_root, keys)
    rows = summary_rows(archive + refused)
    write_verified(format_csv_table(SUMMARY_COLUMNS, rows), dest_root / SUMMARY_CSV)
    write_verified(summary_html(rows), dest_root / SUMMARY_HTML)
    out(format_table(archive + refused))
    codes = [c.exit_code for c in archive] + ([EXIT_FAILED] if refused else [])
    return worst(codes)
