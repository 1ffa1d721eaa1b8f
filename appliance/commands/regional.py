"""`appliance regional`: the regional centre's package onto a drive (all «незачет» of a day,
or one participant's recording for an appeal's re-check)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from appliance import config as config_mod
from appliance import i18n
from appliance.commands.clip import day_dir
from appliance.contract.dayview import load_day
from appliance.participants.flags import CheckLimits

i18n.register({
    "regional.done": ("Пакет для РЦОИ: {folder} (участники: {numbers}, файлов: {files})",
                      "Package for the regional centre: {folder} (participants: {numbers}, "
                      "files: {files})"),
})


def register(subparsers, common) -> None:
    parser = subparsers.add_parser(
        "regional", parents=[common],
        help="пакет для РЦОИ: записи участников с «незачет» (или одна — для апелляции)")
    parser.add_argument("--date", type=dt.date.fromisoformat,
                        help="день ГГГГ-ММ-ДД (по умолчанию последний записанный)")
    parser.add_argument("--dest", required=True, help="куда записать (папка на накопителе)")
    parser.add_argument("--appeal", type=int, metavar="N",
                        help="только участник N: повторная проверка по апелляции (ИС-06-01)")
    parser.set_defaults(func=run)


def run(args) -> int:
    from appliance.export.regional import write_package  # numpy via the sheet: not at import

    config = config_mod.load(args.config)
    day = load_day(day_dir(config.data_dir, args.date))
    package = write_package(config.data_dir, day, Path(args.dest), config.export.school_name,
                            args.appeal, CheckLimits.from_config(config.participants))
    print(i18n.text("regional.done", folder=package.folder,
                    numbers=", ".join(map(str, package.numbers)),
                    files=sum(1 for _ in package.folder.iterdir())))
    return 0
