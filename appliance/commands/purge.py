"""`appliance purge`: delete recordings past their keep-until date, with the act (form 1А).

Prints what will be deleted and asks for a typed confirmation (or `--yes`); days before their
date only when named with `--date` and `--early`. Without a terminal and without `--yes`
nothing is deleted.
"""

from __future__ import annotations

import datetime as dt
import sys

from appliance import config as config_mod
from appliance import i18n
from appliance.contract.retention import RetentionRule
from appliance.errors import StateError
from appliance.export.destruction_act import Commission
from appliance.export.retention import CONFIRM_WORD, plan_purge, purge_day, recorder_day
from appliance.participants import roster as roster_mod

i18n.register({
    "purge.nothing": ("Удалять нечего", "Nothing to delete"),
    "purge.will": ("Будут удалены записи за {date} (хранить до {keep}): файлов {files}",
                   "Recordings of {date} (kept until {keep}) will be deleted: {files} files"),
    "purge.ask": ("Для подтверждения введите {word}: ", "Type {word} to confirm: "),
    "purge.not_confirmed": ("Удаление не подтверждено; ничего не удалено (подтвердите вводом "
                            "слова {word} в терминале или ключом --yes)",
                            "Deletion not confirmed; nothing was deleted (type {word} on a "
                            "terminal or give --yes)"),
    "purge.early_needs_date": ("--early только вместе с --date", "--early needs --date"),
    "purge.done": ("Удалено за {date}: файлов {files}. Акт: {act}",
                   "Deleted for {date}: {files} files. Act: {act}"),
})


def register(subparsers, common) -> None:
    parser = subparsers.add_parser("purge", parents=[common],
                                   help="удалить записи с истёкшим сроком хранения (акт 1А)")
    parser.add_argument("--date", action="append", type=dt.date.fromisoformat,
                        help="только этот день (ГГГГ-ММ-ДД); можно несколько раз")
    parser.add_argument("--early", action="store_true",
                        help="удалить названные --date дни до срока хранения")
    parser.add_argument("--yes", action="store_true", help="не спрашивать подтверждения")
    parser.add_argument("--dry-run", action="store_true", help="только показать")
    for key, hint in _ROLES:
        parser.add_argument(f"--{key}", default="", help=hint)
    parser.set_defaults(func=run)


_ROLES = (("head", "Ф.И.О. руководителя ОО (для акта)"),
          ("organizer", "Ф.И.О. ответственного организатора"),
          ("examiner", "Ф.И.О. экзаменатора-собеседника"),
          ("technician", "Ф.И.О. технического специалиста"))


def _confirmed(args) -> bool:
    if args.yes:
        return True
    if not sys.stdin.isatty():
        return False
    return input(i18n.text("purge.ask", word=CONFIRM_WORD)).strip() == CONFIRM_WORD


def run(args) -> int:
    if args.early and not args.date:
        raise StateError("purge.early_needs_date")
    config = config_mod.load(args.config)
    rule = RetentionRule.from_config(config.export)
    today = dt.date.today()
    plan = plan_purge(config.data_dir, today, rule, args.date, args.early,
                      held=recorder_day(config))
    for message in plan.refused:
        print(message)
    for folder in roster_mod.orphans(config.data_dir, today):
        print(i18n.text("purge.roster", date=folder.name))
        if not args.dry_run:
            roster_mod.remove_orphan(config.data_dir, folder)
    if not plan.due:
        print(i18n.text("purge.nothing"))
        return 1 if plan.refused and args.date else 0
    for day in plan.due:
        print(i18n.text("purge.will", date=day.date.isoformat(), files=len(day.files()),
                        keep=rule.keep_until(day).strftime("%d.%m.%Y")))
    if args.dry_run:
        return 0
    if not _confirmed(args):
        print(i18n.text("purge.not_confirmed", word=CONFIRM_WORD))
        return 2
    commission = Commission(args.head, args.organizer, args.examiner, args.technician)
    for day in plan.due:
        done = purge_day(config.data_dir, day, today, config.export.school_name, commission)
        print(i18n.text("purge.done", date=done.date.isoformat(), files=len(done.files),
                        act=done.act))
    return 0
