"""`appliance purge` (a real process) removes the roster of a past day that was never
recorded, keeps one for a day to come, and says so; the roster of a recorded day goes with
the day (tests/participants/test_recorded_day.py)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

from appliance.contract import layout
from appliance.contract.audit import read_audit
from appliance.participants import roster as roster_mod
from appliance.participants.importer import import_file
from tests.recorder_process import write_config

LIST = "1;Иванов Иван Иванович;9А\n".encode()


def purge(config, *extra) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "appliance", "purge", "--config", str(config),
                           *extra], capture_output=True, text=True, timeout=60)


def test_purge_removes_past_roster_only_days_and_keeps_future_ones(tmp_path):
    data_dir = tmp_path / "data"
    config = write_config(tmp_path / "appliance.toml", data_dir)
    today = dt.date.today()
    past = layout.day_dir(data_dir, today - dt.timedelta(days=1))
    future = layout.day_dir(data_dir, today + dt.timedelta(days=1))
    for folder in (past, future):
        roster_mod.save(folder, import_file("list.csv", LIST).roster)
    dry = purge(config, "--dry-run")
    assert f"{past.name}: список участников дня без записи удаляется" in dry.stdout
    assert past.exists(), "a dry run deletes nothing"
    done = purge(config, "--yes")
    assert done.returncode == 0, done.stderr
    assert not past.exists() and (future / roster_mod.ROSTER_NAME).exists()
    (line,) = [e for e in read_audit(data_dir) if e.event == "roster_purged"]
    assert line.data["date"] == past.name and line.data["files"] == ["roster.json"]
