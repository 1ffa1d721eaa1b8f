"""Participant lists shaped like the ones schools really have, each with its exact expected
roster (or the refusal it must get). Made here, in code, so every byte is reviewable: Excel's
habits (title rows, merged cells, signature lines, «Текст Юникод», Excel 97 `.xls`,
Windows-1251 CSV) are reproduced with openpyxl, xlwt and the codecs.

The box these lists are imported on: region 64, МСУ 01, ОО 640101, room 0005
(tests/recorder_process.py SITE), day 2027-02-10.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from openpyxl import Workbook

DATE = "2027-02-10"

NAMES = ["Иванов Иван Иванович", "Петрова Анна Сергеевна", "Щукин Фёдор Ильич",
         "Ахмедова Лейла Рустамовна", "Ёлкин Пётр", "Кузнецова Ольга Павловна",
         "Смирнов Олег Олегович", "Тихонова Мария Андреевна"]
TITLE = "Список участников итогового собеседования по русскому языку"
SCHOOL = "МБОУ «СОШ № 12 им. А. С. Пушкина» г. Энгельса"
SIGNATURE = "Ответственный организатор ОО ____________ / Петров П. П. /"


def person(number, name, cls="", absent=False, variant=None, ovz=False) -> dict:
    """A roster entry as GET /api/participants returns it."""
    return {"number": number, "name": name, "class": cls, "absent": absent,
            "variant": variant, "ovz": ovz}


@dataclass
class Case:
    filename: str
    data: bytes
    roster: list[dict] = field(default_factory=list)
    """The exact roster expected; empty when the file must be refused."""
    refusal: str = ""
    """The start of the Russian refusal expected."""
    notes: list[str] = field(default_factory=list)
    """Texts each of which one of the reply's notes must contain."""


def csv_bytes(rows, sep=";", encoding="cp1251", eol="\r\n") -> bytes:
    return (eol.join(sep.join(str(c) for c in row) for row in rows) + eol).encode(encoding)


