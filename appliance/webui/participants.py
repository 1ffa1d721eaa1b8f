"""`/participants`: the room's list, "next participant", corrections and the room sheet.

This page reads the technician's files and the day folder; every write goes through the
recorder's control socket, because the recorder alone writes the day folder (on the image this
page's user may only read it): the list (`roster.json`), the «незачет» marks (`results.json`)
and everything that goes into the day journal (markers, corrections, variant, early finish).
Full names are shown here, behind the login, and nowhere else on the box.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import shutil
import tempfile
import zipfile
from pathlib import Path

from flask import Blueprint, Response, jsonify, render_template, request, send_file

from appliance import i18n
from appliance.contract import layout
from appliance.contract.audit import AuditEvent, log_event
from appliance.contract.dayview import load_day
from appliance.contract.vocabulary import Action, Command
from appliance.errors import ApplianceError, ConfigError, ControlError, StateError
from appliance.export import regional
from appliance.participants import early_act, importer, results, sheet
from appliance.participants import roster as roster_mod
from appliance.participants.columns import ROLES, column_letter
from appliance.participants.flags import CheckLimits
from appliance.webui import pagekit
from appliance.webui.pagekit import current_config, current_language, t

bp = Blueprint("participants", __name__)

i18n.register({
    "part.no_recorder": ("Регистратор не запущен, а список и отметки «незачет» записывает "
                         "он: изменения не сохранены. Подождите минуту (служба регистратора "
                         "перезапускается сама) и повторите; если не помогает, перезагрузите "
                         "устройство",
                         "The recorder is not running, and it is the recorder that writes "
                         "the list and the «незачет» marks: nothing was saved. Wait a minute "
                         "(the recorder's service restarts by itself) and try again; if that "
                         "does not help, restart the box"),
    "part.title": ("Участники и ведомость", "Participants and room sheet"),
    "part.day": ("День", "Day"),
    "part.import": ("Загрузить список участников (ИС-01)", "Import the participant list"),
    "part.import.file": ("Файл списка (XLSX, XLS или CSV)", "List file (XLSX, XLS or CSV)"),
    "part.import.hint": ("Ожидаемые столбцы: № п/п, ФИО (или Фамилия, Имя, Отчество), Класс, "
                         "Вариант, ОВЗ, Отметка о неявке («Н») или «Номер аудитории/ отметка о "
                         "неявке» формы ИС-01. Строки над таблицей и подписи под ней "
                         "пропускаются; лишние столбцы не мешают.",
                         "Expected columns: No., Full name (or Surname, First name, "
                         "Patronymic), Class, Variant, Special needs (ОВЗ), No-show mark («Н») "
                         "or ИС-01's room number / no-show column. Rows above the table and "
                         "signatures below it are skipped; extra columns do no harm."),
    "part.import.sample": ("Образец файла (CSV)", "Sample file (CSV)"),
    "part.import.button": ("Загрузить", "Import"),
    "part.preview.title": ("Проверьте, как прочитан файл", "Check how the file was read"),
    "part.preview.header": ("Строка заголовка: {row}", "Header row: {row}"),
    "part.preview.no_header": ("Строка заголовка не найдена: столбцы по порядку — №, ФИО, "
                               "Класс, неявка", "No header row found: columns in order are No., "
                               "name, class, no-show"),
    "part.preview.header_row": ("Другая строка заголовка (0 — без заголовка):",
                                "Another header row (0: no header):"),
    "part.preview.ready": ("Будет загружено участников: {count}",
                           "Participants to import: {count}"),
    "part.preview.column": ("Столбец {letter}", "Column {letter}"),
    "part.preview.more": ("… и ещё строк: {count}", "… and {count} more rows"),
    "part.imported": ("Загружено участников: {count}", "Participants imported: {count}"),
    "part.saved": ("Список сохранён", "List saved"),
    "part.add": ("Добавить участника", "Add a participant"),
    "part.save": ("Сохранить список", "Save the list"),
    "part.number": ("№", "No."),
    "part.name": ("ФИО", "Full name"),
    "part.class": ("Класс", "Class"),
    "part.absent": ("Неявка («Н»)", "No-show"),
    "part.next": ("Следующий участник", "Next participant"),
    "part.next_is": ("Следующий по списку: № {number}", "Next on the list: No. {number}"),
    "part.next_none": ("В списке больше нет явившихся участников",
                       "No more present participants on the list"),
    "part.start_chosen": ("Начать выбранного", "Start the chosen one"),
    "part.current": ("Сейчас отвечает: № {number}", "Answering now: No. {number}"),
    "part.sheet": ("Ведомость", "Room sheet"),
    "part.print": ("Ведомость ИС-02 для печати", "Form ИС-02 to print"),
    "part.tech_copy": ("Копия техспециалиста (замечания, файлы)",
                       "Technician's copy (remarks, files)"),
    "part.csv": ("Скачать CSV", "Download CSV"),
    "part.variant": ("Вариант", "Variant"),
    "part.ovz": ("ОВЗ", "Special needs"),
    "part.early_label": ("Досрочно", "Early"),
    "part.correct_to": ("Верный №", "Right No."),
    "part.early": ("Досрочное завершение", "Early finish"),
    "part.reason": ("Причина", "Reason"),
    "part.correct": ("Исправить метку", "Correct the marker"),
    "part.void": ("Отменить метку", "Cancel the marker"),
    "part.apply": ("Сохранить", "Save"),
    "part.flags": ("Замечания проверки", "Check remarks"),
    "part.no_file": ("Файл не выбран или пуст", "No file chosen, or it is empty"),
    "part.bad_body": ("Запрос не в том виде: нужен объект JSON",
                      "The request must be a JSON object"),
    "part.bad_int": ("Поле «{field}» должно быть целым числом, получено «{value}»",
                     "Field '{field}' must be a whole number, got '{value}'"),
    "part.nezachet": ("«незачет»", "«незачет» (fail)"),
    "part.is08": ("Акт ИС-08", "Form ИС-08"),
    "part.regional": ("Незачёт и повторная проверка: пакет для РЦОИ",
                      "Fails and appeals: the package for the regional centre"),
    "part.regional.help": ("Отметьте в ведомости участников с «незачет» (по протоколам "
                           "экспертов) и скачайте пакет: записи (по номерам), список, акт "
                           "передачи, SHA256SUMS. Для повторной проверки по апелляции укажите "
                           "номер участника.", "Mark the participants with «незачет» in the "
                           "sheet (from the experts' protocols) and download the package: "
                           "recordings (by number), the list, the transfer act, SHA256SUMS. For "
                           "an appeal's re-check give the participant's number."),
    "part.regional.appeal": ("Номер участника (для апелляции)", "Participant number (appeal)"),
    "part.regional.download": ("Скачать пакет (ZIP)", "Download the package (ZIP)"),
    "part.no_early": ("У участника {n} нет отметки о досрочном завершении",
                      "Participant {n} has no early-finish mark"),
    "audit.ev.result_marked": ("отметка «незачет» изменена", "«незачет» mark changed"),
    "audit.ev.regional_package": ("сделан пакет для РЦОИ", "package for the regional centre made"),
    "part.no_recording": ("За {date} нет записей", "No recordings of {date}"),
})


# ----- helpers ------------------------------------------------------------------------------
def _recorder_status() -> dict | None:
    try:
        return pagekit.recorder(Command.STATUS)
    except ApplianceError:
        return None


def chosen_date(status: dict | None = None) -> dt.date:
    """`?date=` / JSON `date`, else the recorder's open day, else today."""
    body = request.get_json(silent=True)
    raw = (request.args.get("date") or request.form.get("date")
           or (body.get("date") if isinstance(body, dict) else None))
    if raw:
        return layout.day_of(raw)
    status = status if status is not None else _recorder_status()
    if status and status.get("day"):
        return dt.date.fromisoformat(status["day"])
    return dt.date.today()


