"""The printed forms' common layout: one A4 page style, the codes header, signature blocks.

Every paper document the box makes (room sheet ИС-02, acts, lists) is built from these parts,
so they print alike: A4 (portrait or landscape), table headings repeated on each page, a row
never split across pages, and the signatures kept on the page of the table's end (the last
rows and the signatures form one block that the browser moves to the next page whole).
No scripts and no external files: the documents open offline from the drive.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass

FORM_CSS = """
body{font-family:"DejaVu Sans",Arial,sans-serif;font-size:10pt;color:#000;margin:0}
table.grid td{font-size:9pt}
h1{font-size:13pt;margin:0 0 4pt;text-align:center}
.form-code{text-align:right;font-size:9pt;margin:0}
p{margin:3pt 0}
table.grid{border-collapse:collapse;width:100%;table-layout:fixed;margin:4pt 0}
table.grid th,table.grid td{border:1px solid #000;padding:2pt 3pt;text-align:left;
vertical-align:top;overflow-wrap:anywhere}
table.grid th{font-weight:bold;background:#eee;font-size:8pt;overflow-wrap:normal}
tr.signed td{height:17pt}
thead{display:table-header-group}
tr{break-inside:avoid}
tbody.end{break-inside:avoid}
.keep{break-inside:avoid}
table.fields{border-collapse:collapse;margin:4pt 0}
table.fields th{text-align:left;font-weight:normal;padding:1pt 8pt 1pt 0}
table.fields td{border-bottom:1px solid #000;padding:1pt 4pt;min-width:10em}
table.sign{border-collapse:collapse;margin-top:10pt;width:100%;table-layout:fixed}
table.sign td{padding:12pt 3pt 0;vertical-align:bottom;white-space:nowrap}
table.sign td.line{border-bottom:1px solid #000}
table.sign td.cap{padding:0 3pt;font-size:7.5pt;text-align:center;vertical-align:top}
td.blank{height:14pt}
small{font-size:8pt}
code{font-size:7pt;overflow-wrap:anywhere}
.fingerprint{font-family:monospace;font-size:12pt;font-weight:bold}
@media screen{body{margin:1.5em auto;max-width:60em}}
"""

PORTRAIT = "@page{size:A4 portrait;margin:14mm 12mm}"
LANDSCAPE = "@page{size:A4 landscape;margin:12mm 12mm}"


def document(title: str, body: str, landscape: bool = False) -> bytes:
    """A complete self-contained HTML page for A4."""
    page = LANDSCAPE if landscape else PORTRAIT
    return (f"<!DOCTYPE html>\n<html lang=\"ru\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title><style>{page}{FORM_CSS}</style></head>"
            f"<body>\n{body}</body></html>\n").encode()


def heading(title: str, form_code: str = "") -> str:
    code = f"<p class=\"form-code\">{html.escape(form_code)}</p>" if form_code else ""
    return f"{code}<h1>{html.escape(title)}</h1>\n"


def fields(pairs: list[tuple[str, str]]) -> str:
    """Labelled values (an empty value is a line to fill in by hand)."""
    rows = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
                   for k, v in pairs)
    return f"<table class=\"fields\">{rows}</table>\n"


def date_text(date: dt.date | None) -> str:
    return date.strftime("%d.%m.%Y") if date else ""


def site_fields(region: str, msu: str, school: str, school_name: str, room: str | None,
                date: dt.date) -> list[tuple[str, str]]:
    """The codes every form of the regulation starts with."""
    pairs = [("Субъект РФ (код региона)", region), ("Код МСУ", msu), ("Код ОО", school),
             ("Наименование ОО", school_name)]
    if room is not None:
        pairs.append(("Номер аудитории", room))
    return pairs + [("Дата проведения", date_text(date))]


@dataclass(frozen=True)
class Signer:
    """One signature place: the role, an optional pre-filled name, and a date place."""

    role: str
    name: str = ""
    dated: bool = False


def signatures(signers: list[Signer]) -> str:
    """Rows of role | signature | / full name / | date, with captions under the lines.
    Lines are cell borders, not underscores, so nothing wraps at A4 width."""
    dated = any(s.dated for s in signers)
    cols = ("<colgroup><col style=\"width:34%\"><col style=\"width:18%\"><col style=\"width:2%\">"
            "<col style=\"width:28%\"><col style=\"width:2%\">"
            + ("<col style=\"width:16%\">" if dated else "") + "</colgroup>")
    rows = []
    for s in signers:
        date_cells = ("<td class=\"line\"></td>" if s.dated else "<td></td>") if dated else ""
        rows.append(f"<tr><td style=\"white-space:normal\">{html.escape(s.role)}</td>"
                    f"<td class=\"line\"></td><td>/</td>"
                    f"<td class=\"line\">{html.escape(s.name)}</td><td>/</td>{date_cells}</tr>")
        date_cap = ("<td class=\"cap\">(дата)</td>" if s.dated else "<td></td>") if dated else ""
        rows.append("<tr><td></td><td class=\"cap\">(подпись)</td><td></td>"
                    f"<td class=\"cap\">(Ф.И.О.)</td><td></td>{date_cap}</tr>")
    return f"<table class=\"sign\">{cols}{''.join(rows)}</table>\n"


def grid(columns: list[tuple[str, str]], rows: list[list[str]], end: str = "",
         keep_rows: int = 2, row_class: str = "") -> str:
    """A table with repeated headings; `columns` are (heading, CSS width). The last
    `keep_rows` rows and `end` (the signatures) stay together on one page. Cells are HTML."""
    cols = "".join(f"<col style=\"width:{w}\">" for _, w in columns)
    head = "".join(f"<th>{html.escape(h)}</th>" for h, _ in columns)
    tr = f"<tr class=\"{row_class}\">" if row_class else "<tr>"
    body = [tr + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows]
    split = max(len(body) - keep_rows, 0)
    tail = "".join(body[split:])
    if end:
        tail += (f"<tr><td colspan=\"{len(columns)}\" style=\"border:none;padding:0\">"
                 f"{end}</td></tr>")
    main = f"<tbody>{''.join(body[:split])}</tbody>" if split else ""
    return (f"<table class=\"grid\"><colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead>"
            f"{main}<tbody class=\"end\">{tail}</tbody></table>\n")
