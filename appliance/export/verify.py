"""The coordinator's check of an export drive: standard library (plus `cryptography`), any OS.

For every room folder (`{date}_ОО-{school}/ауд-{room}/`) it checks the box's signature over
manifest.json, every file against the manifest (and SHA256SUMS against it), the day's journal
(its hash chain, its head as signed, every part it names present with the SHA-256 of its
`part_closed`), report.csv and the handover act against the manifest, that every WAV parses and
lasts what report.csv says, that names follow the regulation, and that nothing unfinished or
unlisted lies there. `--key`/`--keys` name the boxes whose signature is expected. Run it as
`appliance verify DIR` or, on a PC with only Python, `python -m appliance.export.verify DIR`
(without `cryptography` the signature is reported as not checked, exit code 4).

Exit codes: 0 every check passed; 1 a file is damaged, missing, extra or altered, or a
signature is wrong; 2 nothing to check (no room folder) or a bad command line; 3 everything
matches but a package is signed by a key not among `--key`/`--keys`; 4 everything matches but
the signature could not be checked (no `cryptography` on this computer).
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from pathlib import Path

from appliance import boxkey, i18n, naming
from appliance.capture.wavfile import read_info
from appliance.contract.dayview import DayView
from appliance.errors import WavFormatError
from appliance.export.manifest import (
    HANDOVER_ACT,
    MANIFEST_NAME,
    REPORT_CSV,
    parse_csv,
    parse_sums,
)
from appliance.export.package import (
    MANIFEST_JSON,
    PUBLIC_KEY_PEM,
    SEAL_FILES,
    SIGNATURE_FILE,
    parse_manifest,
)
from appliance.export.reports import parse_files_table
from appliance.export.verified_copy import PARTIAL_SUFFIX, sha256_file
from appliance.journal import Event, chain_break, read_entries

EXIT_OK, EXIT_FAILED, EXIT_NOTHING, EXIT_UNEXPECTED_KEY, EXIT_UNSIGNED = 0, 1, 2, 3, 4
DURATION_TOLERANCE_S = 0.001
SCHOOL_DIR_RE = re.compile(r"^(?P<date>\d{4}-\d{2}-\d{2})_(?:ОО|OO)-(?P<school>\d{6})$")
ROOM_DIR_RE = re.compile(r"^(?:ауд|room)-(?P<room>\d{4})(?:_(?:копия|copy)-\d+)?$")

i18n.register({
    "verify.no_manifest": ("нет файла manifest.json (пакет не запечатан)",
                           "no manifest.json (the package is not sealed)"),
    "verify.bad_manifest": ("manifest.json не читается ({detail})",
                            "manifest.json unreadable ({detail})"),
    "verify.no_signature": ("нет файла подписи manifest.json.sig",
                            "no signature file manifest.json.sig"),
    "verify.bad_signature": ("ПОДПИСЬ НЕВЕРНА: manifest.json изменён после подписи",
                             "WRONG SIGNATURE: manifest.json was changed after signing"),
    "verify.unchecked_signature": (
        "подпись не проверена: на этом компьютере нет библиотеки cryptography "
        "(pip install cryptography, или «Проверить файлы» в report.html, или openssl)",
        "signature not checked: the cryptography library is missing on this computer"),
    "verify.unexpected_key": ("пакет подписан ключом {fingerprint}, которого нет среди "
                              "ожидаемых", "signed by key {fingerprint}, not an expected one"),
    "verify.key_file": ("{file}: открытый ключ не совпадает с ключом в manifest.json",
                        "{file}: public key differs from the one in manifest.json"),
    "verify.sums_differ": ("SHA256SUMS не совпадает с manifest.json",
                           "SHA256SUMS differs from manifest.json"),
    "verify.missing": ("{file}: файла нет", "{file}: file missing"),
    "verify.mismatch": ("{file}: контрольная сумма не совпадает — файл повреждён или изменён",
                        "{file}: checksum mismatch — the file is damaged or altered"),
    "verify.unlisted": ("{file}: файла нет в manifest.json", "{file}: not listed in manifest.json"),
    "verify.partial": ("{file}: незавершённая копия", "{file}: unfinished copy"),
    "verify.no_journal": ("нет журнала дня или он не читается ({detail})",
                          "the day's journal is missing or unreadable ({detail})"),
    "verify.chain": ("журнал: цепочка хешей нарушена на записи {seq}",
                     "journal: hash chain broken at entry {seq}"),
    "verify.journal_head": ("журнал: последняя запись не та, что подписана в manifest.json",
                            "journal: its last entry is not the one signed in manifest.json"),
    "verify.journal_day": ("журнал относится к другому дню, ОО или аудитории",
                           "the journal is of another day, school or room"),
    "verify.part_open": ("{file}: часть не была закрыта к выгрузке (шла запись), её нет в "
                         "пакете", "{file}: the part was still recording at export"),
    "verify.part_absent": ("{file}: часть есть в журнале, но её нет в пакете",
                           "{file}: the journal names this part, the package lacks it"),
    "verify.part_hash": ("{file}: это не та запись, что в журнале (SHA-256 другой)",
                         "{file}: not the recording the journal sealed (SHA-256 differs)"),
    "verify.part_unknown": ("{file}: этой части нет в журнале дня",
                            "{file}: the day's journal does not name this part"),
    "verify.doc_differs": ("{doc}: {file} — размер или SHA-256 не совпадает с manifest.json",
                           "{doc}: {file} — size or SHA-256 differs from manifest.json"),
    "verify.no_report": ("нет report.csv или он не читается ({detail})",
                         "report.csv missing or unreadable ({detail})"),
    "verify.bad_wav": ("{file}: не открывается как WAV", "{file}: does not open as a WAV"),
    "verify.duration": ("{file}: длительность {actual:.3f} с, в отчёте {expected} с",
                        "{file}: lasts {actual:.3f} s, the report says {expected} s"),
    "verify.size": ("{file}: размер {actual} байт, в отчёте {expected}",
                    "{file}: {actual} bytes, the report says {expected}"),
    "verify.bad_name": ("{file}: имя не по регламенту (дата_ОО-код_ауд-номер_часть-N.wav)",
                        "{file}: name does not follow the regulation"),
    "verify.name_differs": ("{file}: дата, ОО или аудитория в имени не совпадают с папкой",
                            "{file}: date, school or room in the name differ from the folder"),
    "verify.bad_folder": ("папка {folder}: имя не по регламенту", "folder {folder}: bad name"),
    "verify.not_in_report": ("{file}: нет в report.csv", "{file}: not in report.csv"),
    "verify.parts_gap": ("части пронумерованы не подряд с 1: {parts}",
                         "parts are not numbered 1, 2, …: {parts}"),
    "verify.header": ("Дата        ОО      Ауд.  Частей  Длительность  Объём, МБ  Ключ"
                      "                 Итог",
                      "Date        School  Room  Parts   Duration      Size, MB   Key"
                      "                  Result"),
    "verify.ok": ("в порядке", "OK"),
    "verify.failed": ("ОШИБКИ", "ERRORS"),
    "verify.other_key": ("ЧУЖОЙ КЛЮЧ", "UNEXPECTED KEY"),
    "verify.unsigned": ("подпись не проверена", "signature not checked"),
    "verify.nothing": ("В {path} не найдено ни одной папки аудитории",
                       "No room folder found in {path}"),
    "verify.all_ok": ("Все проверки пройдены", "All checks passed"),
    "verify.all_unsigned": ("Файлы совпадают с манифестом, но подпись НЕ проверена",
                            "The files match the manifest, but the signature was NOT checked"),
    "verify.all_other_key": ("Файлы совпадают с манифестом, но он подписан НЕ ожидаемым "
                             "ключом", "The files match the manifest, but it is signed by an "
                             "unexpected key"),
    "verify.some_failed": ("Найдены ошибки: {count}", "Errors found: {count}"),
    "verify.bad_keys": ("Файл ключей {path}: {detail}", "Key file {path}: {detail}"),
})


@dataclass
class RoomCheck:
    folder: Path
    date: str = ""
    school: str = ""
    room: str = ""
    parts: int = 0
    duration_s: float = 0.0
    bytes: int = 0
    fingerprint: str = ""
    signature: bool | None = False
    """True: valid; False: missing or wrong (a problem); None: no `cryptography` to check it."""
    expected_key: bool = True
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def exit_code(self) -> int:
        if self.problems:
            return EXIT_FAILED
        if not self.expected_key:
            return EXIT_UNEXPECTED_KEY
        return EXIT_UNSIGNED if self.signature is None else EXIT_OK

    def problem(self, key: str, **params: object) -> None:
        self.problems.append(i18n.text(key, **params))


@dataclass
class _Package:
    """What the checks share: the signed file list and the SHA-256 actually read."""

    listed: dict[str, dict]
    journal: dict
    actual: dict[str, str] = field(default_factory=dict)


def find_room_folders(root: Path) -> list[Path]:
    """Folders holding a manifest or WAV files: each is one room's export."""
    patterns = (MANIFEST_JSON, MANIFEST_NAME, "*.wav")
    return sorted({p.parent for pattern in patterns for p in root.rglob(pattern)})