def day_dir(date: dt.date) -> Path:
    return layout.day_dir(current_config().data_dir, date)


def expected(date: dt.date) -> importer.Expected:
    """What an imported list is checked against: the box's codes and room, the chosen day."""
    site = current_config().site
    return importer.Expected(site.region, site.msu, site.school, site.room, date)


def sheet_rows(directory: Path) -> list[sheet.SheetRow]:
    if not layout.is_recorded(directory):
        return sheet.roster_rows(directory)
    limits = CheckLimits.from_config(current_config().participants)
    return sheet.build_rows(load_day(directory), limits)


def _row_dict(row: sheet.SheetRow, nezachet: set[int]) -> dict:
    return {"number": row.number, "name": row.name, "class_name": row.class_name,
            "nezachet": row.number in nezachet, "early": row.early_reason is not None,
            "variant": row.variant, "start": row.start, "end": row.end,
            "duration_s": row.duration_s, "part": row.part, "file": row.file,
            "offset_s": row.offset_s, "frame": row.frame, "notes": row.notes,
            "flags": [f["code"] for f in row.flags]}


def _audit(event: str, **data: object) -> None:
    log_event(current_config().data_dir, event, source="web",
              remote=request.remote_addr or "", **data)


def _place(date: dt.date, directory: Path):
    if layout.is_recorded(directory):
        return load_day(directory)
    site = current_config().site
    return sheet.Place(site.school, site.room, date, site.region, site.msu)


