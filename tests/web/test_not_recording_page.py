"""The page never says "recording" while nothing is written: the box's data on a small ext4 of
its own, filled by another writer under a recording, in a real browser."""

from __future__ import annotations

import subprocess

import pytest

from tests.loopfs import Ext4
from tests.webfixtures import make_web_config, screenshot


@pytest.fixture
def ext4(tmp_path):
    disk = Ext4(tmp_path / "fs")
    yield disk
    disk.close()


@pytest.fixture
def web_config(ext4):
    """The box's data on a small ext4 of its own, to fill."""
    return make_web_config(ext4.mount_point / "box",
                           recording={"reserve_mb": 2, "disk_warn_hours": 0.01})


def test_the_page_never_says_recording_while_nothing_is_written(logged_in_page, sim_recorder,
                                                               ext4):
    page = logged_in_page
    page.goto("/")
    sim_recorder.ctl("start")
    page.wait_for_selector('#state[data-state="recording"]', timeout=10_000)
    filler = ext4.mount_point / "filler.bin"
    subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=1M"], capture_output=True)
    try:
        page.wait_for_selector('#state[data-state="not_recording"]', timeout=10_000)
        assert page.locator("#state").text_content() == "Запись НЕ ИДЁТ"
        first_alarm = page.locator('#alarms li[data-code="not_recording"]')
        assert "Запись не идёт: диск заполнен" in first_alarm.text_content()
        # The LEDs follow the status at their own 0.1 s poll, one poll behind the alarm list.
        page.wait_for_selector('#led-pattern[data-pattern="not_recording"]', timeout=2_000)
        screenshot(page, "dashboard-not-recording")
    finally:
        filler.unlink()
    page.wait_for_selector('#state[data-state="recording"]', timeout=10_000)
