"""The Retention page: the days on the box with their keep-until dates, the purge of the days
past their date (typed confirmation), and the acts of destruction (form 1А) to download.

`appliance purge` needs a console, which the image does not have; this page asks the recorder
to do the same (the `purge` control command, appliance.daemon.purge_command), since the
page may read the recordings but never delete or change them. The rules are the CLI's: only
days past their date, never the day the running recorder has open, a typed «УДАЛИТЬ», and
every step in the audit journal.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import Blueprint, abort, jsonify, render_template, request, send_file, url_for

from appliance import i18n
from appliance.contract.audit import AuditEvent
from appliance.contract.dayview import load_day
from appliance.contract.layout import find_days as day_paths
from appliance.contract.retention import RetentionRule
from appliance.contract.vocabulary import Command
from appliance.errors import ApplianceError
from appliance.export.destruction_act import COMMISSION_ROLES, commission_of
from appliance.export.retention import CONFIRM_WORD, acts_dir, plan_purge, recorder_day
from appliance.webui import pagekit
from appliance.webui.access import audit
from appliance.webui.pagekit import current_config

bp = Blueprint("retention", __name__)

PURGE_TIMEOUT_S = 600.0  # deleting a season of days on an SD card takes a while

i18n.register({
    "ret.title": ("Хранение и уничтожение записей", "Retention and destruction"),
    "ret.intro": ("Записи хранятся до даты «хранить до» (по умолчанию 1 марта следующего года), "
                  "затем удаляются с актом уничтожения (форма 1А). Удаляются только дни с "
                  "истёкшим сроком; день, открытый в регистраторе, не удаляется никогда.",
                  "Recordings are kept until their keep-until date (1 March of the next year "
                  "by default), then deleted with an act of destruction (form 1А). Only days "
                  "past their date are deleted; the day open in the recorder never is."),
    "ret.days": ("Записи на устройстве", "Recordings on the box"),
    "ret.date": ("Дата", "Date"),
    "ret.room": ("Аудитория", "Room"),
    "ret.files": ("Файлов", "Files"),
    "ret.size": ("Размер, МБ", "Size, MB"),
    "ret.keep_until": ("Хранить до", "Keep until"),
    "ret.status": ("Состояние", "Status"),
    "ret.due": ("срок истёк — будет удалён", "past its date — will be deleted"),
    "ret.no_days": ("Записей нет", "No recordings"),
    "ret.purge": ("Удалить записи с истёкшим сроком", "Delete the recordings past their date"),
    "ret.purge.explain": ("Будут удалены дни, отмеченные «срок истёк». Для подтверждения "
                          "введите слово {word}.", "The days marked 'past its date' will be "
                          "deleted. Type {word} to confirm."),
    "ret.confirm": ("Подтверждение", "Confirmation"),
    "ret.commission": ("Комиссия (для акта; пустые поля останутся строками для подписи)",
                       "Commission (for the act; empty fields stay lines to sign)"),
    "ret.nothing": ("Удалять нечего: дней с истёкшим сроком хранения нет",
                    "Nothing to delete: no day is past its keep-until date"),
    "ret.done": ("Удалено за {date}: файлов {files}", "Deleted for {date}: {files} files"),
    "ret.acts": ("Акты уничтожения", "Acts of destruction"),
    "ret.no_acts": ("Актов пока нет", "No acts yet"),
    "ret.act_download": ("Скачать акт", "Download the act"),
    "audit.ev.purge_requested": ("запрошено удаление записей", "deletion requested"),
    "audit.ev.roster_purged": ("удалён список участников дня без записи",
                               "roster of a day without recordings deleted"),
})


def today() -> dt.date:
    return dt.date.today()


def _rule(config) -> RetentionRule:
    return RetentionRule.from_config(config.export)


def _plan(config):
    return plan_purge(config.data_dir, today(), _rule(config), held=recorder_day(config))


def list_acts(data_dir: Path) -> list[str]:
    """Names of the acts written so far, newest first (regular files only)."""
    folder = acts_dir(data_dir)
    if not folder.is_dir():
        return []
    acts = [p for p in folder.iterdir() if p.suffix == ".html" and p.is_file()
            and not p.is_symlink()]
    return [p.name for p in sorted(acts, key=lambda p: (p.stat().st_mtime, p.name),
                                   reverse=True)]


def _day_rows(config, plan) -> list[dict]:
    due = {day.date for day in plan.due}
    reasons = {message.partition(":")[0]: message.partition(": ")[2] for message in plan.refused}
    rows = []
    for day in (load_day(path) for path in day_paths(config.data_dir)):
        files = day.files()
        date = day.date.isoformat()
        rows.append({"date": date, "room": day.room, "files": len(files),
                     "size_mb": sum(p.stat().st_size for p in files) / 1e6,
                     "keep_until": _rule(config).keep_until(day).strftime("%d.%m.%Y"),
                     "due": day.date in due, "reason": reasons.get(date, "")})
    return rows


@bp.get("/retention")
def page():
    config = current_config()
    plan = _plan(config)
    return render_template("retention.html", days=_day_rows(config, plan),
                           due=len(plan.due), acts=list_acts(config.data_dir),
                           word=CONFIRM_WORD, roles=COMMISSION_ROLES)


@bp.post("/api/retention/purge")
def purge():
    """Ask the recorder to delete every day past its date (with the act), after the typed
    confirmation; the recorder checks the word and the names again."""
    body = request.get_json(silent=True) or {}
    confirmed = str(body.get("confirm", "")).strip() == CONFIRM_WORD
    names = {key: body.get(key) for key, _, _ in COMMISSION_ROLES}
    commission_of(names)
    config = current_config()
    audit(AuditEvent.PURGE_REQUESTED, confirmed=confirmed,
          dates=[d.date.isoformat() for d in _plan(config).due])
    if not confirmed:
        raise ApplianceError("ret.not_confirmed", word=CONFIRM_WORD)
    reply = pagekit.recorder(Command.PURGE, timeout_s=PURGE_TIMEOUT_S, confirm=CONFIRM_WORD,
                             commission=names, source="web")
    return jsonify({"ok": True, "refused": reply["refused"],
                    "nothing": i18n.text("ret.nothing") if not reply["purged"] else "",
                    "purged": [{**done, "act_url": url_for("retention.act", name=done["act"])}
                               for done in reply["purged"]]})


@bp.get("/retention/acts/<path:name>")
def act(name: str):
    """An act by its exact listed name, never anything else."""
    data_dir = current_config().data_dir
    if name not in list_acts(data_dir):
        abort(404)
    audit(AuditEvent.DOWNLOAD, file=f"retention/acts/{name}")
    return send_file(acts_dir(data_dir) / name, mimetype="text/html", as_attachment=True,
                     download_name=name, max_age=0)
