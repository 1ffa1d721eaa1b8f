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

from appliance import i18n, paper
from appliance.errors import ApplianceError
from appliance.export.reports import FileEntry, files_grid

MAX_NAME_CHARS = 200

i18n.register({
    "ret.name_too_long": ("Ф.И.О. длиннее {max} символов", "A name is longer than {max} "
                          "characters"),
})

COMMISSION_ROLES = (
    ("head", "руководителя образовательной организации",
     "Ф.И.О. руководителя образовательной организации"),
    ("organizer", "ответственного организатора", "Ф.И.О. ответственного организатора"),
    ("examiner", "экзаменатора-собеседника", "Ф.И.О. экзаменатора-собеседника"),
    ("technician", "технического специалиста", "Ф.И.О. технического специалиста"),
)
SIGNING_ROLES = {"head": "Руководитель образовательной организации",
                 "organizer": "Ответственный организатор",
                 "examiner": "Экзаменатор-собеседник", "technician": "Технический специалист"}

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


def commission_of(names: dict) -> Commission:
    """The act's commission from the typed names (empty ones stay lines to sign)."""
    chosen = {}
    for key, _, _ in COMMISSION_ROLES:
        value = str(names.get(key) or "").strip()
        if len(value) > MAX_NAME_CHARS:
            raise ApplianceError("ret.name_too_long", max=MAX_NAME_CHARS)
        chosen[key] = value
    return Commission(**chosen)



MATERIAL_KINDS = (
    ("аудиофайлы с записями ответов участников итогового собеседования",
     lambda name: name.endswith(".wav")),
    ("файлы меток и сводок к аудиозаписям",
     lambda name: name.endswith((".txt", ".markers.json", ".summary.json"))),
    ("списки участников (ФИО) и отметки о результатах",
     lambda name: name in ("roster.json", "results.json")),
    ("журналы записи дня", lambda name: name.endswith(".jsonl")),
)
OTHER_KIND = "прочие файлы записи дня"


def material_lines(files: list[FileEntry]) -> list[tuple[str, int]]:
    """One line per kind of material present, in the form's «… в количестве N штук» sense;
    a file of no known kind is counted as «прочие», so the lines add up to the list."""
    counts: dict[str, int] = {}
    for f in files:
        base = f.name.rsplit("/", 1)[-1]
        kind = next((k for k, test in MATERIAL_KINDS if test(base)), OTHER_KIND)
        counts[kind] = counts.get(kind, 0) + 1
    order = [k for k, _ in MATERIAL_KINDS] + [OTHER_KIND]
    return [(k, counts[k]) for k in order if k in counts]


def destruction_act(school_name: str, school: str, room: str, exam_date: dt.date,
                    destroyed_on: dt.date, files: list[FileEntry],
                    commission: Commission | None = None) -> bytes:
    """Form 1А: a pre-filled line per kind of material and one line left free for other
    materials destroyed with them (paper, the video record); the file list before the
    signatures, which stay with its end."""
    commission = commission or Commission()
    title = "Акт уничтожения материалов итогового собеседования по русскому языку"
    members = "".join(
        f"<p>{html.escape(getattr(commission, key) or '_' * 40)}, {role}<br>"
        f"<small>({hint})</small></p>" for key, role, hint in COMMISSION_ROLES)
    lines = "".join(f"<li>{html.escape(kind)} в количестве {n} ({count_in_words(n)}) штук;</li>"
                    for kind, n in material_lines(files))
    free = ("<li>" + "_" * 45 + " в количестве ______ (" + "_" * 22 + ") штук.</li>")
    end = (paper.signatures([paper.Signer(role, getattr(commission, key))
                             for key, role in SIGNING_ROLES.items()])
           + paper.fields([("Дата уничтожения материалов", paper.date_text(destroyed_on)),
                           ("Дата составления акта", paper.date_text(destroyed_on))])
           + "<p><small>Акт хранится 2 года с даты уничтожения материалов.</small></p>")
    body = (paper.heading(title, "форма — 1А")
            + paper.fields([("Наименование ОО", school_name), ("Код ОО", school),
                            ("Номер аудитории", room),
                            ("Дата проведения", paper.date_text(exam_date))])
            + "<p>Комиссия в составе:</p>" + members
            + "<p>составили настоящий акт о том, что нами были уничтожены:</p>"
            + f"<ol>{lines}{free}</ol>"
            + "<p>Перечень уничтоженных файлов (размер и контрольная сумма SHA-256 до "
              "удаления):</p>"
            + files_grid(files, end))
    return paper.document(title, body)
