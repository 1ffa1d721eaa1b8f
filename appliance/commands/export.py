"""`appliance export DEST_DIR`: verified export of the recordings to a mounted drive or folder."""

from __future__ import annotations

import datetime as dt
import sys

from appliance import config as config_mod
from appliance import i18n

i18n.register({
    "export.progress": ("Выгрузка: {percent:3.0f}%  {file}", "Export: {percent:3.0f}%  {file}"),
    "export.room": ("{folder}: файлов {files} (скопировано {copied}, уже были {skipped})",
                    "{folder}: {files} files ({copied} copied, {skipped} already there)"),
    "export.open": ("  не выгружена (идёт запись): {file}", "  not exported (recording): {file}"),
    "export.done": ("Готово: все файлы записаны и проверены. Перед тем как вынуть "
                    "накопитель, отключите его («Извлечь» или umount).",
                    "Done: every file written and verified. Eject (unmount) the drive before "
                    "removing it."),
})


def register(subparsers, common) -> None:
    parser = subparsers.add_parser("export", parents=[common],
                                   help="выгрузить записи на накопитель с проверкой")
    parser.add_argument("dest", metavar="DEST_DIR", help="папка на накопителе")
    parser.add_argument("--date", action="append", type=dt.date.fromisoformat,
                        help="только этот день (ГГГГ-ММ-ДД); можно несколько раз")
    parser.set_defaults(func=run)


class _Printer:
    """Prints progress at most every whole percent, on one line when on a terminal."""

    def __init__(self) -> None:
        self.last = -1

    def __call__(self, progress) -> None:
        percent = int(progress.fraction * 100)
        if percent != self.last:
            self.last = percent
            end = "\r" if sys.stderr.isatty() else "\n"
            print(i18n.text("export.progress", percent=percent, file=progress.file),
                  end=end, file=sys.stderr)


def run(args) -> int:
    from appliance.export.exporter import export_days  # numpy: only when exporting

    config = config_mod.load(args.config)
    result = export_days(config.data_dir, args.dest, progress=_Printer(), dates=args.date,
                         school_name=config.export.school_name, mirror_dir=config.mirror.path)
    for room in result.rooms:
        print(i18n.text("export.room", folder=room.folder, files=len(room.files),
                        copied=room.copied, skipped=room.skipped))
        for name in room.open_parts:
            print(i18n.text("export.open", file=name))
    print(i18n.text("export.done"))
    return 0
