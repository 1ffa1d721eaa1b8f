"""User-facing text: Russian first, English available.

Every message a person reads goes through `text(key, **params)` so that both languages stay in
one place. The language comes from `APPLIANCE_LANG` ("ru" or "en"), Russian by default; the web
UI passes its own choice explicitly.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

_CATALOG: dict[str, tuple[str, str]] = {}


def register(entries: dict[str, tuple[str, str]]) -> None:
    """Add (ru, en) message pairs; modules register their own vocabulary at import time."""
    for key, pair in entries.items():
        if key in _CATALOG and _CATALOG[key] != pair:
            raise ValueError(f"message key registered twice with different text: {key}")
        _CATALOG[key] = pair


def current_language() -> str:
    lang = os.environ.get("APPLIANCE_LANG", "ru").lower()
    return "en" if lang.startswith("en") else "ru"


@dataclass(frozen=True)
class Phrase:
    """A message used as a parameter of another: put in the same language as that one
    (e.g. «Строка 3: {problem}» with the problem a message of its own)."""

    key: str
    params: dict = field(default_factory=dict)


def phrase(key: str, **params: object) -> Phrase:
    return Phrase(key, params)


def text(key: str, lang: str | None = None, /, **params: object) -> str:
    """The message `key` in `lang` (default: the current language) with `params` filled in."""
    lang = lang or current_language()
    ru, en = _CATALOG[key]
    template = en if lang == "en" else ru
    return template.format(**{name: text(value.key, lang, **value.params)
                              if isinstance(value, Phrase) else value
                              for name, value in params.items()})


class _CommaFloat(float):
    """A float that formats with the Russian decimal comma, whatever the format spec."""

    def __format__(self, spec: str) -> str:
        return super().__format__(spec).replace(".", ",")


def localized(params: dict, lang: str | None = None) -> dict:
    """`params` with their floats shown with the language's decimal separator (0,4 мин), for
    texts a person reads on the page."""
    if (lang or current_language()) == "en":
        return params
    return {key: _CommaFloat(value) if isinstance(value, float) else value
            for key, value in params.items()}


def plural_ru(count: int, one: str, few: str, many: str) -> str:
    """The Russian word form for `count`: 1 запись, 2 записи, 5 записей, 21 запись."""
    n = abs(count) % 100
    if 11 <= n <= 14:
        return many
    return {1: one, 2: few, 3: few, 4: few}.get(n % 10, many)


def decimal(value: float, digits: int = 1, lang: str | None = None) -> str:
    """A number with `digits` decimals and the language's decimal separator (0,4 in Russian)."""
    shown = f"{value:.{digits}f}"
    if (lang or current_language()) == "en":
        return shown
    return shown.replace(".", ",")
