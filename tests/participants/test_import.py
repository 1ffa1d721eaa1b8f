"""Roster import from files shaped like the ones schools really have (form ИС-01)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from appliance.errors import ConfigError
from appliance.participants import roster as roster_mod
from appliance.participants.columns import checked_mapping, role_of
from appliance.participants.importer import Expected, import_file

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


@pytest.mark.parametrize("header, role", [
    ("№", "number"), ("№ п/п", "number"), ("№ п.п.", "number"), ("Номер", "number"),
    ("Номер аудитории", "room"), ("Аудитория", "room"),
    ("Номер аудитории/ отметка о неявке", "room"), ("Серия и номер паспорта", ""),
    ("СНИЛС", ""), ("Номер телефона", ""), ("ФИО участника", "name"),
    ("Фамилия, имя, отчество (при наличии)", "name"), ("Фамилия", "surname"),
    ("Имя", "first"), ("Отчество", "patronymic"), ("Класс", "class"), ("Вариант", "variant"),
    ("Отметка о неявке", "absent"), ("Неявка", "absent"),
    ("Отметка об ОВЗ (продолжительность +30 мин)", "ovz"), ("ОВЗ", "ovz"),
    ("Дата рождения", ""), ("Примечание", ""),
])
def test_a_column_is_known_by_its_whole_header_never_a_part(header, role):
    assert role_of(header) == role


def test_the_technicians_mapping_is_checked():
    with pytest.raises(ConfigError, match="«ФИО» выбрано для двух столбцов: B и D"):
        checked_mapping(["number", "name", "", "name"])
    with pytest.raises(ConfigError, match="Не выбран столбец с ФИО"):
        checked_mapping(["number", "class"])
    assert checked_mapping(["", "surname", "first", "number"]) == {
        1: "surname", 2: "first", 3: "number"}


def test_is01_header_lines_are_checked_and_other_rooms_counted():
    text = ("ИС-01. Форма списка участников итогового собеседования\n"
            "Субъект РФ: 63;Код МСУ 01;Код ОО 640101\n"
            "Итоговое собеседование по русскому языку Дата 10.02.2027\n"
            "№ п.п.;ФИО участника;Номер аудитории/ отметка о неявке\n"
            f"1;{NAMES[0]};0005\n2;{NAMES[1]};0006 Н\n3;{NAMES[2]};0005 н\n")
    expected = Expected("64", "01", "640101", "0005", dt.date(2027, 2, 10))
    result = import_file("ИС-01.csv", text.encode("cp1251"), expected)
    assert as_tuples(result.roster) == [(1, NAMES[0], "", False), (3, NAMES[2], "", True)]
    assert result.notes() == ["В шапке списка код региона 63, а в настройках регистратора 64",
                              "Не загружены участники других аудиторий (1): 0006 (1)"]
    assert result.table.header_row == 3 and result.left_out == [5]


def test_a_roster_file_of_the_first_version_is_still_read():
    roster = roster_mod.Roster.from_dict({"version": 1, "participants": [
        {"number": 1, "name": NAMES[0], "class_name": "9А", "absent": True}]})
    assert [p.to_dict() for p in roster.participants] == [
        {"number": 1, "name": NAMES[0], "class": "9А", "absent": True, "variant": None,
         "ovz": False}]


def test_the_technician_can_say_where_the_header_is_or_that_there_is_none():
    text = f"Список 9А\n№;ФИО\n1;{NAMES[0]}\n".encode()
    assert import_file("x.csv", text, header_row=1).roster.participants[0].name == NAMES[0]
    with pytest.raises(ConfigError, match="Строка 2: номер «№» не целое число"):
        import_file("x.csv", text, header_row=-1)
    with pytest.raises(ConfigError, match="Не выбран столбец с ФИО"):
        import_file("x.csv", text, header_row=0)
