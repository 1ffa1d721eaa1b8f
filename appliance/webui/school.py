"""«Все аудитории»: every paired box of the school on one page, and this box's summary for
the others.

`/api/school/summary` is the only thing one box serves another: read-only, without a session,
answered only to a request signed with the school's pairing key (appliance.school.trust).
Nothing on this page changes another box; pairing changes only this box's own key.
"""

from __future__ import annotations

import json
import logging
import threading
import time

from flask import Blueprint, Flask, Response, current_app, jsonify, render_template, request

from appliance import i18n
from appliance.config import Config
from appliance.contract.audit import AuditEvent
from appliance.contract.vocabulary import Command
from appliance.errors import ApplianceError
from appliance.school import trust
from appliance.school.lan import Announcement, SchoolLan
from appliance.school.peers import SUMMARY_PATH, Peers
from appliance.school.summary import box_time, fingerprint, local_summary
from appliance.school.table import school_rows
from appliance.webui import pagekit
from appliance.webui.access import audit
from appliance.webui.pagekit import current_config, current_language

log = logging.getLogger(__name__)
bp = Blueprint("school", __name__)

ANNOUNCE_CHECK_S = 10.0

i18n.register({
    "school.refused": ("Отказано: запрос не от сопряжённого регистратора этой школы",
                       "Refused: the request is not from a paired box of this school"),
    "school.paired": ("Сопряжено. Ключ школы: {key_id}", "Paired. School key: {key_id}"),
    "school.unpaired": ("Сопряжение снято", "Pairing removed"),
    "school.pair_title": ("Сопряжение регистраторов школы", "Pairing the school's boxes"),
    "school.pair_help": ("Введите один и тот же пароль школы (не короче 12 символов) на каждом "
                         "регистраторе. Регистраторы с одинаковым ключом школы видят сводку "
                         "друг друга; изменить что-либо на другом регистраторе нельзя.",
                         "Type the same school passphrase (12 characters or more) on every "
                         "box. Boxes with the same school key see each other's summary; "
                         "nothing can be changed on another box."),
    "school.pair": ("Сопрячь", "Pair"),
    "school.unpair": ("Снять сопряжение", "Remove pairing"),
    "school.key_id": ("Ключ школы: {key_id}", "School key: {key_id}"),
    "school.not_paired_here": ("Этот регистратор не сопряжён: другие аудитории не видны",
                               "This box is not paired: the other rooms are not shown"),
    "school.lan_off": ("Поиск регистраторов выключен ([school] enabled = false)",
                       "Finding other boxes is off ([school] enabled = false)"),
    "school.open": ("открыть", "open"),
    "audit.ev.school_paired": ("сопряжение регистраторов школы", "school pairing set"),
    "audit.ev.school_unpaired": ("сопряжение снято", "school pairing removed"),
})


class SchoolService:
    """The process's LAN directory (None in tests without a LAN), peers and replay check."""

    def __init__(self, app: Flask, lan: SchoolLan | None) -> None:
        self.lan = lan
        self.checker = trust.RequestChecker()

        def config() -> Config:
            with app.app_context():
                return current_config()

        self.config = config
        self.peers = Peers(found=lan.found if lan else list,
                           key=lambda: trust.load_key(config().data_dir, config().site.school),
                           me=lambda: (trust.box_id(config().data_dir), config().site.school),
                           now=lambda: box_time(config()))


def _service() -> SchoolService:
    app = current_app._get_current_object()
    service = app.extensions.get("appliance.school")
    if service is None:
        service = app.extensions.setdefault("appliance.school", SchoolService(app, None))
    return service


def announcement(config: Config, port: int) -> Announcement:
    return Announcement(box_id=trust.box_id(config.data_dir), school=config.site.school,
                        room=config.site.room, port=port, fingerprint=fingerprint(config))


def start_lan(app: Flask) -> None:
    """Announce this box and look for the others (`appliance web`, when `[school] enabled`);
    a thread re-announces when the room, the school code or the addresses change."""
    with app.app_context():
        config = current_config()
    if not config.school.enabled:
        return
    port = int(config.web.listen.rpartition(":")[2])
    try:
        lan = SchoolLan(announcement(config, port))
    except OSError as err:  # no multicast or no interface list: the page works without
        log.error("mDNS announce and discovery not started: %s", err)
        return
    app.extensions["appliance.school"] = SchoolService(app, lan)

    def keep_announced() -> None:
        while True:
            time.sleep(ANNOUNCE_CHECK_S)
            try:
                with app.app_context():
                    lan.announce(announcement(current_config(), port))
            except Exception:  # top of the thread: log, try again next time
                log.exception("mDNS announce failed")

    threading.Thread(target=keep_announced, name="school-announce", daemon=True).start()


def _own_summary(config: Config) -> dict:
    own_id = trust.box_id(config.data_dir)
    try:
        return local_summary(config, own_id, pagekit.recorder(Command.STATUS))
    except ApplianceError as err:
        return local_summary(config, own_id, None, err)


@bp.get(SUMMARY_PATH)
def summary():
    """This box's summary for a paired box: the request and the reply are signed."""
    config = current_config()
    key = trust.load_key(config.data_dir, config.site.school)
    if key is None or not _service().checker.check(key, SUMMARY_PATH, request.headers,
                                                   box_time(config)):
        body = {"ok": False, "error": {"code": "school.refused",
                                       "text": i18n.text("school.refused", current_language())}}
        return jsonify(body), 403
    body = json.dumps(_own_summary(config), ensure_ascii=False).encode()
    reply = Response(body, mimetype="application/json")
    reply.headers[trust.HEADER_SIGNATURE] = trust.reply_signature(
        key, request.headers[trust.HEADER_NONCE], body)
    return reply


@bp.get("/school")
def page():
    return render_template("school.html")


@bp.get("/api/school")
def rows():
    config, service = current_config(), _service()
    key = trust.load_key(config.data_dir, config.site.school)
    now = time.time()
    return jsonify({"ok": True, "paired": key is not None,
                    "key_id": trust.key_id(key) if key else None,
                    "lan": service.lan is not None,
                    "rows": school_rows(_own_summary(config), service.peers.known(), now,
                                        current_language())})


@bp.post("/api/school/pair")
def pair():
    config = current_config()
    body = request.get_json(silent=True) or {}
    passphrase = body.get("passphrase")
    key = trust.derive_key(passphrase if isinstance(passphrase, str) else "",
                           config.site.school)
    trust.save_key(config.data_dir, key, config.site.school)
    audit(AuditEvent.SCHOOL_PAIRED, key_id=trust.key_id(key))
    return jsonify({"ok": True, "key_id": trust.key_id(key),
                    "text": i18n.text("school.paired", current_language(),
                                      key_id=trust.key_id(key))})


@bp.post("/api/school/unpair")
def unpair():
    trust.forget_key(current_config().data_dir)
    audit(AuditEvent.SCHOOL_UNPAIRED)
    return jsonify({"ok": True, "text": i18n.text("school.unpaired", current_language())})
