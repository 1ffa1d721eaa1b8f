"""`appliance school`: «Все аудитории» in a terminal, and pairing this box from a terminal."""

from __future__ import annotations

import getpass
import sys
import time

from appliance import config as config_mod
from appliance import i18n
from appliance.contract.vocabulary import Command
from appliance.school import trust

i18n.register({
    "school.cli.paired": ("Сопряжено. Ключ школы: {key_id} — он должен совпасть на всех "
                          "регистраторах школы", "Paired. School key: {key_id} — it must be "
                          "the same on every box of the school"),
    "school.cli.not_paired": ("Этот регистратор не сопряжён (appliance school --pair): другие "
                              "аудитории не отвечают", "This box is not paired (appliance "
                              "school --pair): the other rooms do not answer"),
})


def register(subparsers, common) -> None:
    school = subparsers.add_parser("school", parents=[common],
                                   help="все аудитории школы: сводка сопряжённых регистраторов")
    school.add_argument("--wait", type=float, default=3.0, metavar="С",
                        help="сколько секунд искать регистраторы в сети (по умолчанию 3)")
    school.add_argument("--pair", action="store_true",
                        help="сопрячь этот регистратор: пароль школы со стандартного ввода")
    school.set_defaults(func=run_school)


def run_school(args) -> int:
    config = config_mod.load(args.config)
    if args.pair:
        passphrase = (getpass.getpass(i18n.text("school.passphrase") + ": ")
                      if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n"))
        key = trust.derive_key(passphrase, config.site.school)
        trust.save_key(config.data_dir, key, config.site.school)
        print(i18n.text("school.cli.paired", key_id=trust.key_id(key)))
        return 0
    print(school_table(config, args.wait))
    return 0


def school_table(config, wait_s: float) -> str:
    """Browse the LAN for `wait_s`, ask every box found, and lay out the rows."""
    from appliance.contract.control import ControlClient
    from appliance.errors import ApplianceError
    from appliance.school.lan import SchoolLan
    from appliance.school.peers import Peers
    from appliance.school.summary import box_time, local_summary
    from appliance.school.table import format_table, school_rows
    own_id = trust.box_id(config.data_dir)
    try:
        own = local_summary(config, own_id,
                            ControlClient(config.recording.socket_path(), 5).call(Command.STATUS))
    except ApplianceError as err:
        own = local_summary(config, own_id, None, err)
    key = trust.load_key(config.data_dir, config.site.school)
    with SchoolLan() as lan:
        time.sleep(wait_s)
        peers = Peers(found=lan.found, key=lambda: key,
                      me=lambda: (own_id, config.site.school), now=lambda: box_time(config))
        try:
            rows = school_rows(own, peers.known(), time.time(), i18n.current_language())
        finally:
            peers.close()
    table = format_table(rows)
    return table if key else f"{table}\n{i18n.text('school.cli.not_paired')}"
