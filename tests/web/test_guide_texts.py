"""The Russian guide (docs/ru) quotes what the box says: every «…» in it is a text of the
product (a message, a page, a document the box writes), with «…» or a number standing for
what varies, unless it is listed below as the guide's own words."""

from __future__ import annotations

import ast
import functools
import importlib
import pkgutil
import re
from pathlib import Path

import appliance
from appliance import i18n

REPO = Path(__file__).resolve().parents[2]
GUIDE = REPO / "docs" / "ru"
WILDCARD = re.compile(r"(…|\bN\b|\d+(?:[.,]\d+)?)")

# Quotes that are the guide's own words (figures of speech, declined names of page sections,
# examples of what a person types), not texts the box shows.
GUIDES_OWN_WORDS = {
    "на всякий случай", "как из-под подушки", "по пути", "на пробу", "незачётом",
    "Журнале действий", "Предупреждениях", "пониженного напряжения", "Надёжно", "Use custom",
    "СОШ № 1",
}


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def guide_quotes() -> list[tuple[str, str]]:
    """(file, quote) for every outermost «…» of the guide (quotes may nest)."""
    found = []
    for path in sorted(GUIDE.glob("*.md")):
        depth, start = 0, 0
        text = path.read_text(encoding="utf-8")
        for i, ch in enumerate(text):
            if ch == "«":
                start, depth = (i + 1, 1) if depth == 0 else (start, depth + 1)
            elif ch == "»" and depth:
                depth -= 1
                if depth == 0:
                    found.append((path.name, text[start:i]))
    return found


@functools.cache
def product_texts() -> tuple[list[str], list[list[str]]]:
    """(texts with «⟨⟩» for their parameters, message templates split at their parameters):
    the message catalog, the page templates and scripts, and the Russian string literals of
    the sources (the documents the box writes)."""
    for module in pkgutil.walk_packages(appliance.__path__, "appliance."):
        if not module.name.endswith("__main__"):
            try:
                importlib.import_module(module.name)
            except ImportError:
                pass  # a board-only module (GPIO) is not needed for its texts
    catalog = [ru for ru, _ in i18n._CATALOG.values()]
    texts = list(catalog)
    source = REPO / "appliance"
    for path in [*source.rglob("*.html"), *source.rglob("*.js")]:
        texts += path.read_text(encoding="utf-8").splitlines()  # short texts: quick to search
    for path in source.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and re.search("[а-яё]", node.value, re.IGNORECASE)):
                texts.append(node.value)
    placeholder = re.compile(r"\{[^{}]*\}")  # of the catalog's messages only
    return ([norm(placeholder.sub("⟨⟩", text)) for text in catalog]
            + [norm(text) for text in texts[len(catalog):]],
            [[norm(piece) for piece in placeholder.split(ru)] for ru in catalog])


def fills(pieces: list[str], text: str) -> bool:
    """`text` is the template of literal `pieces` with something in each gap."""
    if len(pieces) == 1:
        return text == pieces[0]
    if not (text.startswith(pieces[0]) and text.endswith(pieces[-1])):
        return False
    at, end = len(pieces[0]), len(text) - len(pieces[-1])
    for piece in pieces[1:-1]:
        found = text.find(piece, at + 1, end)
        if found < 0:
            return False
        at = found + len(piece)
    return at < end


def quoted_in(quote: str, texts: list[str], templates: list[list[str]]) -> bool:
    wanted = norm(quote)
    pattern = "".join(".{0,120}?" if WILDCARD.fullmatch(part) else re.escape(part)
                      for part in WILDCARD.split(wanted) if part)
    found = re.compile(pattern)
    return (any(found.search(text) for text in texts)
            or any(fills(pieces, wanted.replace("…", "x")) for pieces in templates))


def test_every_quote_of_the_guide_is_a_text_of_the_product():
    texts, templates = product_texts()
    quotes = guide_quotes()
    assert len(quotes) > 150
    missing = [f"{name}: «{quote}»" for name, quote in quotes
               if quote not in GUIDES_OWN_WORDS and not quoted_in(quote, texts, templates)]
    assert not missing, "\n".join(missing)


def test_the_check_finds_a_quote_the_product_does_not_say():
    texts, templates = product_texts()
    assert quoted_in("Цепочка записей цела (записей: 31)", texts, templates)
    assert quoted_in("Команда «Следующий участник» невозможна: сейчас пауза", texts, templates)
    assert not quoted_in("Часы установлены без ошибок", texts, templates)
    assert not quoted_in("Сделайте экспорт", texts, templates)
