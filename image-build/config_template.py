"""Print appliance.toml with every setting present, commented out, at its default.

Generated from `appliance.config`: the sections and defaults from the dataclasses, the
comments from the docstrings under each field, so the file on the boot partition can never
drift from the code. Run with the Python that has `appliance` installed. `--set
SECTION.KEY=TEXT` writes that one setting uncommented with a text value (the image uses it
to put the web page's setup code on the boot partition); it is validated like any setting.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import inspect
import sys

import tomli_w

from appliance import config as config_mod

HEADER = """\
# Настройки регистратора аудиозаписи итогового собеседования.
# Settings of the exam-room recorder.
#
# Каждая настройка указана со значением по умолчанию и закомментирована (#).
# Чтобы изменить настройку, уберите # в начале её строки и исправьте значение.
# Файл применяется при следующем включении, если он изменился. Файл с ошибкой не
# применяется, остаются прежние настройки; причина — в журнале
# (journalctl -u appliance-config) и в /var/lib/appliance/boot-config/last-error.txt.
# Every setting is shown at its default, commented out: remove the # and edit the value.
# The file is applied at the next power-on when it changed; a file with an error is not
# applied and the previous settings stay (the reason is in the journal).
"""


def field_docs(cls: type) -> dict[str, str]:
    """The string literal right under each annotated field of a dataclass."""
    tree = ast.parse(inspect.getsource(cls))
    body = tree.body[0].body
    docs = {}
    for node, following in zip(body, body[1:] + [None], strict=True):
        if (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
                and isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)):
            docs[node.target.id] = following.value.value
    return docs


def comment(text: str) -> list[str]:
    return [f"# {line}".rstrip() for line in inspect.cleandoc(text).splitlines()]


def render(settings: dict[str, dict[str, object]] | None = None) -> str:
    """The file; `settings` ({section: {key: value}}) are written uncommented."""
    settings = settings or {}
    config = config_mod.from_dict(settings)
    lines = HEADER.splitlines()
    for section in dataclasses.fields(config):
        value = getattr(config, section.name)
        cls = type(value)
        lines += ["", f"[{section.name}]"]
        if cls.__doc__:
            lines += comment(cls.__doc__)
        docs = field_docs(cls)
        for item in dataclasses.fields(value):
            lines.append("")
            if item.name in docs:
                lines += comment(docs[item.name])
            setting = tomli_w.dumps({item.name: getattr(value, item.name)}).strip()
            chosen = item.name in settings.get(section.name, {})
            lines.append(setting if chosen else f"#{setting}")
    return "\n".join(lines) + "\n"


def parse_setting(text: str) -> tuple[str, str, str]:
    """'web.setup_code_file=/boot/firmware/setup-code.txt' → (section, key, value)."""
    name, sep, value = text.partition("=")
    section, dot, key = name.partition(".")
    if not (sep and dot and section and key):
        raise argparse.ArgumentTypeError(f"expected SECTION.KEY=TEXT, got {text!r}")
    return section, key, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", dest="settings", type=parse_setting, action="append",
                        default=[], metavar="SECTION.KEY=TEXT")
    settings: dict[str, dict[str, object]] = {}
    for section, key, value in parser.parse_args().settings:
        settings.setdefault(section, {})[key] = value
    sys.stdout.write(render(settings))


if __name__ == "__main__":
    main()
