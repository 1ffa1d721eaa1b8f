"""Exceptions of the appliance.

Each carries a stable `code` (for the API and tests) and renders a Russian (or English)
message from the i18n catalog. Subclasses also inherit the matching builtin, so callers that
only know `ValueError` or `OSError` still catch them.
"""

from __future__ import annotations

import errno

from appliance import i18n

i18n.register({
    "os.erofs": ("накопитель или каталог доступен только для чтения: записать нельзя",
                 "the drive or folder is read-only: nothing can be written"),
    "os.enospc": ("на накопителе нет места", "no space left on the drive"),
    "os.eacces": ("нет прав на запись или чтение", "permission denied"),
    "os.enoent": ("нет такого файла или каталога", "no such file or folder"),
    "os.other": ("ошибка файловой системы: {detail}", "file system error: {detail}"),
})
OS_ERRORS = {errno.EROFS: "os.erofs", errno.ENOSPC: "os.enospc", errno.EDQUOT: "os.enospc",
             errno.EACCES: "os.eacces", errno.EPERM: "os.eacces", errno.ENOENT: "os.enoent"}


def os_error_words(err: OSError) -> str:
    """What a file system refusal means, in the reader's language (the system's own words,
    in English, only for a cause not listed)."""
    return i18n.text(OS_ERRORS.get(err.errno, "os.other"), detail=err.strerror or err)


class ApplianceError(Exception):
    """Base class: `code` is the i18n key, `params` fill its message."""

    def __init__(self, code: str, **params: object) -> None:
        self.code = code
        self.params = params
        super().__init__(code)

    def message(self, lang: str | None = None) -> str:
        return i18n.text(self.code, lang, **self.params)

    def __str__(self) -> str:
        return self.message()

    def to_dict(self) -> dict:
        return {"code": self.code, "message": self.message(), "params": _plain(self.params)}


class ConfigError(ApplianceError, ValueError):
    """A setting is missing, malformed or out of range; the message names the key."""


class StateError(ApplianceError, RuntimeError):
    """A command that the current session state does not allow."""


class ClockError(ApplianceError, RuntimeError):
    """The system clock cannot be trusted for naming a day's files."""


class StorageError(ApplianceError, OSError):
    """The recordings storage failed (full, read-only, vanished)."""


class WavFormatError(ApplianceError, ValueError):
    """A file is not a WAV this appliance can read or repair."""


class ControlError(ApplianceError, ConnectionError):
    """The recorder's control socket did not answer."""


def _plain(params: dict) -> dict:
    """Params as JSON values; a phrase becomes its text in the current language."""
    return {k: v if isinstance(v, (int, float, str, bool, type(None)))
            else i18n.text(v.key, **v.params) if isinstance(v, i18n.Phrase) else str(v)
            for k, v in params.items()}
