"""The `appliance` command: one subcommand per module in `appliance.commands`.

Each command module exposes `register(subparsers)`, which adds its parser and sets
`func(args) -> int`. Errors of the appliance are printed as their Russian (or English)
message, never as a traceback, and give exit code 2; so are the file system's refusals
(read-only, full, no permission) wherever they come from.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from appliance import __version__, i18n
from appliance.errors import ApplianceError, os_error_words

i18n.register({
    "cli.os_error": ("{path}: {what}", "{path}: {what}"),
})

COMMANDS = {
    "recorder": "appliance.commands.recorder",
    "run": "appliance.commands.recorder",
    "ctl": "appliance.commands.control",
    "status": "appliance.commands.control",
    "recover": "appliance.commands.recover",
    "export": "appliance.commands.export",
    "verify": "appliance.commands.verify",
    "clip": "appliance.commands.clip",
    "purge": "appliance.commands.purge",
    "regional": "appliance.commands.regional",
    "check": "appliance.commands.check",
    "web": "appliance.commands.web",
    "panel-sim": "appliance.commands.panel_sim",
    "school": "appliance.commands.school",
}
"""Each command and the module that registers it."""


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or of `command` and its module's siblings only: a command
    does not import the modules of the others (`appliance check` starts sooner)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="PATH",
                        help="файл настроек (по умолчанию $APPLIANCE_CONFIG или "
                             "/etc/appliance/appliance.toml)")
    parser = argparse.ArgumentParser(
        prog="appliance", description="Регистратор аудиозаписи итогового собеседования")
    parser.add_argument("--version", action="version", version=f"appliance {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="КОМАНДА")
    modules = [COMMANDS[command]] if command in COMMANDS else dict.fromkeys(COMMANDS.values())
    for name in modules:
        importlib.import_module(name).register(subparsers, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(argv[0] if argv else None).parse_args(argv)
    try:
        return args.func(args)
    except ApplianceError as err:
        print(f"appliance: {err}", file=sys.stderr)
        return 2
    except OSError as err:
        print(f"appliance: {os_error_text(err)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def os_error_text(err: OSError) -> str:
    """A file system refusal in the user's words, naming the file it concerns."""
    what = os_error_words(err)
    return i18n.text("cli.os_error", path=err.filename or "", what=what) if err.filename \
        else what
