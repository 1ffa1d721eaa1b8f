"""The coordinator's check of an export drive: pure standard library, any OS.

For every room folder (`{date}_ОО-{school}/ауд-{room}/`) it checks the SHA256SUMS manifest
against the files, that every WAV parses and lasts what report.csv says, that names follow the
regulation, and that nothing unfinished or unlisted lies there. Run it as `appliance verify
DIR` or, on a PC with only Python, `python -m appliance.export.verify DIR`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from appliance import i18n, naming
from appliance.capture.wavfile import read_info
from appliance.errors import WavFormatError
from appliance.export.manifest import MANIFEST_NAME, REPORT_CSV, parse_csv, parse_sums
from appliance.export.verified_copy import PARTIAL_SUFFIX, sha256_file

DURATION_TOLERANCE_S = 0.001
SCHOOL_DIR_RE = re.compile(r"^(?P<date>\d{4}-\d{2}-\d{2})_(?:ОО|OO)-(?P<school>\d{6})$")
ROOM_DIR_RE = re.compile(r"^(?:ауд|room)-(?P<room>\d{4})(?:_(?:копия|copy)-\d+)?$")

i18n.register({
    "verify.no_manifest": ("нет файла SHA256SUMS", "no SHA256SUMS file"),
    "verify.bad_line": ("SHA256SUMS: строка {line} не читается",
                        "SHA256SUMS: line {line} unreadable"),
    "verify.missing": ("{file}: файла нет", "{file}: file missing"),
    "verify.mismatch": ("{file}: контрольная сумма не совпадает — файл повреждён",
                        "{file}: checksum mismatch — the file is damaged"),
    "verify.unlisted": ("{file}: файла нет в SHA256SUMS", "{file}: not listed in SHA256SUMS"),
    "verify.partial": ("{file}: незавершённая копия", "{file}: unfinished copy"),
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
    "verify.header": ("Дата        ОО      Ауд.  Частей  Длительность  Объём, МБ  Итог",
                      "Date        School  Room  Parts   Duration      Size, MB   Result"),
    "verify.ok": ("в порядке", "OK"),
    "verify.failed": ("ОШИБКИ", "ERRORS"),
    "verify.nothing": ("В {path} не найдено ни одной папки аудитории",
                       "No room folder found in {path}"),
    "verify.all_ok": ("Все проверки пройдены", "All checks passed"),
    "verify.some_failed": ("Найдены ошибки: {count}", "Errors found: {count}"),
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
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, key: str, **params: object) -> None:
        self.problems.append(i18n.text(key, **params))


def find_room_folders(root: Path) -> list[Path]:
    """Folders holding a manifest or WAV files: each is one room's export."""
    found = {p.parent for pattern in (MANIFEST_NAME, "*.wav") for p in root.rglob(pattern)}
    return sorted(found)


def check_room(folder: Path) -> RoomCheck:
    check = RoomCheck(folder)
    _check_folder_names(check)
    sums = _check_manifest(check)
    _check_report(check, sums)
    return check


def _check_folder_names(check: RoomCheck) -> None:
    school = SCHOOL_DIR_RE.match(check.folder.parent.name)
    room = ROOM_DIR_RE.match(check.folder.name)
    if not school or not room:
        check.problem("verify.bad_folder", folder=check.folder)
        return
    check.date, check.school, check.room = school["date"], school["school"], room["room"]


def _check_manifest(check: RoomCheck) -> dict[str, str]:
    """Compare every file with SHA256SUMS; returns the listed name → sha256."""
    present = {p.name for p in check.folder.iterdir() if p.is_file()}
    for name in sorted(n for n in present if n.endswith(PARTIAL_SUFFIX)):
        check.problem("verify.partial", file=name)
    manifest = check.folder / MANIFEST_NAME
    if not manifest.exists():
        check.problem("verify.no_manifest")
        return {}
    entries, bad_lines = parse_sums(manifest.read_text(encoding="utf-8"))
    for line in bad_lines:
        check.problem("verify.bad_line", line=line)
    sums = dict(entries)
    for name, sha in sorted(sums.items()):
        path = check.folder / name
        if not path.is_file():
            check.problem("verify.missing", file=name)
        elif sha256_file(path) != sha:
            check.problem("verify.mismatch", file=name)
        else:
            check.bytes += path.stat().st_size
    listed = set(sums) | {MANIFEST_NAME}
    for name in sorted(present - listed):
        if not name.endswith(PARTIAL_SUFFIX):
            check.problem("verify.unlisted", file=name)
    return sums


def _check_report(check: RoomCheck, sums: dict[str, str]) -> None:
    try:
        rows = parse_csv((check.folder / REPORT_CSV).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        check.problem("verify.no_report", detail=err)
        return
    reported = set()
    for row in rows:
        reported.add(row["Файл"])
        _check_part(check, row)
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


def format_table(checks: list[RoomCheck]) -> str:
    lines = [i18n.text("verify.header")]
    for c in checks:
        h, rest = divmod(round(c.duration_s), 3600)
        hms = f"{h:d}:{rest // 60:02d}:{rest % 60:02d}"
        verdict = i18n.text("verify.ok" if c.ok else "verify.failed")
        lines.append(f"{c.date or '?':<11} {c.school or '?':<7} {c.room or '?':<5} "
                     f"{c.parts:>6}  {hms:>12}  {c.bytes / 1e6:>9.1f}  {verdict}")
        lines += [f"    {c.folder}: {p}" for p in c.problems]
    return "\n".join(lines)


def verify_tree(root: Path) -> list[RoomCheck]:
    return [check_room(folder) for folder in find_room_folders(root)]


def run_verify(root: Path, out=print) -> int:
    """Print the per-room table; exit code 0 only when every room is in order."""
    checks = verify_tree(root)
    if not checks:
        out(i18n.text("verify.nothing", path=root))
        return 1
    out(format_table(checks))
    failed = sum(len(c.problems) for c in checks)
    out(i18n.text("verify.some_failed", count=failed) if failed else i18n.text("verify.all_ok"))
    return 1 if failed else 0



def add_arguments(parser) -> None:
    """The arguments shared by `appliance verify` and `python -m appliance.export.verify`."""
    parser.add_argument("paths", nargs="+", metavar="ПАПКА",
                        help="папка накопителя (или с --collect: КУДА ОТКУДА...)")
    parser.add_argument("--collect", action="store_true",
                        help="собрать проверенные папки аудиторий с нескольких накопителей "
                             "в первую папку (без перезаписи)")


def run_args(args) -> int:
    if not args.collect:
        return max(run_verify(Path(p)) for p in args.paths)
    from appliance.export.collect import run_collect
    return run_collect(Path(args.paths[0]), [Path(p) for p in args.paths[1:]])


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="appliance-verify",
                                     description="Проверка накопителя с аудиозаписями")
    add_arguments(parser)
    return run_args(parser.parse_args(argv))


if __name__ == "__main__":
    import sys

    sys.exit(main())