def check_room(folder: Path, keys: set[str] | None = None) -> RoomCheck:
    """Every check of one room folder; `keys` are the expected fingerprints (None: any)."""
    check = RoomCheck(folder)
    _check_folder_names(check)
    package = _check_manifest(check, keys)
    if package is not None:
        _check_journal(check, package)
        _check_act(check, package)
    _check_report(check, package)
    return check


def _check_folder_names(check: RoomCheck) -> None:
    school = SCHOOL_DIR_RE.match(check.folder.parent.name)
    room = ROOM_DIR_RE.match(check.folder.name)
    if not school or not room:
        check.problem("verify.bad_folder", folder=check.folder)
        return
    check.date, check.school, check.room = school["date"], school["school"], room["room"]


def _check_manifest(check: RoomCheck, keys: set[str] | None) -> _Package | None:
    """Signature, then every file against the signed list; None when there is no manifest."""
    present = {p.name for p in check.folder.iterdir() if p.is_file()}
    for name in sorted(n for n in present if n.endswith(PARTIAL_SUFFIX)):
        check.problem("verify.partial", file=name)
    try:
        data = (check.folder / MANIFEST_JSON).read_bytes()
        manifest = parse_manifest(data)
    except FileNotFoundError:
        check.problem("verify.no_manifest")
        return None
    except (OSError, ValueError, KeyError, TypeError) as err:
        check.problem("verify.bad_manifest", detail=err)
        return None
    _check_signature(check, data, manifest["public_raw"], keys)
    package = _Package({f["name"]: f for f in manifest["files"]}, manifest.get("journal") or {})
    for name, entry in sorted(package.listed.items()):
        path = check.folder / name
        if not path.is_file():
            check.problem("verify.missing", file=name)
            continue
        package.actual[name] = sha256_file(path)
        if package.actual[name] != entry["sha256"] or path.stat().st_size != entry["bytes"]:
            check.problem("verify.mismatch", file=name)
        else:
            check.bytes += entry["bytes"]
    known = {n.casefold(): n for n in [*package.listed, *SEAL_FILES]}
    for name in sorted(present - set(known.values())):
        if not name.endswith(PARTIAL_SUFFIX) and not _same_file(check.folder, name, known,
                                                                     present):
            check.problem("verify.unlisted", file=name)
    _check_sums(check, package)
    _check_key_file(check, manifest["public_raw"])
    return package