def xlsx_bytes(rows, merges=()) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Лист1"
    for row in rows:
        sheet.append(list(row))
    for merge in merges:
        sheet.merge_cells(merge)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def xls_bytes(rows, merges=()) -> bytes:
    """A real Excel 97 (BIFF8) file, as old school systems still save."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Лист1")
    merged = {(r1, c1): (r2, c2) for r1, r2, c1, c2 in merges}
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if (r, c) in merged:
                sheet.write_merge(r, merged[(r, c)][0], c, merged[(r, c)][1], value)
            elif value not in (None, ""):
                sheet.write(r, c, value)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def ods_bytes() -> bytes:
    """The start of a LibreOffice Calc file: a zip whose first, stored entry names its type."""
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as ods:
        ods.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet",
                     compress_type=zipfile.ZIP_STORED)
        ods.writestr("content.xml", "<office:document-content/>")
    return buf.getvalue()


def titled(header, body, width=None) -> list[list]:
    """The commonest layout: title, school, date, a blank row, the table, a blank row and the
    signature line."""
    width = width or len(header)
    pad = [""] * (width - 1)
    return ([[TITLE, *pad], [SCHOOL, *pad], ["Дата проведения: 10.02.2027", *pad], [""] * width,
             header, *body, [""] * width, [SIGNATURE, *pad]])


FIVE = [person(1, NAMES[0], "9А"), person(2, NAMES[1], "9А"), person(3, NAMES[2], "9Б"),
        person(4, NAMES[3], "9Б"), person(5, NAMES[4], "9В", absent=True)]
FIVE_ROWS = [[p["number"], p["name"], p["class"], "Н" if p["absent"] else ""] for p in FIVE]
FIVE_HEADER = ["№ п/п", "ФИО участника", "Класс", "Отметка о неявке"]


def corpus() -> list[Case]:
    cases = [
        Case("01_заголовок_объединённые_ячейки.xlsx",
             xlsx_bytes(titled(FIVE_HEADER, FIVE_ROWS), merges=("A1:D1", "A2:D2", "A3:D3",
                                                                "A12:D12")), FIVE),
        Case("02_то_же_CSV_cp1251.csv", csv_bytes(titled(FIVE_HEADER, FIVE_ROWS)), FIVE),
        Case("03_паспорт_перед_номером.csv", csv_bytes(
            [["Серия и номер паспорта", "№ п/п", "ФИО", "Класс"],
             ["6310 123456", 1, NAMES[0], "9А"], ["6310 654321", 2, NAMES[1], "9А"],
             ["6311 000777", 3, NAMES[2], "9Б"]], encoding="utf-8-sig"),
             [person(1, NAMES[0], "9А"), person(2, NAMES[1], "9А"), person(3, NAMES[2], "9Б")]),
        Case("04_ОВЗ_да_и_неявка.csv", csv_bytes(
            [[TITLE, "", "", ""],
             ["№", "ФИО", "Отметка об ОВЗ (продолжительность +30 мин)", "Отметка о неявке"],
             [1, NAMES[0], "да", ""], [2, NAMES[1], "", ""], [3, NAMES[2], "да", "Н"]]),
             [person(1, NAMES[0], ovz=True), person(2, NAMES[1]),
              person(3, NAMES[2], absent=True, ovz=True)]),
        Case("05_ОВЗ_1_0_и_неявка_Н.xlsx", xlsx_bytes(
            [["№ п/п", "ФИО", "Класс", "Отметка об ОВЗ (продолжительность +30 мин)",
              "Отметка о неявке"],
             *[[p["number"], p["name"], p["class"], 1 if p["number"] == 2 else 0,
                "Н" if p["absent"] else None] for p in FIVE]]),
             [dict(p, ovz=p["number"] == 2) for p in FIVE]),
        Case("06_Текст_Юникод.txt", csv_bytes(
            titled(["№ п/п", "Фамилия", "Имя", "Отчество", "Класс"],
                   [[1, "Иванов", "Иван", "Иванович", "9А"], [2, "Петрова", "Анна", "Сергеевна",
                                                             "9А"],
                    [3, "Ёлкин", "Пётр", "", "9Б"]]), sep="\t", encoding="utf-16"),
             [person(1, NAMES[0], "9А"), person(2, NAMES[1], "9А"), person(3, NAMES[4], "9Б")]),
        Case("07_Excel_97.xls", xls_bytes(
            titled(["№ п.п.", "ФИО участника", "Класс", "Вариант", "Неявка"],
                   [[1.0, NAMES[0], "9А", 3.0, ""], [2.0, NAMES[1], "9А", 1.0, "н/я"],
                    [3.0, NAMES[2], "9Б", "", ""]]),
             merges=[(0, 0, 0, 4), (1, 1, 0, 4)]),
             [person(1, NAMES[0], "9А", variant=3), person(2, NAMES[1], "9А", True, 1),
              person(3, NAMES[2], "9Б")]),
        Case("08_варианты_по-разному.csv", csv_bytes(
            [["№", "ФИО", "Вариант"], [1, NAMES[0], "1"], [2, NAMES[1], "02"],
             [3, NAMES[2], "Вариант 3"], [4, NAMES[3], "вар. 4"], [5, NAMES[4], ""]],
            sep=",", encoding="utf-8"),
             [person(1, NAMES[0], variant=1), person(2, NAMES[1], variant=2),
              person(3, NAMES[2], variant=3), person(4, NAMES[3], variant=4),
              person(5, NAMES[4])]),
        Case("09_ИС-01_по_регламенту.csv", csv_bytes(
            [["ИС-01. Форма списка участников итогового собеседования", "", ""],
             ["Субъект РФ: 64", "Код МСУ 01", "Код ОО 640101"],
             ["Итоговое собеседование по русскому языку", "Дата 10.02.2027", ""],
             ["№ п.п.", "ФИО участника", "Номер аудитории/ отметка о неявке"],
             [1, NAMES[0], "0005"], [2, NAMES[1], "0006"], [3, NAMES[2], "0005 Н"],
             [4, NAMES[3], "0006 Н"], [5, NAMES[4], "0005/Н"], [6, NAMES[5], "0007"],
             [7, NAMES[6], "0005"]]),
             [person(1, NAMES[0]), person(3, NAMES[2], absent=True),
              person(5, NAMES[4], absent=True), person(7, NAMES[6])],
             notes=["Не загружены участники других аудиторий (3): 0006 (2), 0007 (1)"]),
        Case("10_ИС-01_чужая_школа_и_дата.xlsx", xlsx_bytes(
            [["ИС-01. Форма списка участников итогового собеседования"],
             ["Субъект РФ:", 64, "Код МСУ", 1, "Код ОО", 640102],
             ["Итоговое собеседование по русскому языку Дата 11.02.2027"],
             ["№ п.п.", "ФИО участника", "Номер аудитории/ отметка о неявке"],
             [1, NAMES[0], 5], [2, NAMES[1], "5 Н"]], merges=("A1:F1", "A3:F3")),
             [person(1, NAMES[0]), person(2, NAMES[1], absent=True)],
             notes=["В шапке списка код ОО 640102, а в настройках регистратора 640101",
                    "В шапке списка дата 11.02.2027, а в настройках регистратора 10.02.2027"]),
        Case("11_ИС-01_только_другие_аудитории.csv", csv_bytes(
            [["№ п.п.", "ФИО участника", "Номер аудитории/ отметка о неявке"],
             [1, NAMES[0], "0006"], [2, NAMES[1], "0007 Н"]]),
             refusal="В файле 11_ИС-01_только_другие_аудитории.csv нет участников аудитории "
                     "0005; в нём аудитории 0006, 0007"),
        Case("12_столбец_Аудитория_с_Н.csv", csv_bytes(
            [["№", "ФИО", "Класс", "Аудитория"], [1, NAMES[0], "9А", "Н"],
             [2, NAMES[1], "9А", "0005"], [3, NAMES[2], "9Б", ""]]),
             [person(1, NAMES[0], "9А", absent=True), person(2, NAMES[1], "9А"),
              person(3, NAMES[2], "9Б")]),
        Case("13_СНИЛС_ФИО_по_частям_номер_в_конце.xlsx", xlsx_bytes(
            [["СНИЛС", "Фамилия", "Имя", "Отчество", "Класс", "Номер"],
             ["123-456-789 01", "Тихонова", "Мария", "Андреевна", "9Г", 2],
             ["987-654-321 00", "Смирнов", "Олег", "Олегович", "9Г", 1]]),
             [person(1, NAMES[6], "9Г"), person(2, NAMES[7], "9Г")]),
        Case("14_без_номеров.csv", csv_bytes(
            [[TITLE, ""], ["", ""], ["ФИО", "Класс"], [NAMES[2], "9Б"], [NAMES[0], "9А"],
             [NAMES[1], "9А"], ["Всего: 3 участника", ""]], sep=",", encoding="utf-8"),
             [person(1, NAMES[2], "9Б"), person(2, NAMES[0], "9А"), person(3, NAMES[1], "9А")],
             notes=["участники пронумерованы по порядку строк"]),
        Case("15_неявка_все_написания.csv", csv_bytes(
            [["№ п/п", "ФИО", "Неявка"], [1, NAMES[0], "Н"], [2, NAMES[1], "н/я"],
             [3, NAMES[2], "не явился"], [4, NAMES[3], "1"], [5, NAMES[4], "да"],
             [6, NAMES[5], "0"], [7, NAMES[6], ""], [8, NAMES[7], "нет"]]),
             [person(n, NAMES[n - 1], absent=n <= 5) for n in range(1, 9)]),
        Case("16_ОВЗ_все_написания.csv", csv_bytes(
            [["№", "ФИО", "ОВЗ"], [1, NAMES[0], "да"], [2, NAMES[1], "1"], [3, NAMES[2], "ОВЗ"],
             [4, NAMES[3], "+"], [5, NAMES[4], ""], [6, NAMES[5], "нет"], [7, NAMES[6], "0"]],
            sep="\t", encoding="utf-8"),
             [person(n, NAMES[n - 1], ovz=n <= 4) for n in range(1, 8)]),
        Case("17_без_заголовка.csv", csv_bytes(
            [[1, NAMES[0], "9А"], [2, NAMES[1], "9Б", "Н"], [3, NAMES[2], "9А"]]),
             [person(1, NAMES[0], "9А"), person(2, NAMES[1], "9Б", absent=True),
              person(3, NAMES[2], "9А")]),
        Case("18_лишние_столбцы_и_итог.xlsx", xlsx_bytes(
            titled(["№", "Дата рождения", "Пол", "ФИО обучающегося", "Класс/группа",
                    "Примечание"],
                   [[1, "01.02.2011", "м", NAMES[0], "9 А", "переведён из 9Б"],
                    [2, "03.04.2011", "ж", NAMES[1], "9 А", ""]]) + [["Итого: 2"]]),
             [person(1, NAMES[0], "9 А"), person(2, NAMES[1], "9 А")]),
        Case("19_UTF-8_без_BOM_точки_в_номерах.csv", csv_bytes(
            [["№ п.п.", "ФИО участника", "Класс"], ["1.", NAMES[0], "9А"],
             ["2.", NAMES[1], "9А"]], encoding="utf-8"),
             [person(1, NAMES[0], "9А"), person(2, NAMES[1], "9А")]),
        # ----- broken files: refused, naming the row; the earlier roster stays
        Case("20_незакрытая_кавычка.csv", csv_bytes(
            [FIVE_HEADER, *[[p["number"], p["name"], p["class"], ""] for p in FIVE],
             [6, '"' + NAMES[5], "9В", ""], [7, NAMES[6], "9В", ""]]),
             refusal="Строка 7: кавычка не закрыта или стоит не на месте. Ничего не "
                     "импортировано"),
        Case("21_строка_без_ФИО.xlsx", xlsx_bytes(titled(
            FIVE_HEADER, [[1, NAMES[0], "9А", ""], [2, None, "9А", ""], [3, NAMES[2], "9Б", ""]])),
             refusal="Строка 7: не указаны ФИО участника. Ничего не импортировано"),
        Case("22_невозможный_номер.csv", csv_bytes(
            [FIVE_HEADER, [1, NAMES[0], "9А", ""], [1000, NAMES[1], "9А", ""]]),
             refusal="Строка 3: номер «1000» не целое число от 1 до 999"),
        Case("23_номер_дважды.csv", csv_bytes(
            [FIVE_HEADER, [1, NAMES[0], "9А", ""], [2, NAMES[1], "9А", ""],
             [1, NAMES[2], "9А", ""]]),
             refusal="Строка 4: номер 1 уже был в строке 2"),
        Case("24_веб-страница_под_видом_xls.xls",
             "<html><body><table><tr><td>№</td><td>ФИО</td></tr></table></body></html>"
             .encode(), refusal="Файл 24_веб-страница_под_видом_xls.xls — веб-страница, а не "
                                "таблица Excel. Откройте его в Excel и сохраните файл как XLSX "
                                "или CSV"),
        Case("25_повреждённый.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600),
             refusal="Файл 25_повреждённый.xls не читается как таблица"),
        Case("26_непонятная_отметка_ОВЗ.csv", csv_bytes(
            [["№", "ФИО", "ОВЗ"], [1, NAMES[0], "да"], [2, NAMES[1], "может быть"]]),
             refusal="Строка 3: непонятная отметка ОВЗ «может быть»"),
        # ----- headers of two rows (merged cells over the name's parts)
        Case("27_заголовок_в_две_строки.xlsx", xlsx_bytes(
            [[TITLE], [SCHOOL], [],
             ["№ п/п", "ФИО участника", None, None, "Класс", "Отметка о неявке"],
             [None, "Фамилия", "Имя", "Отчество", None, None],
             [1, "Иванов", "Иван", "Иванович", "9А", None],
             [2, "Петрова", "Анна", "Сергеевна", "9А", "Н"], [], [SIGNATURE]],
            merges=("A1:F1", "A2:F2", "A4:A5", "B4:D4", "E4:E5", "F4:F5", "A9:F9")),
             [person(1, NAMES[0], "9А"), person(2, NAMES[1], "9А", absent=True)]),
        Case("28_заголовок_в_две_строки_нижняя_полнее.csv", csv_bytes(
            [["№", "ФИО", "", "", "", ""],
             ["", "Фамилия", "Имя", "Отчество", "Вариант", "ОВЗ"],
             [1, "Иванов", "Иван", "Иванович", "1", ""],
             [2, "Ахмедова", "Лейла", "Рустамовна", "2", "да"]], encoding="utf-8-sig"),
             [person(1, NAMES[0], variant=1), person(2, NAMES[3], variant=2, ovz=True)]),
        Case("29_примечания_и_дата_под_таблицей.csv", csv_bytes(
            [["ФИО", "Класс", "Примечание"], [NAMES[0], "9А", "всего 2 урока пропущено"],
             [NAMES[1], "9А", ""], [NAMES[2], "9Б", "итого: переведён"], ["", "", ""],
             ["Дата:", "10.02.2027", ""], ["Подпись", "________", ""]]),
             [person(1, NAMES[0], "9А"), person(2, NAMES[1], "9А"), person(3, NAMES[2], "9Б")],
             notes=["участники пронумерованы по порядку строк"]),
        Case("30_LibreOffice.ods", ods_bytes(),
             refusal="Файл 30_LibreOffice.ods — таблица LibreOffice (ODS). Сохраните его как "
                     "XLSX или CSV"),
    ]
    return cases


if __name__ == "__main__":  # `python -m tests.participants.corpus DIR`: the files, to open by hand
    import sys
    from pathlib import Path

    folder = Path(sys.argv[1])
    folder.mkdir(parents=True, exist_ok=True)
    for case in corpus():
        (folder / case.filename).write_bytes(case.data)
    print(f"{len(corpus())} files in {folder}")
