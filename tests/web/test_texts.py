"""Every text the pages ask for exists in the web process as `appliance web` starts it (the
command imports only its own module, appliance/cli.py)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

WEBUI = Path(__file__).resolve().parents[2] / "appliance" / "webui"
ASKED = re.compile(r"""\bt\(\s*["']([a-z0-9_.-]+[a-z0-9_-])["']""")
PROBE = """
import json, sys
from appliance.cli import build_parser
from appliance import i18n
build_parser("web")
from appliance.webui.app import create_app
create_app(sys.argv[1], testing=True)
print(json.dumps(sorted(i18n._CATALOG)))
"""


def test_every_text_of_the_pages_is_registered(tmp_path):
    asked = set()
    for path in WEBUI.rglob("*"):
        if path.suffix in {".html", ".js", ".py"}:
            asked |= set(ASKED.findall(path.read_text("utf-8")))
    assert {"dash.state.recording", "set.title"} <= asked
    config = tmp_path / "appliance.toml"
    config.write_text(f'[recording]\ndata_dir = "{tmp_path / "data"}"\n', "utf-8")
    out = subprocess.run([sys.executable, "-c", PROBE, str(config)], capture_output=True,
                         text=True, check=True).stdout
    assert sorted(asked - set(json.loads(out.splitlines()[-1]))) == []
