"""A user's day through the command line: a real `appliance recorder --simulate` records a
short day with a participant marker; then `appliance export` (with progress), `verify`
and `purge` with the act of destruction, which refuses the day the running recorder
still holds and, once it is stopped, removes exactly what the act lists."""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
import sys

from appliance.contract.audit import read_audit
from tests.feeds import wait_for
from tests.recorder_process import RecorderProcess, write_config


def appliance(config, *args, timeout=120):
    return subprocess.run([sys.executable, "-m", "appliance", *args, "--config", str(config)],
                          capture_output=True, text=True, timeout=timeout)


def record_short_day(rec: RecorderProcess) -> None:
    rec.ctl("start")
    wait_for(lambda: rec.status()["elapsed_s"] >= 1.5, what="1.5 s recorded")
    rec.ctl("mark")
    wait_for(lambda: rec.status()["elapsed_s"] >= 3.0, what="3 s recorded")
    rec.ctl("stop")


def test_export_verify_and_purge_as_a_user_would(tmp_path):
    data_dir = tmp_path / "data"
    config = write_config(tmp_path / "a.toml", data_dir,
                          export={"school_name": "МБОУ «СОШ № 1»"})
    rec = RecorderProcess(config, simulate=True).start()
    try:
        record_short_day(rec)
        day_dir = rec.day_dirs[0]
        date = day_dir.name

        usb = tmp_path / "usb"
        usb.mkdir()
        export = appliance(config, "export", str(usb))
        assert export.returncode == 0, export.stderr
        assert "Выгрузка: 100%" in export.stderr
        assert "все файлы записаны и проверены" in export.stdout
        assert appliance(config, "verify", str(usb)).returncode == 0

        held = appliance(config, "purge", "--date", date, "--early", "--yes")
        assert held.returncode == 1
        assert "открыт в работающем регистраторе" in held.stdout
        assert day_dir.exists()
    finally:
        rec.terminate()

    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
              for p in day_dir.iterdir() if p.is_file()}
    unconfirmed = appliance(config, "purge", "--date", date, "--early")
    assert unconfirmed.returncode == 2 and "--yes" in unconfirmed.stdout
    done = appliance(config, "purge", "--date", date, "--early", "--yes",
                     "--head", "Петрова А. А.")
    assert done.returncode == 0, done.stderr
    assert not day_dir.exists()
    act = next((data_dir / "retention" / "acts").glob(f"*{date}*.html")).read_text("utf-8")
    assert "1А" in act and "Петрова А. А." in act and "МБОУ «СОШ № 1»" in act
    assert dt.date.fromisoformat(date).strftime("%d.%m.%Y") in act
    for name, sha in before.items():
        assert name in act and sha in act
    purged = [e for e in read_audit(data_dir) if e.event == "purged"]
    assert {f["file"]: f["sha256"] for f in purged[0].data["files"]} == before
