"""Dependencies go one way: every import in the package (function-local ones included) is read
from the source and checked against the layers of docs/ARCHITECTURE.md."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import appliance

ROOT = Path(appliance.__file__).parent
BASE = "base"
"""The top-level modules (`appliance/*.py`) and `appliance/contract/`: the bottom layer."""

ALLOWED = {
    BASE: set(),
    "capture": {BASE},
    "dsp": {BASE, "capture"},
    "participants": {BASE, "capture", "dsp"},
    "export": {BASE, "capture", "dsp", "participants"},
    "school": {BASE},
    "recorder": {BASE, "capture", "dsp", "participants"},
    "hardware": {BASE, "recorder"},
    "daemon": {BASE, "capture", "dsp", "participants", "export", "recorder", "hardware"},
    "webui": {BASE, "capture", "dsp", "participants", "export", "school"},
    "commands": {BASE, "capture", "dsp", "participants", "export", "school", "recorder",
                 "hardware", "daemon", "webui"},
}
"""Which layers each layer may import (its own is always allowed). The docs' table."""


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> str:
    parts = module.split(".")
    if len(parts) > 1 and parts[1] != "contract" and (ROOT / parts[1]).is_dir():
        return parts[1]
    return BASE


def imports(path: Path) -> set[str]:
    """Every module this file imports, at the top or inside a function, resolved to names
    under `appliance` (or the top name of anything else)."""
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names
                      if _is_module(f"{base}.{alias.name}")}
    return found


def _is_module(name: str) -> bool:
    if not name.startswith("appliance."):
        return False
    path = ROOT.parent.joinpath(*name.split("."))
    return path.is_dir() or path.with_suffix(".py").exists()


def graph() -> dict[str, set[str]]:
    return {module_name(p): imports(p) for p in sorted(ROOT.rglob("*.py"))}


def test_every_import_goes_down_the_layers():
    wrong = [f"{module} ({layer(module)}) imports {target} ({layer(target)})"
             for module, targets in graph().items() for target in sorted(targets)
             if target.startswith("appliance.") and layer(target) != layer(module)
             and layer(target) not in ALLOWED[layer(module)]]
    assert not wrong, "\n".join(wrong)


def test_the_layers_form_no_cycle():
    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, " -> ".join((*path, name))
        for lower in ALLOWED[name]:
            visit(lower, (*path, name))
    for name in ALLOWED:
        visit(name, ())


def test_no_package_cycle_and_no_module_cycle_in_the_bottom_layer():
    """Between packages (and the bottom layer's modules, each its own node) the imports form
    no cycle, whatever the table allows."""
    def node(module: str) -> str:
        return layer(module) if layer(module) != BASE else module
    edges: dict[str, set[str]] = {}
    for module, targets in graph().items():
        edges.setdefault(node(module), set()).update(
            node(t) for t in targets if _is_module(t) and node(t) != node(module))
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, "cycle: " + " -> ".join((*path[path.index(name):], name))
        if name in done:
            return
        for target in edges.get(name, ()):
            visit(target, (*path, name))
        done.add(name)
    for name in sorted(edges):
        visit(name, ())


def test_the_bottom_layer_needs_only_the_standard_library():
    wrong = [f"{module} imports {target}" for module, targets in graph().items()
             if module.startswith("appliance.contract") for target in targets
             if not target.startswith("appliance")
             and target.split(".")[0] not in sys.stdlib_module_names]
    wrong += [f"{module} imports {target}" for module, targets in graph().items()
              if module.startswith("appliance.contract") for target in targets
              if target.startswith("appliance.") and layer(target) != BASE]
    assert not wrong, "\n".join(wrong)


def test_the_recorders_collaborators_never_import_the_ones_using_them():
    """Inside the recorder, docs/ARCHITECTURE.md's order: core uses the disk reactions, they
    use the part cycle, it uses the markers; never the other way."""
    order = ["appliance.recorder.markers", "appliance.recorder.parts",
             "appliance.recorder.disk_reactions", "appliance.recorder.core"]
    found = graph()
    wrong = [f"{lower} imports {upper}" for n, lower in enumerate(order)
             for upper in order[n + 1:] if upper in found[lower]]
    assert not wrong, "\n".join(wrong)


def test_nothing_imports_the_web_app_back():
    """Page modules take their helpers from webui.pagekit; only the CLI builds the app."""
    wrong = [module for module, targets in graph().items()
             if "appliance.webui.app" in targets and layer(module) != "commands"]
    assert not wrong


def test_the_checks_see_function_local_and_relative_imports(tmp_path, monkeypatch):
    """The reader itself: an import hidden in a function still counts."""
    package = tmp_path / "appliance" / "webui"
    package.mkdir(parents=True)
    (package / "page.py").write_text("def f():\n    from appliance.commands import purge\n"
                                     "    from . import app\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path / "appliance")
    assert imports(package / "page.py") >= {"appliance.commands", "appliance.webui"}


def test_the_web_page_and_the_vocabulary_load_without_numpy():
    """The web process must stay small: its app and every page module, and the bottom layer
    they share with the recorder, import without numpy."""
    code = ("import sys, appliance.webui.app, appliance.contract.status, "
            "appliance.contract.dayview, appliance.export.verify\n"
            "from appliance.webui.app import PAGE_MODULES\n"
            "import importlib\n"
            "[importlib.import_module(m) for m in PAGE_MODULES]\n"
            "print(sorted(m for m in ('numpy', 'scipy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60).stdout
    assert out.strip() == "[]"
