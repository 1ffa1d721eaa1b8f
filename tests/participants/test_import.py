"""Roster import from files shaped like the ones schools really have (form ИС-01)."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from appliance.errors import ConfigError
from appliance.participants import roster as roster_mod
from appliance.participants.importer import import_file

NAMES = ["Иванов Иван Иванович", "Петрова Анна Сергеевна", "Щукин Фёдор Ильич"]


def as_tuples(roster):
    return [(p.number, p.name, p.class_name, p.absent) for p in roster.ordered()]


def test_windows_1251_semicolons_with_header_and_no_show_mark():
    text = ("№ п.п.;ФИО участника;Класс;Отметка о неявке\r\n"
            f"1;{NAMES[0]};9А;\r\n2;{NAMES[1]};9Б;Н\r\n3;{NAMES[2]};9А;\r\n")
    data = text.encode("cp1251")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the fixture really is Windows-1251
    roster = import_file("список.csv", data).roster
    assert as_tuples(roster) == [(1, NAMES[0], "9А", False), (2, NAMES[1], "9Б", True),
                                 (3, NAMES[2], "9А", False)]


def test_utf8_with_bom_commas_and_separate_name_columns():
    text = ("\ufeffНомер,Фамилия,Имя,Отчество,Класс\n"
            "2,Петрова,Анна,Сергеевна,9Б\n1,Иванов,Иван,Иванович,9А\n\n")
    roster = import_file("list.csv", text.encode("utf-8")).roster
    assert as_tuples(roster) == [(1, NAMES[0], "9А", False), (2, NAMES[1], "9Б", False)]


def test_headerless_csv_is_number_name_class():
    roster = import_file("x.csv", f"1;{NAMES[2]};9В\n".encode()).roster
    assert as_tuples(roster) == [(1, NAMES[2], "9В", False)]


def test_xlsx_with_a_header_row(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["№ п.п.", "ФИО участника", "Класс", "Номер аудитории/ отметка о неявке"])
    sheet.append([1, NAMES[0], "9А", "0005"])
    sheet.append([2.0, NAMES[1], "9Б", "Н"])  # Excel stores numbers as floats
    sheet.append([None, None, None, None])
    sheet.append([3, NAMES[2], "9А", None])
    buf = io.BytesIO()
    book.save(buf)
    roster = import_file("ИС-01.xlsx", buf.getvalue()).roster
    assert as_tuples(roster) == [(1, NAMES[0], "9А", False), (2, NAMES[1], "9Б", True),
                                 (3, NAMES[2], "9А", False)]


@pytest.mark.parametrize("bad_row, expected", [
    ("x;Сидоров Пётр;9А", "Строка 3: номер «x» не целое число от 1 до 999"),
    ("3;;9А", "Строка 3: не указаны ФИО участника"),
    ("1;Сидоров Пётр;9А", "Строка 3: номер 1 уже был в строке 1"),
    ("3;Сидоров Пётр;9А;болел?", "Строка 3: непонятная отметка о неявке «болел?»"),
])
def test_a_bad_row_is_named_and_nothing_is_imported(tmp_path, bad_row, expected):
    roster_mod.save(tmp_path, import_file("ok.csv", f"1;{NAMES[0]};9А\n".encode()).roster)
    text = f"1;{NAMES[0]};9А\n2;{NAMES[1]};9Б\n{bad_row}\n4;{NAMES[2]};9А\n"
    with pytest.raises(ConfigError) as caught:
        roster_mod.save(tmp_path, import_file("bad.csv", text.encode("cp1251")).roster)
    assert str(caught.value).startswith(expected)
    assert str(caught.value).endswith("Ничего не импортировано")
    assert as_tuples(roster_mod.load(tmp_path)) == [(1, NAMES[0], "9А", False)]


def test_empty_and_damaged_files_are_refused():
    with pytest.raises(ConfigError, match="нет ни одного участника"):
        import_file("empty.csv", "№;ФИО;Класс\n".encode())
    with pytest.raises(ConfigError, match="не читается"):
        import_file("broken.xlsx", b"PK\x03\x04 not a zip at all")


def test_next_present_skips_no_shows_and_recorded():
    roster = import_file("x.csv", "1;А Б В;9\n2;Г Д Е;9;Н\n3;Ж З И;9\n".encode()).roster
    assert roster.next_present(set()).number == 1
    assert roster.next_present({1}).number == 3
    assert roster.next_present({1, 3}) is None
