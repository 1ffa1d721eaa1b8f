"""The `appliance` command: one subcommand per module in `appliance.commands`.

Each command module exposes `register(subparsers)`, which adds its parser and sets
`func(args) -> int`. Errors of the appliance are printed as their Russian (or English)
message, never as a traceback, and give exit code 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from appliance import __version__
from appliance.errors import ApplianceError

COMMAND_MODULES = [
    "appliance.commands.recorder",
    "appliance.commands.control",
    "appliance.commands.recover",
    "appliance.commands.export",
    "appliance.commands.verify",
    "appliance.commands.clip",
    "appliance.commands.purge",
    "appliance.commands.check",
    "appliance.commands.web",
    "appliance.commands.panel_sim",
]


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="PATH",
                        help="файл настроек (по умолчанию $APPLIANCE_CONFIG или "
                             "/etc/appliance/appliance.toml)")
    parser = argparse.ArgumentParser(
        prog="appliance", description="Регистратор аудиозаписи итогового собеседования")
    parser.add_argument("--version", action="version", version=f"appliance {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="КОМАНДА")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ApplianceError as err:
        print(f"appliance: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
