"""Merge several export drives of one school into one folder, without overwriting anything.

Only room folders that pass `verify` are taken. Each is copied with the same read-back
discipline as the export, its SHA256SUMS last. A room folder already present with the same
manifest is skipped; one with a different manifest is never overwritten: the newcomer goes to
`ауд-0005_копия-2` (and so on) and the coordinator decides. Standard library only.
"""

from __future__ import annotations

from pathlib import Path

from appliance import i18n
from appliance.export.manifest import MANIFEST_NAME, parse_sums
from appliance.export.verified_copy import copy_verified
from appliance.export.verify import RoomCheck, run_verify, verify_tree

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
        return (folder / MANIFEST_NAME).read_bytes()
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
    entries, _ = parse_sums((check.folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    for name, sha in entries:
        copy_verified(check.folder / name, target / name, sha)
    copy_verified(check.folder / MANIFEST_NAME, target / MANIFEST_NAME)


def collect(dest_root: Path, sources: list[Path], out=print) -> int:
    """Copy every verified room of `sources` under `dest_root`; returns rooms refused."""
    refused = 0
    for source in sources:
        for check in verify_tree(source):
            if not check.ok:
                out(i18n.text("collect.refused", folder=check.folder))
                refused += 1
                continue
            target, present = target_folder(dest_root, check)
            if present:
                out(i18n.text("collect.same", folder=check.folder, dest=target))
                continue
            copy_room(check, target)
            key = "collect.copied" if target.name == check.folder.name else "collect.renamed"
            out(i18n.text(key, folder=check.folder, dest=target))
    return refused


def run_collect(dest_root: Path, sources: list[Path], out=print) -> int:
    dest_root.mkdir(parents=True, exist_ok=True)
    refused = collect(dest_root, sources, out)
    status = run_verify(dest_root, out)
    return 1 if refused or status else 0
