"""Read an uploaded participant list into rows of text cells, whatever Excel saved it as.

CSV: UTF-8 (with or without BOM), UTF-16 (Excel's «Текст Юникод»), else Windows-1251;
separated by `;`, `,` or a tab (the one under which a header is found, else the commonest).
XLSX with openpyxl, Excel 97 `.xls` with xlrd: the first sheet holding a header. Row numbers
stay the file's, as the user sees them in Excel. A damaged file raises ConfigError in
Russian; nothing here raises anything else for bad input.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from pathlib import PurePath

from appliance import i18n
from appliance.errors import ConfigError

MAX_BYTES = 2_000_000
DELIMITERS = (";", "\t", ",")
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
HTML_STARTS = (b"<html", b"<!doctype", b"<table", b"<?xml")
"""Regional systems often save a web page or XML under the name `.xls`."""

Rows = list[list[str]]

i18n.register({
    "import.too_big": ("Файл {file} слишком большой для списка участников",
                       "File {file} is too big for a participant list"),
    "import.unreadable": ("Файл {file} не читается как таблица (повреждён или другого "
                          "формата). Сохраните файл как XLSX или CSV",
                          "File {file} cannot be read as a table (damaged, or another format). "
                          "Save it as XLSX or CSV"),
    "import.ods": ("Файл {file} — таблица LibreOffice (ODS). Сохраните его как XLSX или CSV",
                   "File {file} is a LibreOffice table (ODS). Save it as XLSX or CSV"),
    "import.html_xls": ("Файл {file} — веб-страница, а не таблица Excel. Откройте его в Excel "
                        "и сохраните файл как XLSX или CSV",
                        "File {file} is a web page, not an Excel table. Open it in Excel and "
                        "save it as XLSX or CSV"),
    "import.quote": ("Строка {row}: кавычка не закрыта или стоит не на месте. Ничего не "
                     "импортировано", "Row {row}: a quote is not closed or is misplaced. "
                     "Nothing was imported"),
    "import.binary": ("Файл {file} не текст и не таблица Excel. Сохраните файл как XLSX или CSV",
                      "File {file} is neither text nor an Excel table. Save it as XLSX or CSV"),
})


def read_rows(filename: str, data: bytes, has_header: Callable[[Rows], bool]) -> Rows:
    """The first table of the file as rows of stripped text cells. `has_header(rows)` tells
    which sheet or separator holds the list."""
    if len(data) > MAX_BYTES:
        raise ConfigError("import.too_big", file=filename)
    suffix = PurePath(filename).suffix.lower()
    if data[:4] == b"PK\x03\x04" and b"opendocument" in data[:100] or suffix == ".ods":
        raise ConfigError("import.ods", file=filename)
    if data[:4] == b"PK\x03\x04" or suffix in (".xlsx", ".xlsm"):
        sheets = _xlsx_sheets(filename, data)
    elif data[:8] == XLS_MAGIC:
        sheets = _xls_sheets(filename, data)
    elif data.lstrip(b"\xef\xbb\xbf \t\r\n")[:9].lower().startswith(HTML_STARTS):
        raise ConfigError("import.html_xls", file=filename)
    else:
        return _csv_rows(filename, decode_text(filename, data), has_header)
    return next((rows for rows in sheets if has_header(rows)), sheets[0] if sheets else [])


def decode_text(filename: str, data: bytes) -> str:
    """UTF-8 or UTF-16 by their BOM, UTF-16 without a BOM by its zero bytes, UTF-8 when it
    decodes, else Windows-1251 (Excel's "CSV" in Russia)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _decode(filename, data[3:], "utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _decode(filename, data, "utf-16")
    head = data[:400]
    if len(head) >= 4 and head.count(0) * 3 > len(head):
        odd_zeros = head[1::2].count(0) > head[0::2].count(0)
        return _decode(filename, data, "utf-16-le" if odd_zeros else "utf-16-be")
    if b"\x00" in data:
        raise ConfigError("import.binary", file=filename)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return _decode(filename, data, "cp1251")


def _decode(filename: str, data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise ConfigError("import.unreadable", file=filename) from None


def _csv_rows(filename: str, text: str, has_header: Callable[[Rows], bool]) -> Rows:
    parsed: dict[str, Rows | ConfigError] = {}
    for delimiter in DELIMITERS:
        try:
            parsed[delimiter] = _split(text, delimiter)
        except ConfigError as err:
            parsed[delimiter] = err
        if not isinstance(parsed[delimiter], ConfigError) and has_header(parsed[delimiter]):
            return parsed[delimiter]
    sample = "\n".join(text.splitlines()[:30])
    chosen = parsed[max(DELIMITERS, key=lambda d: (sample.count(d), d == ";"))]
    if isinstance(chosen, ConfigError):
        raise chosen
    return chosen


def _split(text: str, delimiter: str) -> Rows:
    """Rows of one CSV dialect; an unclosed quote names the row where it opened."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: Rows = []
    try:
        for row in reader:
            rows.append([cell.strip() for cell in row])
    except csv.Error:
        raise ConfigError("import.quote", row=len(rows) + 1) from None
    return rows


def _xlsx_sheets(filename: str, data: bytes) -> list[Rows]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a damaged file
        raise ConfigError("import.unreadable", file=filename) from None
    try:
        return [[_trimmed([cell_text(v) for v in row]) for row in sheet.iter_rows(values_only=True)]
                for sheet in book.worksheets if hasattr(sheet, "iter_rows")]
    except Exception:  # a damaged sheet inside a readable zip
        raise ConfigError("import.unreadable", file=filename) from None
    finally:
        book.close()


def _xls_sheets(filename: str, data: bytes) -> list[Rows]:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True,
                                  logfile=io.StringIO())  # its warnings are not ours to print
        sheets = []
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            sheets.append([_trimmed([_xls_cell(book, sheet.cell(r, c))
                                     for c in range(sheet.ncols)]) for r in range(sheet.nrows)])
        return sheets
    except Exception:  # xlrd raises XLRDError, struct.error, AssertionError, ...
        raise ConfigError("import.unreadable", file=filename) from None


def _xls_cell(book, cell) -> str:
    import xlrd

    if cell.ctype == xlrd.XL_CELL_DATE:
        return cell_text(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode))
    return cell_text(cell.value)


def _trimmed(cells: list[str]) -> list[str]:
    """A row without the empty cells at its end (a sheet formatted far to the right)."""
    while cells and not cells[-1]:
        cells.pop()
    return cells


def cell_text(value: object) -> str:
    """A spreadsheet value as the user sees it: 5.0 -> "5", a date -> "10.02.2027"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%d.%m.%Y")
    return " ".join(str(value).split())
