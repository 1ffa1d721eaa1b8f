"""Form ИС-08 «Акт о досрочном завершении выполнения заданий итогового собеседования по
уважительным причинам», pre-filled from the journal's early-finish mark.

The participant, the class, the variant, when the answer began and when it ended (the sample
positions of the participant's marker and of the next one) and the reason entered on the
participants page; the places for the signatures of the participant, the medical worker, the
responsible organizer and the examiner. Printed on A4 portrait, one act per participant.
"""

from __future__ import annotations

from appliance import paper
from appliance.participants.sheet import SheetRow

TITLE = ("Акт о досрочном завершении выполнения заданий итогового собеседования "
         "по уважительным причинам")
FORM_CODE = "ИС-08"
SIGNERS = ("Участник итогового собеседования", "Медицинский работник",
           "Ответственный организатор", "Экзаменатор-собеседник (член комиссии по проведению "
           "итогового собеседования)")


def act_name(number: int) -> str:
    """File name by the list number only: never a name in a file name."""
    return f"акт-ИС-08_участник-{number}.html"


def early_rows(rows: list[SheetRow]) -> list[SheetRow]:
    return [r for r in rows if r.early_reason is not None and r.number is not None]


def early_finish_act(day, row: SheetRow, school_name: str = "") -> bytes:
    """`day`: anything with `region`, `msu`, `school`, `room` and `date`."""
    reason = row.early_reason or ""
    body = (paper.heading(TITLE, FORM_CODE)
            + paper.fields(paper.site_fields(day.region, day.msu, day.school, school_name,
                                             day.room, day.date))
            + "<p>Сведения об участнике итогового собеседования:</p>"
            + paper.fields([("ФИО участника", row.name), ("Класс", row.class_name),
                            ("Номер по списку", str(row.number)),
                            ("Номер варианта", row.variant),
                            ("Время начала ответа", row.start),
                            ("Время досрочного завершения", row.end)])
            + "<p>Участник итогового собеседования по состоянию здоровья или другим "
              "объективным причинам не может завершить выполнение заданий итогового "
              "собеседования и досрочно покидает аудиторию проведения.</p>"
            + paper.fields([("Причина", reason)])
            + ("" if reason else "<p>" + "_" * 80 + "</p>")
            + "<p><small>Время — по позиции меток в аудиозаписи аудитории.</small></p>"
            + "<div class=\"keep\">"
            + paper.signatures([paper.Signer(r, row.name if r == SIGNERS[0] else "", dated=True)
                                for r in SIGNERS])
            + paper.fields([("Дата составления акта", paper.date_text(day.date))]) + "</div>")
    return paper.document(TITLE, body)
