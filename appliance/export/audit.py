"""The appliance's audit journal of exports, clips and deletions.

Personal data leaves the box or is destroyed only with a line here: `{data_dir}/audit/
journal.jsonl`, the same hash-chained format as a day journal. The day journals belong to the
recorder process; this one is opened, appended and closed under a file lock for each event, so
the CLI, the web page and the recorder can all log without breaking the chain.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from appliance.journal import Entry, Journal, read_entries


class AuditEvent:
    EXPORTED = "exported"
    EXPORT_FAILED = "export_failed"
    CLIP_MADE = "clip_made"
    PURGED = "purged"


def audit_path(data_dir: str | os.PathLike) -> Path:
    return Path(data_dir) / "audit" / "journal.jsonl"


def log_event(data_dir: str | os.PathLike, event: str, **data: object) -> Entry:
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