# ----- pages --------------------------------------------------------------------------------
@bp.get("/participants")
def page():
    status = _recorder_status()
    date = chosen_date(status)
    return render_template("participants.html", date=date.isoformat(),
                           recorder_day=(status or {}).get("day"))


@bp.get("/participants/sheet")
def sheet_page():
    """The print view of form ИС-02: the same self-contained page as in the export."""
    return _sheet_view(sheet.sheet_html)


@bp.get("/participants/sheet-tech")
def sheet_tech_page():
    """The technician's copy: file positions, the intro check's remarks, corrections."""
    return _sheet_view(sheet.technician_html)


def _sheet_view(render) -> Response:
    date = chosen_date()
    directory = day_dir(date)
    body = render(_place(date, directory), sheet_rows(directory),
                  current_config().export.school_name)
    return Response(body, mimetype="text/html")


@bp.get("/participants/sheet.csv")
def sheet_csv():
    date = chosen_date()
    _audit(AuditEvent.DOWNLOAD, file=sheet.SHEET_CSV, date=date.isoformat())
    name = f"{date.isoformat()}_{sheet.SHEET_CSV}"
    return Response(sheet.sheet_csv(sheet_rows(day_dir(date))), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename*=UTF-8''"
                             + _quote(name)})


@bp.get("/participants/early-act")
def early_act_page():
    """Form ИС-08 of one participant, pre-filled from the early-finish mark."""
    date = chosen_date()
    directory = day_dir(date)
    number = _int(request.args, "participant")
    row = next((r for r in early_act.early_rows(sheet_rows(directory)) if r.number == number),
               None)
    if row is None:
        raise StateError("part.no_early", n=number)
    body = early_act.early_finish_act(_place(date, directory), row,
                                      current_config().export.school_name)
    return Response(body, mimetype="text/html")


@bp.post("/participants/regional.zip")
def regional_zip():
    """The regional centre's package (all «незачет», or one participant's appeal) as a ZIP
    of the finished folder, to carry to the centre on a drive."""
    date = chosen_date()
    appeal = request.form.get("participant", "").strip()
    if not layout.is_recorded(day_dir(date)):
        raise StateError("part.no_recording", date=date.strftime("%d.%m.%Y"))
    config = current_config()
    cache = config.data_dir / "cache" / "regional"
    cache.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=cache))
    try:
        package = regional.write_package(
            config.data_dir, load_day(day_dir(date)), work, config.export.school_name,
            _int(request.form, "participant") if appeal else None,
            CheckLimits.from_config(config.participants), who="web")
        archive = work / f"{package.folder.name}.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:
            for path in sorted(package.folder.iterdir()):
                zf.write(path, f"{package.folder.name}/{path.name}")
        handle = open(archive, "rb")  # noqa: SIM115 - send_file closes it after the response
    finally:
        shutil.rmtree(work)
    return send_file(handle, mimetype="application/zip", as_attachment=True,
                     download_name=archive.name)


def _quote(name: str) -> str:
    from urllib.parse import quote
    return quote(name)


