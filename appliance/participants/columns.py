"""Which column of a participant list holds what, from the meaning of its whole header.

A header cell is reduced to a key (lower case, «ё» as «е», text in brackets, spaces and
punctuation dropped) and the key must be one of the known names of a column: «Номер
аудитории» or «Серия и номер паспорта» never pass for «Номер», «Отметка об ОВЗ (+30 мин)»
never for «Отметка о неявке». The header row is the row among the first ones that names the
most columns, one of them the name; title rows above it and anything unknown are ignored.
"""

from __future__ import annotations

import re

from appliance import i18n
from appliance.errors import ConfigError

HEADER_SEARCH_ROWS = 40

ROLES = ("number", "name", "surname", "first", "patronymic", "class", "variant", "absent",
         "room", "ovz")
"""Column roles; a column with none ("") is not used."""

HEADER_KEYS: dict[str, frozenset[str]] = {
    "number": frozenset({"№", "n", "no", "nп/п", "номер", "№пп", "№п/п", "пп", "п/п", "номерпп",
                         "номерп/п", "порядковыйномер", "№участника", "номеручастника"}),
    "name": frozenset({"фио", "фиоучастника", "фамилияимяотчество", "участник", "фиоученика",
                       "фамилияимяотчествоучастника", "фиообучающегося", "обучающийся",
                       "ученик"}),
    "surname": frozenset({"фамилия"}),
    "first": frozenset({"имя"}),
    "patronymic": frozenset({"отчество"}),
    "class": frozenset({"класс", "класс/группа", "классгруппа"}),
    "variant": frozenset({"вариант", "номерварианта", "№варианта", "вариант№"}),
    "absent": frozenset({"неявка", "отметкаонеявке", "н/я", "неявился", "отметканеявки"}),
    "room": frozenset({"аудитория", "номераудитории", "№аудитории", "ауд", "номерауд",
                       "номераудитории/отметкаонеявке", "аудитория/отметкаонеявке",
                       "номераудитории/неявка", "аудитория/неявка"}),
    "ovz": frozenset({"овз", "отметкаобовз", "совз", "участниксовз", "лицосовз", "статусовз",
                      "наличиеовз", "ограниченныевозможностиздоровья"}),
}

i18n.register({
    "role.": ("— не использовать —", "— not used —"),
    "role.number": ("№ п/п", "No."),
    "role.name": ("ФИО", "Full name"),
    "role.surname": ("Фамилия", "Surname"),
    "role.first": ("Имя", "First name"),
    "role.patronymic": ("Отчество", "Patronymic"),
    "role.class": ("Класс", "Class"),
    "role.variant": ("Вариант", "Variant"),
    "role.absent": ("Отметка о неявке", "No-show mark"),
    "role.room": ("Номер аудитории / отметка о неявке", "Room number / no-show mark"),
    "role.ovz": ("ОВЗ (+время)", "Special needs (extra time)"),
    "map.unknown_role": ("Неизвестное назначение столбца «{role}»", "Unknown column role '{role}'"),
    "map.twice": ("Назначение «{role}» выбрано для двух столбцов: {first} и {second}",
                  "'{role}' is chosen for two columns: {first} and {second}"),
    "map.no_name": ("Не выбран столбец с ФИО (или столбцы Фамилия и Имя)",
                    "No column holds the full name (or Surname and First name)"),
    "map.bad_header_row": ("Строка заголовка {row} вне таблицы",
                           "Header row {row} is outside the table"),
})


def header_key(text: str) -> str:
    """«№ п/п.» -> "№п/п", «Отметка об ОВЗ (продолжительность +30 мин)» -> "отметкаобовз"."""
    text = re.sub(r"\([^)]*\)?", "", text.lower().replace("ё", "е"))
    return re.sub(r"[^\w№/]", "", text).strip("/")


def role_of(header: str) -> str:
    """The role a header cell names, or "" for a column the roster does not use."""
    key = header_key(header)
    return next((role for role, keys in HEADER_KEYS.items() if key in keys), "")


def header_mapping(row: list[str]) -> dict[int, str]:
    """Column index -> role for a header row; a role named twice goes to its first column."""
    mapping: dict[int, str] = {}
    for index, cell in enumerate(row):
        role = role_of(cell)
        if role and role not in mapping.values():
            mapping[index] = role
    return mapping


def names_someone(mapping: dict[int, str]) -> bool:
    roles = set(mapping.values())
    return "name" in roles or {"surname", "first"} <= roles


def find_header(rows: list[list[str]]) -> int | None:
    """Index of the header row: the one of the first rows naming the most known columns,
    a name column among them (at least two columns in all)."""
    best, best_score = None, 1
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        mapping = header_mapping(row)
        if names_someone(mapping) and len(mapping) > best_score:
            best, best_score = index, len(mapping)
    return best


def header_block(rows: list[list[str]], index: int) -> tuple[int, dict[int, str]]:
    """The header's last row and its mapping. A header of two rows (merged cells: «ФИО» over
    «Фамилия», «Имя», «Отчество», «№» and «Класс» spanning both rows) reads as one: the lower
    row names columns that are blank, or the name, in the upper one. The other row must be
    all column names (a data row never joins)."""
    for upper, lower, other in ((index, index + 1, index + 1), (index - 1, index, index - 1)):
        if upper < 0 or lower >= len(rows):
            continue
        above, below = header_mapping(rows[upper]), header_mapping(rows[lower])
        fits = all(i >= len(rows[upper]) or not rows[upper][i].strip() or above.get(i) == "name"
                   for i in below)
        only_names = all(role_of(c) for c in rows[other] if c.strip())
        if below and above and fits and only_names:
            joined = {i: r for i, r in above.items() if not (r == "name" and i in below)}
            joined.update(below)
            if names_someone(joined):
                return lower, joined
    return index, header_mapping(rows[index])


def checked_mapping(roles: list[str]) -> dict[int, str]:
    """A mapping chosen on the page (one role or "" per column), refused when it cannot work."""
    mapping: dict[int, str] = {}
    for index, role in enumerate(roles):
        if not role:
            continue
        if role not in ROLES:
            raise ConfigError("map.unknown_role", role=role)
        first = next((i for i, r in mapping.items() if r == role), None)
        if first is not None:
            raise ConfigError("map.twice", role=i18n.phrase(f"role.{role}"),
                              first=column_letter(first), second=column_letter(index))
        mapping[index] = role
    if not names_someone(mapping):
        raise ConfigError("map.no_name")
    return mapping


def column_letter(index: int) -> str:
    """0 -> "A", 26 -> "AA": columns named as Excel names them."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
