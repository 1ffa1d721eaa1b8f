"""Every text a module asks for is registered by that module or by one it imports: a command
loads only its own module (appliance/cli.py), so a text registered elsewhere would be missing."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "appliance"
LITERAL = re.compile(r'i18n\.text\(\s*"([^"{}]+)"')
PREFIX = re.compile(r'i18n\.text\(\s*f"([^"{}]+)\{')
PROBE = ("import importlib, json, sys\nfrom appliance import i18n\n"
         "importlib.import_module(sys.argv[1])\nprint(json.dumps(sorted(i18n._CATALOG)))\n")


def modules_using_texts() -> dict[str, tuple[set[str], set[str]]]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        source = path.read_text("utf-8")
        literals, prefixes = set(LITERAL.findall(source)), set(PREFIX.findall(source))
        if literals or prefixes:
            name = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = (literals, prefixes)
    return found


USING = modules_using_texts()


def test_the_scan_finds_the_modules_that_speak():
    assert {"appliance.commands.control", "appliance.commands.check",
            "appliance.dsp.verdict"} <= set(USING)


@pytest.mark.parametrize("module", sorted(USING))
def test_a_module_alone_has_every_text_it_uses(module):
    out = subprocess.run([sys.executable, "-c", PROBE, module], capture_output=True, text=True,
                         check=True).stdout
    registered = set(json.loads(out))
    literals, prefixes = USING[module]
    missing = sorted(literals - registered)
    missing += sorted(f"{p}…" for p in prefixes if not any(k.startswith(p) for k in registered))
    assert not missing
