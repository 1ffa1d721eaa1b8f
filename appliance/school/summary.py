"""What one box tells the other boxes of its school: a small, read-only summary.

Made from the recorder's status (or the error the control socket gave) and the last sound
test's verdict saved on the box's disk, so it says no more than the box's own pages. It
carries the box's clock reading, from which the asking box works out the difference between
the two clocks.
"""

from __future__ import annotations

import time

from appliance.config import Config
from appliance.contract import soundtest_files
from appliance.contract.status import Status
from appliance.errors import ApplianceError


def box_time(config: Config) -> float:
    """This box's clock (epoch s). `[school] clock_offset_s` shifts it for tests only, so a
    test can give one box a wrong clock without changing the machine's."""
    return time.time() + config.school.clock_offset_s


def fingerprint(config: Config) -> str:
    """The export signing key's fingerprint, "" when the box has no key (or no key support)."""
    try:
        from appliance.boxkey import box_fingerprint
        return box_fingerprint(config.data_dir) or ""
    except (ImportError, OSError, ValueError, ApplianceError):
        return ""


def last_test(config: Config) -> dict | None:
    """The last sound test: its verdict so far (both seats' once both were recorded), when it
    was recorded (local time, ISO) and from which seats; None when no test was judged (or
    the folder cannot be read: the rest of the summary still goes out)."""
    try:
        last = soundtest_files.last_test(config.data_dir / "tests")
    except OSError:
        last = None
    if last is None:
        return None
    verdict = last.verdict
    return {"status": str(verdict.get("status", "")), "text": str(verdict.get("status_text", "")),
            "at": last.recorded_at.isoformat(timespec="seconds"), "seats": sorted(last.steps)}


def _mirror(status: dict) -> dict | None:
    """The safety copy's state as the recorder says it (None: this recorder does not say)."""
    mirror = status.get("mirror")
    if not isinstance(mirror, dict):
        return None
    state = str(mirror.get("state", ""))
    return {"state": state, "ok": bool(mirror.get("ok", state != "failed")),
            "text": str(mirror.get("text") or mirror.get("state") or "")}


def local_summary(config: Config, box_id: str, status: dict | None,
                  error: ApplianceError | None = None) -> dict:
    """The summary of this box: from its recorder's `status`, or the `error` that came
    instead (then the state is unknown and the error is its only alarm)."""
    summary = {"box_id": box_id, "school": config.site.school, "room": config.site.room,
               "fingerprint": fingerprint(config), "time": box_time(config)}
    if status is None:
        reason = error.message() if error else ""
        return {**summary, "state": "unknown", "elapsed_s": None, "hours_left": None,
                "alarms": [{"code": error.code if error else "unknown", "message": reason}],
                "last_test": last_test(config), "mirror": None, "version": ""}
    return {**summary, "state": status.get("state", "unknown"),
            "elapsed_s": status.get("elapsed_s"),
            "hours_left": Status.from_json(status).recording_hours_left(),
            "alarms": [{"code": str(a.get("code", "")), "message": str(a.get("message", ""))}
                       for a in status.get("alarms", [])],
            "last_test": last_test(config), "mirror": _mirror(status),
            "version": status.get("version", "")}
