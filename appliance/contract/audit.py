"""The appliance's audit journal: logins, controls, settings, downloads, exports, deletions.

Personal data leaves the box or is destroyed only with a line here: `{data_dir}/audit/
journal.jsonl`, the same hash-chained format as a day journal. The day journals belong to the
recorder process; this one is opened, appended and closed under a file lock for each event, so
the CLI, the web page and the recorder can all log without breaking the chain.
"""

from __future__ import annotations

import enum
import fcntl
import os
from pathlib import Path

from appliance.journal import Entry, Journal, read_entries


class AuditEvent(enum.StrEnum):
    """Every event name the audit journal holds (the audit page translates them)."""

    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGIN_BLOCKED = "login_blocked"
    LOGOUT = "logout"
    PASSWORD_SET = "password_set"
    PASSWORD_CHANGED = "password_changed"
    CONTROL = "recorder_control"
    PRESS_REFUSED = "press_refused"
    """A button press refused while the recorder had no day to journal it in."""
    SIMULATED_BUTTON = "simulated_button"
    SETTINGS_CHANGED = "settings_changed"
    CLOCK_SET = "clock_set"
    SCHOOL_PAIRED = "school_paired"
    SCHOOL_UNPAIRED = "school_unpaired"
    ROSTER_IMPORTED = "roster_imported"
    ROSTER_SAVED = "roster_saved"
    ROSTER_PURGED = "roster_purged"
    RESULT_MARKED = "result_marked"
    DOWNLOAD = "download"
    CLIP_MADE = "clip_made"
    EXPORT_REQUESTED = "export_requested"
    EXPORTED = "exported"
    EXPORT_FAILED = "export_failed"
    REGIONAL_PACKAGE = "regional_package"
    PURGE_REQUESTED = "purge_requested"
    PURGE_STARTED = "purge_started"
    PURGED = "purged"


def audit_path(data_dir: str | os.PathLike) -> Path:
    return Path(data_dir) / "audit" / "journal.jsonl"


def log_event(data_dir: str | os.PathLike, event: AuditEvent, **data: object) -> Entry:
    """Append one durable, chained entry; safe across processes."""
    path = audit_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name("journal.lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with Journal(path) as journal:
            return journal.append(event, **data)


def read_audit(data_dir: str | os.PathLike) -> list[Entry]:
    path = audit_path(data_dir)
    return read_entries(path) if path.exists() else []