# ----- API ----------------------------------------------------------------------------------
@bp.get("/api/participants")
def state():
    status = _recorder_status()
    date = chosen_date(status)
    directory = day_dir(date)
    roster = roster_mod.load(directory)
    rows = sheet_rows(directory)
    nezachet = results.load(directory)
    following = roster.next_present({r.number for r in rows if r.file and r.number})
    return jsonify({"ok": True, "date": date.isoformat(),
                    "roster": roster.to_dict()["participants"],
                    "next": following.number if following else None,
                    "rows": [_row_dict(r, nezachet) for r in rows],
                    "recorder": {"state": (status or {}).get("state"),
                                 "day": (status or {}).get("day"),
                                 "participant": (status or {}).get("participant")}})


def _body() -> dict:
    """The request's JSON object; anything else is refused in words, never a server error."""
    body = request.get_json(force=True)
    if not isinstance(body, dict):
        raise ConfigError("part.bad_body")
    return body


def _int(body: dict, key: str) -> int:
    try:
        return int(body[key])
    except (KeyError, TypeError, ValueError):
        raise ConfigError("part.bad_int", field=key, value=body.get(key, "")) from None


def _upload(body: dict) -> tuple[str, bytes]:
    try:
        data = base64.b64decode(str(body.get("data_b64", "")), validate=True)
    except (binascii.Error, ValueError):
        data = b""
    if not data:
        raise ConfigError("part.no_file")
    return str(body.get("filename", "")), data


def _choice(body: dict) -> tuple[list[str] | None, int | None]:
    """The technician's column roles and header row (1-based; 0 = no header), if sent."""
    roles, header = body.get("roles"), body.get("header_row")
    if roles is not None and not (isinstance(roles, list) and all(isinstance(r, str)
                                                                  for r in roles)):
        raise ConfigError("map.unknown_role", role=roles)
    if header is not None and (not isinstance(header, int) or isinstance(header, bool)):
        raise ConfigError("map.bad_header_row", row=header)
    return roles, None if header is None else header - 1


PREVIEW_ROWS = 30


def _preview(filename: str, data: bytes, roles: list[str] | None, header_row: int | None,
             date: dt.date) -> Response:
    """How a file would be read: its rows, the header row and column roles, and the roster
    it gives (or the reason it would be refused). Nothing is saved."""
    table = importer.read_table(filename, data)
    reply: dict = {"ok": True, "roles": [{"value": r, "label": t(f"role.{r}")}
                                         for r in ("", *ROLES)]}
    end, left_out = len(table.rows), []
    try:
        table = importer.remapped(table, roles, header_row)
        result = importer.build(filename, table, expected(date))
        reply.update(roster=result.roster.to_dict()["participants"],
                     notes=result.notes(current_language()),
                     summary=t("part.preview.ready", count=len(result.roster.participants)))
        end, left_out = result.end_row, result.left_out
    except ConfigError as err:
        reply.update(roster=[], notes=[], problem=err.message(current_language()))
    start = 0 if table.header_row is None else table.header_row + 1
    body_rows = [(i, row) for i, row in enumerate(table.rows[:end]) if i >= start and any(row)]
    width = max((len(row) for row in table.rows), default=0)
    header = _header_texts(table, width)
    reply.update(
        header_row=None if table.header_row is None else table.header_row + 1,
        header_text=(t("part.preview.header", row=table.header_row + 1)
                     if table.header_row is not None else t("part.preview.no_header")),
        columns=[{"letter": column_letter(i), "header": header[i],
                  "role": table.mapping.get(i, ""),
                  "label": t("part.preview.column", letter=column_letter(i))}
                 for i in range(width)],
        rows=[{"row": i + 1, "cells": row + [""] * (width - len(row)), "left_out": i in left_out}
              for i, row in body_rows[:PREVIEW_ROWS]],
        more=(t("part.preview.more", count=len(body_rows) - PREVIEW_ROWS)
              if len(body_rows) > PREVIEW_ROWS else ""))
    return jsonify(reply)


