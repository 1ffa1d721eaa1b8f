"""`appliance recover`: repair and seal every part a crash left open (recorder stopped)."""

from __future__ import annotations

import os

from appliance import config as config_mod
from appliance import i18n
from appliance.recorder.recovery import recover_all

i18n.register({
    "recover.part": ("{day}: {file} — {seconds:.1f} с{changed}",
                     "{day}: {file} — {seconds:.1f} s{changed}"),
    "recover.changed": (" (исправлен)", " (repaired)"),
    "recover.none": ("Все части в порядке, восстанавливать нечего",
                     "All parts are fine, nothing to recover"),
})


def register(subparsers, common) -> None:
    parser = subparsers.add_parser("recover", parents=[common],
                                   help="восстановить записи после сбоя питания")
    parser.set_defaults(func=run)


def run(args) -> int:
    from appliance.daemon.process import lock_data_dir  # the daemon pulls in numpy: not
    # at import, so `appliance verify` on the coordinator's PC needs no audio libraries

    config = config_mod.load(args.config)
    lock_fd = lock_data_dir(config.data_dir)
    try:
        done = recover_all(config.data_dir, config.mirror.path)
    finally:
        os.close(lock_fd)
    for part in done:
        print(i18n.text("recover.part", day=part.day, file=part.file,
                        seconds=part.frames / config.audio.rate,
                        changed=i18n.text("recover.changed") if part.changed else ""))
    if not done:
        print(i18n.text("recover.none"))
    return 0
