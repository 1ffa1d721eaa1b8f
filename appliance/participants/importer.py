"""Import the participant list (form ИС-01) from CSV or XLSX, as Excel writes them in Russia.

CSV: UTF-8 (with or without BOM) or Windows-1251, separated by `;` (Russian Excel), `,` or a
tab. XLSX: the first sheet. A header row is recognised by its words (№, ФИО / Фамилия, Имя,
Отчество, Класс, неявка); without one the columns are number, full name, class, mark. A mark
«Н» (or «неявка») makes the participant a no-show. Any bad row stops the import with a message
naming the row and nothing is imported: a half-imported list is worse than none.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import PurePath

from appliance import i18n
from appliance.errors import ConfigError
from appliance.participants.roster import Participant, Roster

MAX_BYTES = 2_000_000
ABSENT_MARKS = {"н", "h", "неявка", "не явился", "не явилась", "отсутствует"}
COLUMN_WORDS = {  # header words -> column role, checked in this order
    "number": ("№", "номер п", "n п", "no", "номер"),
    "surname": ("фамилия",),
    "first": ("имя",),
    "patronymic": ("отчество",),
    "name": ("фио", "ф.и.о", "участник"),
    "class_name": ("класс",),
    "mark": ("неявк", "отметк", "явка"),
}

i18n.register({
    "import.row": ("Строка {row}: {problem}. Ничего не импортировано",
                   "Row {row}: {problem}. Nothing was imported"),
    "import.bad_number": ("номер «{value}» не целое число от 1 до 999",
                          "number '{value}' is not a whole number 1-999"),
    "import.no_name": ("не указаны ФИО участника", "the participant's name is missing"),
    "import.duplicate": ("номер {number} уже был в строке {first}",
                         "number {number} already appeared in row {first}"),
    "import.bad_mark": ("непонятная отметка «{value}» (ожидается «Н» для неявки или пусто)",
                        "unclear mark '{value}' (expected 'Н' for a no-show or empty)"),
    "import.empty": ("В файле {file} нет ни одного участника", "File {file} lists no participants"),
    "import.too_big": ("Файл {file} слишком большой для списка участников",
                       "File {file} is too big for a participant list"),
    "import.unreadable": ("Файл {file} не читается как таблица CSV или XLSX: {detail}",
                          "File {file} cannot be read as a CSV or XLSX table: {detail}"),
})


def import_file(filename: str, data: bytes) -> Roster:
    """The roster in an uploaded file; ConfigError naming the row when any row is bad."""
    if len(data) > MAX_BYTES:
        raise ConfigError("import.too_big", file=filename)
    if PurePath(filename).suffix.lower() in (".xlsx", ".xlsm") or data[:2] == b"PK":
        rows = _xlsx_rows(filename, data)
    else:
        rows = _csv_rows(decode_csv(data))
    roster = parse_rows(rows)
    if not roster.participants:
        raise ConfigError("import.empty", file=filename)
    return roster


def decode_csv(data: bytes) -> str:
    """UTF-8 (BOM or not) when it decodes, else Windows-1251 (Excel's "CSV" in Russia)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1251")


def _csv_rows(text: str) -> list[list[str]]:
    lines = [line for line in text.splitlines() if line.strip()]
    sample = "\n".join(lines[:20])
    counts = {d: sample.count(d) for d in (";", "\t", ",")}
    delimiter = max(counts, key=lambda d: (counts[d], d == ";"))
    return [list(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _xlsx_rows(filename: str, data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many unrelated types for a damaged file
        raise ConfigError("import.unreadable", file=filename, detail=err) from None
    try:
        sheet = book.worksheets[0]
        return [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _header_roles(row: list[str]) -> dict[str, int] | None:
    """Column roles when `row` is a header row, else None."""
    roles: dict[str, int] = {}
    for index, cell in enumerate(row):
        text = " ".join(cell.lower().split())
        for role, words in COLUMN_WORDS.items():
            if role not in roles and any(text.startswith(w) or w in text for w in words):
                roles[role] = index
                break
    named = "name" in roles or "surname" in roles
    return roles if named else None


def parse_rows(rows: list[list[str]]) -> Roster:
    """Rows of cells (row 1 first) -> Roster. Blank rows are skipped; row numbers are the
    file's, as the user sees them in Excel."""
    start, roles = 0, {"number": 0, "name": 1, "class_name": 2, "mark": 3}
    for index, row in enumerate(rows):
        if not any(c.strip() for c in row):
            continue
        header = _header_roles(row)
        if header is not None:
            start, roles = index + 1, header
        else:
            start = index
        break
    participants: list[Participant] = []
    first_row: dict[int, int] = {}
    for index in range(start, len(rows)):
        row = [c.strip() for c in rows[index]]
        if not any(row):
            continue
        participant = _participant(row, roles, index + 1)
        if participant.number in first_row:
            _fail(index + 1, "import.duplicate", number=participant.number,
                  first=first_row[participant.number])
        first_row[participant.number] = index + 1
        participants.append(participant)
    return Roster(participants)


def _cell(row: list[str], roles: dict[str, int], role: str) -> str:
    index = roles.get(role)
    return row[index] if index is not None and index < len(row) else ""


def _participant(row: list[str], roles: dict[str, int], row_number: int) -> Participant:
    raw_number = _cell(row, roles, "number").rstrip(".")
    if not re.fullmatch(r"\d{1,3}", raw_number) or int(raw_number) == 0:
        _fail(row_number, "import.bad_number", value=raw_number)
    if "surname" in roles:
        name = " ".join(_cell(row, roles, r) for r in ("surname", "first", "patronymic"))
    else:
        name = _cell(row, roles, "name")
    name = " ".join(name.split())
    if not name:
        _fail(row_number, "import.no_name")
    mark = _cell(row, roles, "mark").lower().strip(" «»\"'")
    if mark and mark not in ABSENT_MARKS and not mark.isdigit():
        _fail(row_number, "import.bad_mark", value=_cell(row, roles, "mark"))
    return Participant(int(raw_number), name, _cell(row, roles, "class_name"),
                       absent=mark in ABSENT_MARKS)


def _fail(row: int, problem_key: str, **params: object) -> None:
    problem = i18n.text(problem_key, **params)
    raise ConfigError("import.row", row=row, problem=problem)