def _header_texts(table: importer.Table, width: int) -> list[str]:
    """Each column's header; a blank one under a cell merged over two rows shows that cell."""
    if table.header_row is None:
        return [""] * width
    rows = table.rows[max(0, table.header_row - 1):table.header_row + 1]
    return [next((r[i] for r in reversed(rows) if i < len(r) and r[i]), "")
            for i in range(width)]


@bp.post("/api/participants/import")
def import_roster():
    """Import a file (automatic column mapping, or the roles chosen on the preview) and
    replace the day's roster; a refused file leaves the earlier roster as it was. With
    `"preview": true`, only show how the file would be read (one endpoint, one upload size
    limit)."""
    body = _body()
    filename, data = _upload(body)
    roles, header_row = _choice(body)
    date = chosen_date()
    if body.get("preview") is True:
        return _preview(filename, data, roles, header_row, date)
    result = importer.import_file(filename, data, expected(date), roles, header_row)
    _save_roster(date, result.roster)
    count = len(result.roster.participants)
    _audit(AuditEvent.ROSTER_IMPORTED, date=date.isoformat(), count=count,
           left_out=sum(result.other_rooms.values()))
    notes = result.notes(current_language())
    return jsonify({"ok": True, "count": count, "notes": notes,
                    "message": " ".join([t("part.imported", count=count), *notes])})


def _recorder_writes(cmd: str, **args):
    """Ask the recorder to write into the day folder; a recorder that is not running is said
    in words (nothing saved), its refusals are passed on as they are."""
    try:
        return pagekit.recorder(cmd, source="web", **args)
    except ControlError as err:
        if err.code == "control.unreachable":
            raise ControlError("part.no_recorder") from err
        raise


def _save_roster(date: dt.date, roster: roster_mod.Roster) -> None:
    participants = roster.to_dict()["participants"]
    _recorder_writes(Command.SAVE_ROSTER, date=date.isoformat(), participants=participants)


@bp.get("/participants/sample.csv")
def sample_csv():
    """A sample list to fill in: the columns the importer knows, `;`, UTF-8 with a BOM."""
    return Response(importer.SAMPLE_CSV.encode("utf-8-sig"), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename*=UTF-8''"
                             + _quote("образец-списка-участников.csv")})


@bp.post("/api/participants/roster")
def save_roster():
    body = _body()
    date = chosen_date()
    roster = roster_mod.Roster.from_dict({"participants": body.get("participants", [])})
    _save_roster(date, roster)
    _audit(AuditEvent.ROSTER_SAVED, date=date.isoformat(), count=len(roster.participants))
    return jsonify({"ok": True, "message": t("part.saved")})


@bp.post("/api/participants/mark")
def mark():
    body = _body()
    args = {"participant": _int(body, "participant")} if body.get("participant") else {}
    return jsonify({"ok": True, **pagekit.recorder(Action.MARK, source="web", **args)})


@bp.post("/api/participants/correct")
def correct():
    body = _body()
    args = {k: body[k] for k in ("participant", "new_frame", "void") if body.get(k) is not None}
    result = pagekit.recorder(Command.CORRECT_MARKER, part=_int(body, "part"),
                                frame=_int(body, "frame"), reason=str(body.get("reason", "")),
                                source="web", **args)
    return jsonify({"ok": True, "correction": result["correction"]})


@bp.post("/api/participants/result")
def set_result():
    """Mark or unmark «незачет» (from the expert's protocol) for one recorded participant."""
    body = _body()
    date = chosen_date()
    number = _int(body, "participant")
    failed = bool(body.get("nezachet"))
    marks = _recorder_writes(Command.SET_NEZACHET, date=date.isoformat(), participant=number,
                             nezachet=failed)["nezachet"]
    _audit(AuditEvent.RESULT_MARKED, date=date.isoformat(), participant=number, nezachet=failed)
    return jsonify({"ok": True, "nezachet": marks})


@bp.post("/api/participants/info")
def info():
    body = _body()
    result = pagekit.recorder(Command.PARTICIPANT_INFO, participant=_int(body, "participant"),
                                variant=body.get("variant") or None,
                                early_finish=body.get("early_finish"),
                                reason=str(body.get("reason", "")), source="web")
    return jsonify({"ok": True, "info": result["info"]})
