import datetime as dt

import pytest

from appliance.clock import BUILD_YEAR, ClockGuard
from appliance.errors import ClockError


def at(year, month=2, day=10, hour=9):
    return dt.datetime(year, month, day, hour).timestamp()


def test_a_sane_clock_is_trusted_and_remembered(tmp_path):
    now = [at(BUILD_YEAR + 1)]
    guard = ClockGuard(tmp_path, now=lambda: now[0])
    assert guard.status().ok
    guard.remember()
    assert ClockGuard(tmp_path).last_seen == now[0], "persisted"


def test_an_unset_clock_is_refused_with_a_reason(tmp_path):
    guard = ClockGuard(tmp_path, now=lambda: at(1970, 1, 1))
    status = guard.status()
    assert not status.ok and "Часы не установлены" in status.reason


def test_a_clock_behind_the_last_seen_time_is_refused(tmp_path):
    now = [at(BUILD_YEAR + 1, hour=12)]
    ClockGuard(tmp_path, now=lambda: now[0]).remember()
    now[0] = at(BUILD_YEAR + 1, hour=8)  # power cut, fake-hwclock restored an older time
    status = ClockGuard(tmp_path, now=lambda: now[0]).status()
    assert not status.ok and "отстают" in status.reason


def test_a_declared_time_is_trusted_again(tmp_path):
    now = [at(BUILD_YEAR + 1, hour=12)]
    ClockGuard(tmp_path, now=lambda: now[0]).remember()
    now[0] = at(BUILD_YEAR + 1, hour=8)
    guard = ClockGuard(tmp_path, now=lambda: now[0])
    guard.declare("browser")
    assert guard.status().ok and guard.status().source in ("browser", "ntp")


def test_setting_the_clock_in_simulation_moves_only_the_appliance_clock(tmp_path):
    guard = ClockGuard(tmp_path, now=lambda: at(1970, 1, 1))
    assert not guard.status().ok
    status = guard.set_time(at(BUILD_YEAR + 1), "browser", apply_system=False)
    assert status.ok and status.now.year == BUILD_YEAR + 1


def test_the_clock_cannot_go_back_during_a_day_but_can_when_idle(tmp_path):
    now = dt.datetime(BUILD_YEAR + 1, 2, 10, 10, 0).timestamp()
    guard = ClockGuard(tmp_path, now=lambda: now)
    guard.remember()
    with pytest.raises(ClockError, match="нельзя перевести назад"):
        guard.set_time(now - 3600, "browser", apply_system=False, day_in_progress=True)
    assert guard.status().now.timestamp() == now
    guard.set_time(now - 30, "browser", apply_system=False, day_in_progress=True)  # drift
    guard.set_time(now - 3600, "manual", apply_system=False, day_in_progress=False)
    assert abs(guard.status().now.timestamp() - (now - 3600)) < 1
    with pytest.raises(ClockError, match="раньше"):
        guard.set_time(dt.datetime(2001, 1, 1).timestamp(), "browser", apply_system=False)


def test_a_jump_far_ahead_is_to_be_confirmed_and_not_remembered(tmp_path, monkeypatch):
    import appliance.clock as clock_mod
    monkeypatch.setattr(clock_mod, "TIMESYNC_FLAG", tmp_path / "no-ntp")
    monkeypatch.setattr(clock_mod, "RTC_DEVICE", tmp_path / "no-rtc")
    now = [at(BUILD_YEAR + 1, hour=9)]
    ClockGuard(tmp_path, now=lambda: now[0]).remember()
    now[0] = at(BUILD_YEAR + 5, hour=9)  # a clock run far ahead (e.g. 2031)
    guard = ClockGuard(tmp_path, now=lambda: now[0])
    status = guard.status()
    assert status.ok and status.confirm and "Проверьте дату и время" in status.reason
    guard.remember()
    assert ClockGuard(tmp_path).last_seen == at(BUILD_YEAR + 1, hour=9), "not remembered"
    now[0] = at(BUILD_YEAR + 1, hour=11)  # the right time comes back: not "behind"
    assert ClockGuard(tmp_path, now=lambda: now[0]).status().reason is None
    now[0] = at(BUILD_YEAR + 5, hour=9)
    guard.declare("browser")  # the technician confirms the far time on the page
    assert not guard.status().confirm and ClockGuard(tmp_path).last_seen == now[0]


def test_half_a_day_ahead_needs_no_confirmation(tmp_path, monkeypatch):
    import appliance.clock as clock_mod
    monkeypatch.setattr(clock_mod, "TIMESYNC_FLAG", tmp_path / "no-ntp")
    now = [at(BUILD_YEAR + 1, hour=8)]
    ClockGuard(tmp_path, now=lambda: now[0]).remember()
    now[0] = at(BUILD_YEAR + 1, hour=19)
    assert ClockGuard(tmp_path, now=lambda: now[0]).status().reason is None
