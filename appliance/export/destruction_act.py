"""Акт уничтожения материалов итогового собеседования (форма 1А), as printable HTML.

The fields follow the form in the regulation: school name and code, exam date, the commission
(head of the school, responsible organizer, examiner, technical specialist), what was destroyed
and how many, signatures, the date of destruction and of the act. The appliance adds what a
paper form cannot: every destroyed file with its size and SHA-256.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass

from appliance.export.reports import FileEntry, files_table, html_head, signature_lines

COMMISSION_ROLES = (
    ("head", "руководителя образовательной организации",
     "Ф.И.О. руководителя образовательной организации"),
    ("organizer", "ответственного организатора", "Ф.И.О. ответственного организатора"),
    ("examiner", "экзаменатора-собеседника", "Ф.И.О. экзаменатора-собеседника"),
    ("technician", "технического специалиста", "Ф.И.О. технического специалиста"),
)

_UNITS = ["", "одна", "две", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять"]
_TEENS = ["десять", "одиннадцать", "двенадцать", "тринадцать", "четырнадцать", "пятнадцать",
          "шестнадцать", "семнадцать", "восемнадцать", "девятнадцать"]
_TENS = ["", "", "двадцать", "тридцать", "сорок", "пятьдесят", "шестьдесят", "семьдесят",
         "восемьдесят", "девяносто"]
_HUNDREDS = ["", "сто", "двести", "триста", "четыреста", "пятьсот", "шестьсот", "семьсот",
             "восемьсот", "девятьсот"]


def count_in_words(n: int) -> str:
    """A count of «штук» (feminine) in Russian words, 0 ≤ n < 1000000: 21 → «двадцать одна»."""
    if n == 0:
        return "ноль"
    thousands, rest = divmod(n, 1000)
    words = []
    if thousands:
        words.append(_below_thousand(thousands))
        last = thousands % 100
        words.append("тысяч" if 10 < last < 20 or last % 10 in (0, 5, 6, 7, 8, 9)
                     else "тысяча" if last % 10 == 1 else "тысячи")
    words.append(_below_thousand(rest))
    return " ".join(w for w in words if w)


def _below_thousand(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    tens, units = divmod(rest, 10)
    parts = [_HUNDREDS[hundreds]]
    parts += [_TEENS[units]] if tens == 1 else [_TENS[tens], _UNITS[units]]
    return " ".join(p for p in parts if p)


@dataclass(frozen=True)
class Commission:
    """Names of the commission members; empty ones become lines to fill in by hand."""

    head: str = ""
    organizer: str = ""
    examiner: str = ""
    technician: str = ""


def destruction_act(school_name: str, school: str, room: str, exam_date: dt.date,
                    destroyed_on: dt.date, files: list[FileEntry],
                    commission: Commission | None = None) -> bytes:
    commission = commission or Commission()
    title = "Акт уничтожения материалов итогового собеседования по русскому языку"
    fields = [("Наименование ОО", school_name or "_" * 30), ("Код ОО", school),
              ("Аудитория", room), ("Дата проведения", exam_date.strftime("%d.%m.%Y"))]
    members = "".join(
        f"<p>{html.escape(getattr(commission, key) or '_' * 30)}, {role}<br>"
        f"<small>({hint})</small></p>" for key, role, hint in COMMISSION_ROLES)
    audio = sum(1 for f in files if f.name.endswith(".wav"))
    other = len(files) - audio
    body = [
        html_head(title), f"<h1>{html.escape(title)}</h1><p style=\"text-align:right\">"
        "форма — 1А</p><table>",
        "".join(f"<tr><th>{k}</th><td>{html.escape(v)}</td></tr>" for k, v in fields),
        "</table><p>Комиссия в составе:</p>", members,
        "<p>составили настоящий акт о том, что нами были уничтожены:</p><ul>",
        f"<li>аудиофайлы с записями ответов участников итогового собеседования в количестве "
        f"{audio} ({count_in_words(audio)}) штук;</li>",
        f"<li>файлы меток и отчётов к ним в количестве {other} ({count_in_words(other)}) "
        "штук.</li></ul>",
        "<p>Перечень уничтоженных файлов (размер и контрольная сумма SHA-256 до удаления):</p>",
        files_table(files),
        signature_lines([role for _, role, _ in COMMISSION_ROLES]),
        f"<p>Дата уничтожения материалов: {destroyed_on.strftime('%d.%m.%Y')}</p>",
        f"<p>Дата составления акта: {destroyed_on.strftime('%d.%m.%Y')}</p>",
        "<p><small>Акт хранится 2 года с даты уничтожения материалов.</small></p>",
        "</body></html>\n",
    ]
    return "".join(body).encode("utf-8")
