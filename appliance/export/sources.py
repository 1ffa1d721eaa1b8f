"""Which medium a part is exported from, and what its safety copy says.

The master (`recording.data_dir`) is the source; with a safety copy (`[mirror] path`) the
copy's file is hashed and compared with the SHA-256 journaled when the part was sealed, so the
report can say that both media hold the same evidence. When the master's file cannot be read
(or turns out not to be the sealed one while it is copied), the verified safety copy is taken
instead, and the report says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from appliance.export.verified_copy import sha256_file

CHECK_TEXT = {
    "match": "резервная копия совпадает",
    "differs": "резервная копия отличается",
    "missing": "на резервной копии файла нет",
    "unreadable": "резервная копия не читается",
    "off": "",
}


@dataclass
class PartSource:
    src: Path
    fallback: Path | None
    """The safety copy's file, verified, taken if the master fails while it is copied."""
    medium: str
    """"master" or "mirror"."""
    check: str
    """The safety copy against the journal: a key of CHECK_TEXT."""
    master_damaged: bool = False

    def text(self) -> str:
        """The report's «Источник»."""
        if self.medium == "mirror":
            why = ("файл основного носителя повреждён" if self.master_damaged
                   else "основной носитель не читается")
            return f"резервная копия ({why}); совпадает с журналом"
        return "; ".join(t for t in ("основной носитель", CHECK_TEXT[self.check]) if t)

    def take_fallback(self) -> None:
        self.src, self.fallback = self.fallback, None
        self.medium, self.master_damaged = "mirror", True


def choose(master: Path, mirror: Path | None, sha256: str) -> PartSource:
    """The source of one sealed part; `mirror` is its path on the safety copy (None: off)."""
    mirror_ok = False
    if mirror is None:
        check = "off"
    elif not mirror.exists():
        check = "missing"
    else:
        try:
            mirror_ok = sha256_file(mirror, drop_cache=True) == sha256
            check = "match" if mirror_ok else "differs"
        except OSError:
            check = "unreadable"
    if _readable(master):
        return PartSource(master, mirror if mirror_ok else None, "master", check)
    if mirror_ok:
        return PartSource(mirror, None, "mirror", check)
    return PartSource(master, None, "master", check)  # the copy refuses it, naming the file


def intact(path: Path, sha256: str | None) -> bool:
    """Whether the whole file reads back with its journaled hash (after a copy failed: was it
    the source?)."""
    try:
        return sha256_file(path, drop_cache=True) == sha256
    except OSError:
        return False


def _readable(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            f.read(12)
        return True
    except OSError:
        return False
