"""The command line registers each command from its own module only."""

from __future__ import annotations

import subprocess
import sys

import pytest

from appliance.cli import COMMANDS, build_parser


def choices(parser) -> set[str]:
    (subparsers,) = [a for a in parser._actions if a.dest == "command"]
    return set(subparsers.choices)


def test_the_full_parser_has_exactly_the_listed_commands():
    assert choices(build_parser()) == set(COMMANDS)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_command_alone_is_registered_by_its_module(command):
    siblings = {c for c, module in COMMANDS.items() if module == COMMANDS[command]}
    assert choices(build_parser(command)) == siblings


def test_a_command_does_not_import_the_others():
    probe = ("import sys; from appliance.cli import build_parser; build_parser('check'); "
             "print(sorted(m for m in sys.modules if m.startswith('appliance.commands.')))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "['appliance.commands.check']"


def test_an_unknown_command_lists_every_command(capsys):
    with pytest.raises(SystemExit):
        build_parser("chek").parse_args(["chek"])
    assert "panel-sim" in capsys.readouterr().err


@pytest.fixture
def read_only_mount(tmp_path):
    """A real read-only file system (tmpfs mounted ro: needs root, as CI has)."""
    mount_point = tmp_path / "ro"
    mount_point.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64m", "tmpfs", str(mount_point)],
                   check=True)
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], check=True)


def test_export_to_a_read_only_drive_says_so_in_russian(tmp_path, read_only_mount):
    from tests.recorder_process import write_config
    from tests.unit.test_recorder_core import make_config, started, wait_recorded
    config = make_config(tmp_path)
    recorder = started(config)
    recorder.handle("start")
    wait_recorded(recorder, 1)
    recorder.handle("stop")
    recorder.close()
    config_path = write_config(tmp_path / "a.toml", tmp_path / "data")
    done = subprocess.run([sys.executable, "-m", "appliance", "export", str(read_only_mount),
                           "--config", str(config_path)], capture_output=True, text=True)
    assert done.returncode == 2
    assert "только для чтения" in done.stderr and "Traceback" not in done.stderr