def _same_file(folder: Path, name: str, known: dict[str, str], present: set[str]) -> bool:
    """A FAT drive may list `report.csv` as `REPORT.CSV`: when the listed spelling is not in
    the folder's listing yet opens, the filesystem ignores case and it is the same file."""
    other = known.get(name.casefold())
    return other is not None and other not in present and (folder / other).is_file()


def _check_signature(check: RoomCheck, manifest: bytes, public_raw: bytes,
                     keys: set[str] | None) -> None:
    check.fingerprint = boxkey.fingerprint(public_raw)
    try:
        signature = (check.folder / SIGNATURE_FILE).read_bytes()
    except FileNotFoundError:
        check.problem("verify.no_signature")
        return
    check.signature = boxkey.signature_valid(public_raw, manifest, signature)
    if check.signature is False:
        check.problem("verify.bad_signature")
    if keys is not None and check.fingerprint not in keys:
        check.expected_key = False


def _check_sums(check: RoomCheck, package: _Package) -> None:
    """SHA256SUMS (for `sha256sum -c`) must say what the signed manifest says."""
    try:
        entries, bad = parse_sums((check.folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return  # a missing or garbled SHA256SUMS is already a failed listed file
    signed = {n: e["sha256"] for n, e in package.listed.items() if n != MANIFEST_NAME}
    if bad or dict(entries) != signed:
        check.problem("verify.sums_differ")


def _check_key_file(check: RoomCheck, public_raw: bytes) -> None:
    """The PEM copy of the key (for openssl) must be the manifest's key."""
    try:
        pem = (check.folder / PUBLIC_KEY_PEM).read_text(encoding="ascii")
    except (OSError, ValueError):
        return
    body = "".join(line for line in pem.splitlines() if not line.startswith("-----"))
    try:
        der = base64.b64decode(body, validate=True)
    except ValueError:
        der = b""
    if der[-32:] != public_raw:
        check.problem("verify.key_file", file=PUBLIC_KEY_PEM)


def _check_journal(check: RoomCheck, package: _Package) -> None:
    """The chain holds, ends at the signed head, and every part it sealed is here, unchanged."""
    head = package.journal
    name = head.get("file", "")
    try:
        entries = read_entries(check.folder / name) if name else []
    except (OSError, ValueError, KeyError) as err:
        check.problem("verify.no_journal", detail=err)
        return
    if not entries:
        check.problem("verify.no_journal", detail=name or MANIFEST_JSON)
        return
    broken = chain_break(entries)
    if broken is not None:
        check.problem("verify.chain", seq=broken)
        return
    if (entries[-1].digest, len(entries)) != (head.get("head"), head.get("entries")):
        check.problem("verify.journal_head")
    day = entries[0].data
    if (entries[0].event != Event.DAY_OPENED
            or (day.get("date"), day.get("school"), day.get("room"))
            != (check.date, check.school, check.room)):
        check.problem("verify.journal_day")
    try:
        parts = DayView(check.folder, entries).parts
    except (KeyError, TypeError, ValueError) as err:  # a chained journal of the wrong shape
        check.problem("verify.no_journal", detail=err)
        return
    for part in parts:
        if not part.sealed:
            check.problem("verify.part_open", file=part.file)
        elif part.file not in package.listed:
            check.problem("verify.part_absent", file=part.file)
        elif package.actual.get(part.file, part.sha256) != part.sha256:
            check.problem("verify.part_hash", file=part.file)
    opened = {part.file for part in parts}
    for file in sorted(n for n in package.listed if n.endswith(".wav")):
        if file not in opened:
            check.problem("verify.part_unknown", file=file)


def _check_act(check: RoomCheck, package: _Package) -> None:
    """Every file the handover act lists has the manifest's size and SHA-256."""
    try:
        listed = parse_files_table((check.folder / HANDOVER_ACT).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return  # missing: already a missing listed file
    for entry in listed:
        signed = package.listed.get(entry.name)
        if not signed or (signed["bytes"], signed["sha256"]) != (entry.bytes, entry.sha256):
            check.problem("verify.doc_differs", doc=HANDOVER_ACT, file=entry.name)


def _check_report(check: RoomCheck, package: _Package | None) -> None:
    try:
        rows = parse_csv((check.folder / REPORT_CSV).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        check.problem("verify.no_report", detail=err)
        return
    reported = set()
    for row in rows:
        reported.add(row["Файл"])
        _check_part(check, row)
        signed = package.listed.get(row["Файл"]) if package else None
        if package and (not signed or (str(signed["bytes"]), signed["sha256"])
                        != (row["Размер, байт"], row["SHA-256"])):
            check.problem("verify.doc_differs", doc=REPORT_CSV, file=row["Файл"])
    wavs = sorted(p.name for p in check.folder.glob("*.wav"))
    for name in wavs:
        if name not in reported:
            check.problem("verify.not_in_report", file=name)
    numbers = sorted(int(r["Часть"]) for r in rows if r["Часть"].isdigit())
    if numbers != list(range(1, len(numbers) + 1)):
        check.problem("verify.parts_gap", parts=", ".join(map(str, numbers)))
    check.parts = len(rows)


def _check_part(check: RoomCheck, row: dict[str, str]) -> None:
    name = row["Файл"]
    parsed = naming.parse_part_filename(name)
    if parsed is None:
        check.problem("verify.bad_name", file=name)
    elif (parsed.date.isoformat(), parsed.school, parsed.room) != (check.date, check.school,
                                                                   check.room):
        check.problem("verify.name_differs", file=name)
    path = check.folder / name
    if not path.is_file():
        check.problem("verify.missing", file=name)
        return
    try:
        info = read_info(path)
    except (WavFormatError, OSError):
        check.problem("verify.bad_wav", file=name)
        return
    check.duration_s += info.duration_s
    expected = row["Длительность, с"]
    if abs(info.duration_s - float(expected or "nan")) > DURATION_TOLERANCE_S:
        check.problem("verify.duration", file=name, actual=info.duration_s, expected=expected)
    if str(info.file_bytes) != row["Размер, байт"]:
        check.problem("verify.size", file=name, actual=info.file_bytes,
                      expected=row["Размер, байт"])


def hms(seconds: float) -> str:
    h, rest = divmod(round(seconds), 3600)
    return f"{h:d}:{rest // 60:02d}:{rest % 60:02d}"


def verdict(check: RoomCheck) -> str:
    return i18n.text({EXIT_OK: "verify.ok", EXIT_FAILED: "verify.failed",
                      EXIT_UNEXPECTED_KEY: "verify.other_key",
                      EXIT_UNSIGNED: "verify.unsigned"}[check.exit_code])


def format_table(checks: list[RoomCheck]) -> str:
    lines = [i18n.text("verify.header")]
    for c in checks:
        lines.append(f"{c.date or '?':<11} {c.school or '?':<7} {c.room or '?':<5} "
                     f"{c.parts:>6}  {hms(c.duration_s):>12}  {c.bytes / 1e6:>9.1f}  "
                     f"{c.fingerprint or '—':<19}  {verdict(c)}")
        lines += [f"    {c.folder}: {p}" for p in c.problems]
        if c.signature is None and not c.problems:
            lines.append(f"    {c.folder}: {i18n.text('verify.unchecked_signature')}")
        if not c.expected_key:
            lines.append(f"    {c.folder}: "
                         + i18n.text("verify.unexpected_key", fingerprint=c.fingerprint))
    return "\n".join(lines)


def verify_tree(root: Path, keys: set[str] | None = None) -> list[RoomCheck]:
    return [check_room(folder, keys) for folder in find_room_folders(root)]


def worst(codes: list[int]) -> int:
    """The exit code of several checks: failed, then nothing found, unexpected key, unsigned."""
    for code in (EXIT_FAILED, EXIT_NOTHING, EXIT_UNEXPECTED_KEY, EXIT_UNSIGNED):
        if code in codes:
            return code
    return EXIT_OK


def run_verify(root: Path, out=print, keys: set[str] | None = None) -> int:
    """Print the per-room table; the exit code of the module docstring."""
    checks = verify_tree(root, keys)
    if not checks:
        out(i18n.text("verify.nothing", path=root))
        return EXIT_NOTHING
    out(format_table(checks))
    failed = sum(len(c.problems) for c in checks)
    code = worst([c.exit_code for c in checks])
    out(i18n.text("verify.some_failed", count=failed) if failed else i18n.text(
        {EXIT_OK: "verify.all_ok", EXIT_UNEXPECTED_KEY: "verify.all_other_key",
         EXIT_UNSIGNED: "verify.all_unsigned"}[code]))
    return code


def load_keys(path: Path) -> set[str]:
    """A known-boxes file: one fingerprint per line, anything after it a comment; `#` comments."""
    keys = set()
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        words = line.split("#")[0].split()
        if words:
            keys.add(boxkey.normalize_fingerprint(words[0]))
    return keys


def add_arguments(parser) -> None:
    """The arguments shared by `appliance verify` and `python -m appliance.export.verify`."""
    parser.add_argument("paths", nargs="+", metavar="ПАПКА",
                        help="папка накопителя (или с --collect: КУДА ОТКУДА...)")
    parser.add_argument("--collect", action="store_true",
                        help="собрать проверенные папки аудиторий с нескольких накопителей "
                             "в первую папку (без перезаписи) и составить сводную таблицу")
    parser.add_argument("--key", action="append", metavar="ОТПЕЧАТОК",
                        help="ожидаемый отпечаток ключа устройства (можно несколько раз)")
    parser.add_argument("--keys", type=Path, metavar="ФАЙЛ",
                        help="файл известных устройств: по отпечатку в строке")


def expected_keys(args) -> set[str] | None:
    if not args.key and not args.keys:
        return None
    keys = {boxkey.normalize_fingerprint(k) for k in args.key or ()}
    return keys | (load_keys(args.keys) if args.keys else set())


def run_args(args) -> int:
    try:
        keys = expected_keys(args)
    except (OSError, ValueError) as err:
        print(i18n.text("verify.bad_keys", path=args.keys,
                        detail=getattr(err, "strerror", None) or err))
        return EXIT_NOTHING
    if not args.collect:
        return worst([run_verify(Path(p), keys=keys) for p in args.paths])
    from appliance.export.collect import run_collect
    return run_collect(Path(args.paths[0]), [Path(p) for p in args.paths[1:]], keys=keys)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="appliance-verify",
                                     description="Проверка накопителя с аудиозаписями")
    add_arguments(parser)
    return run_args(parser.parse_args(argv))


if __name__ == "__main__":
    import sys

    sys.exit(main())
