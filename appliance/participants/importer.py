"""Import the participant list (form ИС-01, or a school's own table) for this room's box.

The file is read into rows (`tables`), the header row found and its columns mapped
(`columns`), then every row below it becomes a participant. Title rows, blank rows and a
signature line under the table are skipped; ИС-01's header lines («Субъект РФ», «Код МСУ»,
«Код ОО», «Дата») are checked against the box's settings; rows of other rooms are left out and
counted. Any bad row stops the import with a message naming the row, and nothing is imported:
a half-imported list is worse than none.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from appliance import i18n
from appliance.errors import ConfigError
from appliance.participants import columns, tables
from appliance.participants.roster import MAX_NUMBER, Participant, Roster

SAMPLE_CSV = ("№ п/п;ФИО участника;Класс;Вариант;ОВЗ;Отметка о неявке\r\n"
              "1;Иванов Иван Иванович;9А;1;;\r\n"
              "2;Петрова Анна Сергеевна;9Б;2;да;\r\n"
              "3;Сидоров Пётр Андреевич;9А;3;;Н\r\n")
"""The sample file offered on the page: one of each mark."""
HEADERLESS = {0: "number", 1: "name", 2: "class", 3: "absent"}
"""Columns of a list without a header row."""

ABSENT_MARKS = frozenset({"н", "h", "н/я", "неявка", "не явился", "не явилась", "не явился(-ась)",
                          "отсутствует", "отсутствовал", "отсутствовала", "1", "да", "+", "х",
                          "x"})
PRESENT_MARKS = frozenset({"", "0", "нет", "-", "—", "явился", "явилась", "явка"})
OVZ_YES = frozenset({"да", "1", "овз", "+", "х", "x", "есть"})
OVZ_NO = frozenset({"", "0", "нет", "-", "—"})
FOOTER = re.compile(r"(подпись|ответственный|организатор|руководитель|директор|итого|всего|дата|"
                    r"м\.\s?п\.|составил|исполнитель|члены?\s+комиссии|председатель|"
                    r"примечание)\b|.*_{3,}", re.IGNORECASE)
"""A signature or total line under the table, by its first cell."""
VARIANT = re.compile(r"(?:вариант|вар\.?|в\.?)?\s*№?\s*(\d{1,3})", re.IGNORECASE)
ROOM_CELL = re.compile(r"(\d{1,6})?\s*[/\\,;\-–]?\s*(.*)")
HEADER_LINES = {
    "region": re.compile(r"(?:субъект\s*рф|код\s*региона|регион)\s*:?\s*(\d{1,3})\b", re.I),
    "msu": re.compile(r"код\s*мсу\s*:?\s*(\d{1,4})\b", re.I),
    "school": re.compile(r"код\s*оо\s*:?\s*(\d{1,8})\b", re.I),
}
HEADER_DATE = re.compile(r"дата\s*:?\s*(\d{1,2})[./-](\d{1,2})[./-](\d{4})", re.I)

i18n.register({
    "import.row": ("Строка {row}: {problem}. Ничего не импортировано",
                   "Row {row}: {problem}. Nothing was imported"),
    "import.bad_number": ("номер «{value}» не целое число от 1 до 999",
                          "number '{value}' is not a whole number 1-999"),
    "import.no_name": ("не указаны ФИО участника", "the participant's name is missing"),
    "import.multiline": ("в ФИО несколько строк файла — видимо, не закрыта кавычка",
                         "the name spans several lines of the file: probably an unclosed quote"),
    "import.duplicate": ("номер {number} уже был в строке {first}",
                         "number {number} already appeared in row {first}"),
    "import.bad_mark": ("непонятная отметка о неявке «{value}» (ожидается «Н» или пусто)",
                        "unclear no-show mark '{value}' (expected 'Н' or empty)"),
    "import.bad_room": ("непонятная отметка «{value}» в столбце аудитории (ожидается номер "
                        "аудитории и «Н» при неявке)", "unclear mark '{value}' in the room "
                        "column (expected the room number, and 'Н' for a no-show)"),
    "import.bad_variant": ("вариант «{value}» не номер", "variant '{value}' is not a number"),
    "import.bad_ovz": ("непонятная отметка ОВЗ «{value}» (ожидается «да» или пусто)",
                       "unclear special-needs mark '{value}' (expected 'да' or empty)"),
    "import.too_many": ("больше {limit} участников", "more than {limit} participants"),
    "import.empty": ("В файле {file} нет ни одного участника", "File {file} lists no participants"),
    "import.only_other_rooms": ("В файле {file} нет участников аудитории {room}; в нём аудитории "
                                "{rooms}", "File {file} has no participants of room {room}; it "
                                "has rooms {rooms}"),
    "import.numbered": ("В файле нет столбца с номером: участники пронумерованы по порядку строк",
                        "The file has no number column: participants are numbered in row order"),
    "import.other_rooms": ("Не загружены участники других аудиторий ({count}): {rooms}",
                           "Participants of other rooms left out ({count}): {rooms}"),
    "import.mismatch": ("В шапке списка {what} {found}, а в настройках регистратора {expected}",
                        "The list's header says {what} {found}, the box's settings {expected}"),
    "import.what.region": ("код региона", "region code"),
    "import.what.msu": ("код МСУ", "municipality code"),
    "import.what.school": ("код ОО", "school code"),
    "import.what.date": ("дата", "date"),
})


@dataclass(frozen=True)
class Expected:
    """What the box knows, to check a list against: its codes, its room, the exam day."""

    region: str = ""
    msu: str = ""
    school: str = ""
    room: str = ""
    date: dt.date | None = None


@dataclass
class Table:
    """A file as read: its rows, the header row found (index) and the column roles."""

    rows: list[list[str]]
    header_row: int | None
    mapping: dict[int, str]


@dataclass
class ImportResult:
    roster: Roster
    table: Table
    numbered_in_order: bool = False
    other_rooms: dict[str, int] = field(default_factory=dict)
    """Room as written -> rows of that room left out."""
    mismatches: list[i18n.Phrase] = field(default_factory=list)
    """Header lines that disagree with the box's settings."""
    left_out: list[int] = field(default_factory=list)
    """Indices of the rows left out as other rooms'."""
    end_row: int = 0
    """Index of the first row after the table (the signature line, or the end)."""

    def notes(self, lang: str | None = None) -> list[str]:
        """What the technician should know besides the count, in the reader's language."""
        out = [i18n.text(m.key, lang, **m.params) for m in self.mismatches]
        if self.numbered_in_order:
            out.append(i18n.text("import.numbered", lang))
        if self.other_rooms:
            rooms = ", ".join(f"{room} ({count})" for room, count in self.other_rooms.items())
            out.append(i18n.text("import.other_rooms", lang,
                                 count=sum(self.other_rooms.values()), rooms=rooms))
        return out


