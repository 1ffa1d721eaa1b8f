"""Retention: only past-date days go, each with an act (form 1А) listing exactly what went."""

import datetime as dt
import hashlib
import subprocess
import sys

import pytest
from export_daybuilder import PartSpec, build_day

from appliance.contract.audit import audit_path, read_audit
from appliance.contract.retention import RetentionRule, keep_until_for
from appliance.export.destruction_act import count_in_words
from appliance.export.retention import plan_purge, purge_day
from appliance.journal import verify_chain


@pytest.fixture
def two_years(data_dir):
    old = build_day(data_dir, [PartSpec(5.0, [1.0]), PartSpec(3.0, [])],
                    date=dt.date(2026, 2, 11))
    new = build_day(data_dir, [PartSpec(5.0, [1.0])], date=dt.date(2027, 2, 10))
    return old, new


def digests(folder):
    return {p.name: (p.stat().st_size, hashlib.sha256(p.read_bytes()).hexdigest())
            for p in folder.iterdir()}


@pytest.mark.parametrize("exam, years, month_day, expected", [
    (dt.date(2027, 2, 10), 1, "03-01", dt.date(2028, 3, 1)),
    (dt.date(2027, 12, 24), 1, "03-01", dt.date(2028, 3, 1)),
    (dt.date(2027, 2, 10), 0, "09-01", dt.date(2027, 9, 1)),
    (dt.date(2027, 2, 10), 1, "02-29", dt.date(2028, 2, 29)),
    (dt.date(2028, 2, 10), 1, "02-29", dt.date(2029, 2, 28)),
])
def test_keep_until_rule(exam, years, month_day, expected):
    assert keep_until_for(exam, years, month_day) == expected


@pytest.mark.parametrize("exam, months, expected", [
    (dt.date(2027, 2, 10), 6, dt.date(2027, 8, 10)),
    (dt.date(2027, 8, 31), 6, dt.date(2028, 2, 29)),
    (dt.date(2027, 12, 24), 1, dt.date(2028, 1, 24)),
    (dt.date(2027, 3, 31), 1, dt.date(2027, 4, 30)),
])
def test_keep_months_after_the_exam_wins_over_the_date_rule(exam, months, expected):
    assert keep_until_for(exam, 1, "03-01", keep_months=months) == expected
    assert RetentionRule(1, "03-01", months).date_for(exam) == expected


def test_purge_refuses_early_days_and_removes_past_ones_with_an_exact_act(data_dir, two_years):
    old, new = two_years
    new_before = digests(new)
    old_before = digests(old)
    plan = plan_purge(data_dir, dt.date(2027, 3, 1))
    assert [d.date for d in plan.due] == [dt.date(2026, 2, 11)]
    assert plan.refused == ["2027-02-10: срок хранения до 01.03.2028, удалять рано"]
    assert plan_purge(data_dir, dt.date(2027, 2, 28)).due == []

    done = purge_day(data_dir, plan.due[0], dt.date(2027, 3, 1), school_name="МБОУ «СОШ № 1»")
    assert not old.exists()
    assert digests(new) == new_before
    assert {f.name: (f.bytes, f.sha256) for f in done.files} == old_before
    act = done.act.read_text(encoding="utf-8")
    assert "форма — 1А" in act and "МБОУ «СОШ № 1»" in act and "11.02.2026" in act
    for name, (size, sha) in old_before.items():
        assert f"<td>{name}</td><td>{size}</td><td><code>{sha}</code>" in act
    assert act.count("<td><code>") == len(old_before)  # no more, no less
    assert "в количестве 2 (две) штук" in act
    assert "<th>Дата уничтожения материалов</th><td>01.03.2027</td>" in act

    events = read_audit(data_dir)
    assert [e.event for e in events] == ["purge_started", "purged"]
    assert {f["file"] for f in events[1].data["files"]} == set(old_before)
    assert verify_chain(audit_path(data_dir)) is None


def test_early_purge_only_when_named(data_dir, two_years):
    _, new = two_years
    today = dt.date(2027, 3, 1)
    assert plan_purge(data_dir, today, dates=[dt.date(2027, 2, 10)]).due == []
    plan = plan_purge(data_dir, today, dates=[dt.date(2027, 2, 10)], early=True)
    assert [d.path for d in plan.due] == [new]
    assert plan_purge(data_dir, today, RetentionRule(), [dt.date(2025, 1, 1)]).refused == [
        "2025-01-01: записей за этот день нет"]


def run_purge(config, *args, **kwargs):
    return subprocess.run([sys.executable, "-m", "appliance", "purge", "--config", str(config),
                           *args], capture_output=True, text=True, **kwargs)


def test_purge_command_needs_confirmation_and_removes_only_expired(data_dir, tmp_path):
    old = build_day(data_dir, [PartSpec(3.0, [])], date=dt.date(2020, 2, 11))
    new = build_day(data_dir, [PartSpec(3.0, [])], date=dt.date(2099, 2, 10))
    config = tmp_path / "appliance.toml"
    config.write_text(f'[recording]\ndata_dir = "{data_dir}"\n', encoding="utf-8")

    unconfirmed = run_purge(config, stdin=subprocess.DEVNULL)
    assert unconfirmed.returncode == 2
    assert "ничего не удалено" in unconfirmed.stdout
    assert old.exists() and read_audit(data_dir) == []

    done = run_purge(config, "--yes", "--head", "Петрова А. А.")
    assert done.returncode == 0, done.stderr
    assert not old.exists() and new.exists()
    assert "удалять рано" in done.stdout
    act = next((data_dir / "retention" / "acts").iterdir())
    assert "Петрова А. А., руководителя образовательной организации" in act.read_text()


@pytest.mark.parametrize("n, words", [(0, "ноль"), (1, "одна"), (2, "две"), (11, "одиннадцать"),
                                      (21, "двадцать одна"), (105, "сто пять"),
                                      (1002, "одна тысяча две"), (5000, "пять тысяч")])
def test_count_in_words(n, words):
    assert count_in_words(n) == words


@pytest.mark.parametrize("months", [0, 6])
def test_recorder_journals_the_keep_until_date_of_the_config(tmp_path, months):
    """The day's keep-until date is fixed when the day opens, from `[export]`; purge then
    goes by it."""
    from appliance.capture.simulated import SimulatedSource
    from appliance.clock import ClockGuard
    from appliance.config import Config
    from appliance.contract.dayview import load_day
    from appliance.recorder.core import Recorder
    from tests.feeds import wait_for
    from tests.recorder_process import SITE

    config = Config()
    for key, value in SITE.items():
        setattr(config.site, key, value)
    config.recording.data_dir = str(tmp_path / "data")
    config.export.keep_years, config.export.keep_until = 2, "09-01"
    if months:
        config.export.keep_months = months
    recorder = Recorder(config, SimulatedSource(realtime=False), ClockGuard(config.data_dir))
    recorder.start()
    try:
        wait_for(lambda: recorder.device_present, what="source present")
        recorder.handle("start")
        recorder.handle("stop")
    finally:
        recorder.close()
    day = load_day(next((config.data_dir / "recordings").iterdir()))
    expected = (keep_until_for(day.date, keep_months=6) if months
                else dt.date(day.date.year + 2, 9, 1))
    assert day.keep_until == expected
    assert plan_purge(config.data_dir, expected - dt.timedelta(days=1)).due == []
    assert [d.date for d in plan_purge(config.data_dir, day.keep_until).due] == [day.date]
