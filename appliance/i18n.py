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
