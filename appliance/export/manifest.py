"""`SHA256SUMS` and `report.csv` as text: written on the appliance, read by `verify`.

Pure functions over strings; the format of SHA256SUMS is exactly what GNU `sha256sum -c`
accepts (hex, two spaces, the name relative to the room folder, LF line ends, UTF-8).
"""

from __future__ import annotations

import csv
import io
import re

from appliance.spreadsheet import plain_cell, safe_cell

MANIFEST_NAME = "SHA256SUMS"
REPORT_CSV = "report.csv"
REPORT_HTML = "report.html"
HANDOVER_ACT = "акт-передачи.html"

CSV_COLUMNS = ("Дата", "Код ОО", "Аудитория", "Часть", "Файл", "Начало", "Конец",
               "Длительность, с", "Размер, байт", "SHA-256", "Заключение", "Тревоги", "Метки")
"""The columns every report.csv has (`verify` requires them)."""
SOURCE_COLUMN = "Источник"
"""Which medium the part was taken from and what its safety copy said (docs/FORMATS.md);
written after CSV_COLUMNS, not required by `verify` (older exports lack it)."""
CSV_DELIMITER = ";"
"""Russian Excel opens `;`-separated UTF-8 with a BOM correctly; commas would not."""

_LINE_RE = re.compile(r"^(?P<sha>[0-9a-fA-F]{64}) [ *](?P<name>.+)$")


def format_sums(entries: list[tuple[str, str]]) -> bytes:
    """`entries` are (name, sha256 hex); names are relative paths with `/`."""
    for name, _ in entries:
        if "\n" in name or "\\" in name:
            raise ValueError(f"name not representable in SHA256SUMS: {name!r}")
    return "".join(f"{sha}  {name}\n" for name, sha in sorted(entries)).encode("utf-8")


def parse_sums(text: str) -> tuple[list[tuple[str, str]], list[int]]:
    """(entries as (name, sha256 lower-case), numbers of lines that do not parse)."""
    entries, bad = [], []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        match = _LINE_RE.match(line)
        if match:
            entries.append((match["name"], match["sha"].lower()))
        else:
            bad.append(number)
    return entries, bad


def format_csv(rows: list[dict[str, str]]) -> bytes:
    return format_csv_table((*CSV_COLUMNS, SOURCE_COLUMN), rows)


def format_csv_table(columns: tuple[str, ...], rows: list[dict[str, str]]) -> bytes:
    """Any table as the report's CSV dialect (`;`, CRLF, UTF-8 with a BOM, for Excel); text
    that Excel would run as a formula is written as plain text."""
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({key: safe_cell(value) for key, value in row.items()} for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def parse_csv(text: str) -> list[dict[str, str]]:
    """Rows of a report.csv (BOM tolerated); raises ValueError when the columns are wrong."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=CSV_DELIMITER)
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ValueError(", ".join(missing))
    return [{key: plain_cell(value) if isinstance(value, str) else value
             for key, value in row.items()} for row in reader]
