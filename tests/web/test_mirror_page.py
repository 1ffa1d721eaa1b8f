"""The page names a failed safety copy, loudly, while it still says "recording": the box's
data on an ext4 of its own, the copy on a real exFAT stick filled under a recording, in a
real browser."""

from __future__ import annotations

import pytest

from tests.loopfs import Ext4
from tests.stickfs import Stick, fill
from tests.webfixtures import make_web_config, screenshot


@pytest.fixture
def media(tmp_path):
    card, stick = Ext4(tmp_path / "card"), Stick(tmp_path / "stick", "exfat", size_mb=32)
    yield card, stick
    stick.close()
    card.close()


@pytest.fixture
def web_config(media):
    card, stick = media
    return make_web_config(card.mount_point / "box", recording={"reserve_mb": 2},
                           mirror={"path": str(stick.mount_point / "zapis")})


def test_the_page_names_the_failed_copy_and_keeps_saying_recording(logged_in_page,
                                                                   sim_recorder, media):
    _, stick = media
    page = logged_in_page
    page.goto("/")
    sim_recorder.ctl("start")
    page.wait_for_selector('#state[data-state="recording"]', timeout=10_000)
    page.wait_for_function("document.querySelector('#mirror').textContent === 'пишется'",
                           timeout=10_000)
    filler = fill(stick.mount_point)
    try:
        alarm = page.locator('#alarms li[data-code="medium_mirror"]')
        alarm.wait_for(timeout=10_000)
        assert "Резервная копия (USB-накопитель) не записывается: заполнен" in \
            alarm.text_content()
        assert page.locator("#state").get_attribute("data-state") == "recording"
        assert page.locator("#mirror").text_content() == "не пишется: заполнен"
        assert "bad" in page.locator("#mirror").get_attribute("class")
        page.wait_for_selector('#led-pattern[data-pattern="alarm"]', timeout=2_000)
        screenshot(page, "dashboard-mirror-failed")
    finally:
        filler.unlink()
    page.wait_for_function("document.querySelector('#mirror').textContent === 'пишется'",
                           timeout=15_000)
    page.locator('#alarms li[data-code="medium_mirror"]').wait_for(state="detached",
                                                                    timeout=5_000)
    assert page.locator("#state").get_attribute("data-state") == "recording"
