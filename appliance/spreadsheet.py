"""Cells for CSV and XLSX files a person opens in Excel or LibreOffice.

A cell that starts with = + - @ (or a tab or carriage return) is taken as a formula there; a
participant's "name" such as `=HYPERLINK(...)` would then run on the commission's PC. Such
text is written with a leading apostrophe, which shows it as plain text.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """`value` unchanged, or text that could be read as a formula with a leading '."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(cells) -> list:
    return [safe_cell(cell) for cell in cells]


def plain_cell(text: str) -> str:
    """The text `safe_cell` was given back, when a program reads the file again."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text