def read_table(filename: str, data: bytes) -> Table:
    """The file's table with its header found and mapped automatically."""
    rows = tables.read_rows(filename, data,
                            lambda rows: columns.find_header(rows) is not None)
    header = columns.find_header(rows)
    if header is None:
        return Table(rows, None, dict(HEADERLESS))
    return Table(rows, *columns.header_block(rows, header))


def remapped(table: Table, roles: list[str] | None, header_row: int | None) -> Table:
    """The table with the technician's choice of header row (index) and column roles."""
    if header_row is not None and not -1 <= header_row < len(table.rows):
        raise ConfigError("map.bad_header_row", row=header_row + 1)
    header = table.header_row if header_row is None else (None if header_row < 0 else header_row)
    if roles is not None:
        mapping = columns.checked_mapping(roles)
    elif header_row is None:
        mapping = table.mapping
    elif header is None:
        mapping = dict(HEADERLESS)
    else:
        mapping = columns.header_mapping(table.rows[header])
        if not columns.names_someone(mapping):
            raise ConfigError("map.no_name")
    return Table(table.rows, header, mapping)


def import_file(filename: str, data: bytes, expected: Expected | None = None,
                roles: list[str] | None = None, header_row: int | None = None) -> ImportResult:
    """The roster in an uploaded file; ConfigError naming the row when any row is bad."""
    table = remapped(read_table(filename, data), roles, header_row)
    return build(filename, table, expected or Expected())


def build(filename: str, table: Table, expected: Expected) -> ImportResult:
    start = 0 if table.header_row is None else table.header_row + 1
    result = ImportResult(Roster(), table, numbered_in_order="number" not in table.mapping.values())
    result.mismatches = header_line_mismatches(table.rows[:start], expected)
    first_row: dict[int, int] = {}
    result.end_row = len(table.rows)
    for index in range(start, len(table.rows)):
        row = table.rows[index]
        if not any(row):
            continue
        cells = {role: _cell(row, i) for i, role in table.mapping.items()}
        if _is_footer(row, cells):
            if not result.roster.participants and not result.other_rooms:
                continue  # a note above the first participant
            result.end_row = index
            break
        absent, room = _room_mark(cells.get("room", ""), index + 1)
        if room is not None and expected.room and int(room) != int(expected.room):
            result.other_rooms[room] = result.other_rooms.get(room, 0) + 1
            result.left_out.append(index)
            continue
        number = _number(cells, len(result.roster.participants) + 1, index + 1)
        if number in first_row:
            _fail(index + 1, "import.duplicate", number=number, first=first_row[number])
        first_row[number] = index + 1
        result.roster.participants.append(
            _participant(cells, number, absent, index + 1))
    if not result.roster.participants:
        if result.other_rooms:
            raise ConfigError("import.only_other_rooms", file=filename, room=expected.room,
                              rooms=", ".join(result.other_rooms))
        raise ConfigError("import.empty", file=filename)
    return result


def _cell(row: list[str], index: int) -> str:
    return row[index].strip() if index < len(row) else ""


def _is_footer(row: list[str], cells: dict[str, str]) -> bool:
    """A signature, total or note line under the table (never a row with a list number)."""
    if re.fullmatch(r"\d{1,3}\.?", cells.get("number", "")):
        return False
    filled = [c for c in row if c.strip()]
    if FOOTER.match(filled[0].strip()):
        return True
    name_cells = {cells.get(r, "") for r in ("name", "surname")} - {""}
    return len(filled) == 1 and filled[0].strip() not in name_cells


def _mark(value: str) -> str:
    return " ".join(value.lower().replace("ё", "е").strip(" «»\"'().").split())


def _room_mark(value: str, row: int) -> tuple[bool, str | None]:
    """ИС-01's «Номер аудитории/ отметка о неявке»: «0005», «0005 Н», «0005/Н», «Н»."""
    match = ROOM_CELL.fullmatch(value.strip())
    rest = _mark(match.group(2)) if match else value
    if not match or rest not in ABSENT_MARKS | PRESENT_MARKS or rest in ("1", "0"):
        _fail(row, "import.bad_room", value=value)
    return rest in ABSENT_MARKS, match.group(1)


def _number(cells: dict[str, str], in_order: int, row: int) -> int:
    if "number" not in cells:
        if in_order > MAX_NUMBER:
            _fail(row, "import.too_many", limit=MAX_NUMBER)
        return in_order
    raw = cells["number"].rstrip(".")
    if not re.fullmatch(r"\d{1,3}", raw) or not 1 <= int(raw) <= MAX_NUMBER:
        _fail(row, "import.bad_number", value=cells["number"])
    return int(raw)


def _participant(cells: dict[str, str], number: int, room_absent: bool, row: int) -> Participant:
    if "name" in cells:
        name = cells["name"]
    else:
        name = " ".join(cells.get(r, "") for r in ("surname", "first", "patronymic"))
    if "\n" in name:
        _fail(row, "import.multiline")
    name = " ".join(name.split())
    if not name:
        _fail(row, "import.no_name")
    mark = _mark(cells.get("absent", ""))
    if mark not in ABSENT_MARKS | PRESENT_MARKS:
        _fail(row, "import.bad_mark", value=cells["absent"])
    ovz = _mark(cells.get("ovz", ""))
    if ovz not in OVZ_YES | OVZ_NO:
        _fail(row, "import.bad_ovz", value=cells["ovz"])
    return Participant(number, name, " ".join(cells.get("class", "").split()),
                       absent=room_absent or mark in ABSENT_MARKS,
                       variant=_variant(cells.get("variant", ""), row), ovz=ovz in OVZ_YES)


def _variant(value: str, row: int) -> int | None:
    """«1», «01», «Вариант 3», «вар. 4» -> the number; empty -> None."""
    if not value.strip():
        return None
    match = VARIANT.fullmatch(value.strip())
    if not match or int(match.group(1)) == 0:
        _fail(row, "import.bad_variant", value=value)
    return int(match.group(1))


def header_line_mismatches(rows: list[list[str]], expected: Expected) -> list[i18n.Phrase]:
    """ИС-01's lines above the table («Субъект РФ: 64», «Код МСУ 01», «Код ОО 640101»,
    «Дата 10.02.2027») that disagree with the box's settings."""
    text = "\n".join(" ".join(c for c in row if c) for row in rows)
    out = []
    for what, pattern in HEADER_LINES.items():
        match, setting = pattern.search(text), getattr(expected, what)
        if match and setting and int(match.group(1)) != int(setting):
            out.append(i18n.phrase("import.mismatch", what=i18n.phrase(f"import.what.{what}"),
                                   found=match.group(1), expected=setting))
    date = HEADER_DATE.search(text)
    if date and expected.date:
        day, month, year = (int(g) for g in date.groups())
        try:
            found = dt.date(year, month, day)
        except ValueError:
            found = None
        if found != expected.date:
            out.append(i18n.phrase("import.mismatch", what=i18n.phrase("import.what.date"),
                                   found=f"{day:02d}.{month:02d}.{year}",
                                   expected=expected.date.strftime("%d.%m.%Y")))
    return out


def _fail(row: int, problem_key: str, **params: object) -> None:
    raise ConfigError("import.row", row=row, problem=i18n.phrase(problem_key, **params))
