"""The pages in a real browser (Debian's Chromium through Playwright) against the real
`appliance web` process (waitress) and a real recorder (`--simulate`), logged in through the
login form (fixtures of tests/webfixtures.py): settings, the test-recording wizard, the
player's markers and a participant clip download. Screenshots: tests/artifacts/screenshots/."""

from __future__ import annotations

import datetime as dt

import pytest

from appliance import config as config_mod
from appliance.contract.vocabulary import SEATS
from appliance.recorder.soundtest import judge_files
from tests.web.pages_helpers import DAY, RATE_HZ, record_day, screenshot, wav_frames, wav_params
from tests.webfixtures import (
    logged_in_tab,
    make_web_config,
    running_box,
)

DATE = DAY.isoformat()


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    """One box for the module: a recorded day, a short (2 × 2 s) test recording, the password
    set, the recorder and `appliance web` running."""
    config_path = make_web_config(tmp_path_factory.mktemp("pages"),
                                  checks={"test_duration_s": 4.0})
    record_day(config_mod.load(config_path).data_dir)
    with running_box(config_path) as (_, web):
        yield config_path, web


@pytest.fixture
def box_config(box):
    return box[0]


@pytest.fixture
def page(chromium, box):
    """A tab logged in through the login form; any JavaScript error fails the test."""
    with logged_in_tab(chromium, box[1].url) as page:
        yield page


def test_settings_bad_school_code_is_shown_and_nothing_saved(page, box_config):
    before = box_config.read_bytes()
    page.goto("/settings")
    page.fill("#f-school", "64O1O1")  # letters O instead of zeros
    page.click("#settings-save")
    message = page.locator('[data-field="site.school"] .field-error')
    message.filter(has_text="ровно 6 цифр").wait_for()
    assert "Код ОО: нужно ровно 6 цифр, например 640101; введено «64O1O1»" == \
        message.text_content()
    page.locator("#settings-result", has_text="Настройки не сохранены").wait_for()
    screenshot(page, "settings_bad_school")
    assert box_config.read_bytes() == before


def test_settings_good_school_code_previews_the_exact_file_name_and_saves(page, box_config):
    page.goto("/settings")
    page.fill("#f-school", "641234")
    page.fill("#f-room", "0107")
    page.check('input[name="recording.naming"][value="cyrillic"]')
    expected = f"{dt.date.today().isoformat()}_ОО-641234_ауд-0107_часть-1.wav"
    page.locator("#file-preview", has_text=expected).wait_for()
    assert page.text_content("#file-preview") == expected
    page.check('input[name="recording.naming"][value="ascii"]')
    page.locator("#file-preview", has_text="_OO-641234_room-0107_part-1.wav").wait_for()
    page.click("#settings-save")
    page.locator("#settings-result", has_text="Настройки сохранены").wait_for()
    screenshot(page, "settings_saved")
    saved = config_mod.load(box_config)
    assert (saved.site.school, saved.site.room, saved.recording.naming) == \
        ("641234", "0107", "ascii")


def test_clock_from_this_browser(page):
    page.goto("/settings")
    page.locator("#clock-status", has_text="источник").wait_for()
    page.click("#clock-set")
    page.locator("#clock-status", has_text="источник: установлены из браузера").wait_for()
    assert "Часы установлены" in page.inner_text("#message-box")


def judged_here(box_config, seat: str) -> dict:
    """The sound check's result for the newest test files themselves, worked out in this test
    (the simulated voice's phrases fall differently in each take)."""
    config = config_mod.load(box_config)
    tests_dir = config.data_dir / "tests"
    files = {name: str(max(tests_dir.glob(f"test_*_{name}.wav"))) for name in SEATS
             if any(tests_dir.glob(f"test_*_{name}.wav"))}
    return judge_files(seat, files, config.checks)


def test_test_recording_shows_verdicts_reasons_waveform_and_playback(page, box_config):
    page.goto("/test")
    page.click("#step-participant .test-record")
    result = page.locator("#step-participant .test-result")
    result.wait_for(state="visible", timeout=30_000)
    expected = judged_here(box_config, "participant")["verdict"]
    assert result.get_attribute("data-status") == expected["status"]
    page.click("#step-examiner .test-record")
    overall = page.locator("#test-overall")
    overall.wait_for(state="visible", timeout=30_000)
    expected = judged_here(box_config, "examiner")["overall"]
    assert overall.locator(".verdict").text_content() == expected["status_text"]
    page.wait_for_selector("#step-examiner canvas.wave[data-loaded]")
    duration = page.evaluate("""() => new Promise((resolve) => {
        const audio = document.querySelector('#step-examiner audio');
        if (audio.readyState >= 1) resolve(audio.duration);
        audio.addEventListener('loadedmetadata', () => resolve(audio.duration));
    })""")
    assert abs(duration - 2.0) < 0.01  # half of the configured 4 s test
    screenshot(page, "test_recording")


def test_player_markers_seek_the_audio(page):
    page.goto(f"/recordings/{DATE}/part/1")
    page.wait_for_selector("#wave[data-loaded]")
    for at_s in (12.5, 1.0):  # a marker plays from its time (the time then runs on)
        page.click(f'#markers button.marker[data-time="{at_s}"]')
        page.wait_for_function(f"(p => !p.paused && p.currentTime >= {at_s} - 0.001 && "
                               f"p.currentTime < {at_s} + 3)(document.getElementById('player'))")
    screenshot(page, "player_markers")


def test_participant_clip_download(page, box_config, tmp_path):
    page.goto(f"/recordings/{DATE}")
    page.select_option('form.clip-form select[name="participant"]', "2")
    with page.expect_download() as download_info:
        page.click("form.clip-form button.clip-participant")
    download = download_info.value
    assert download.suggested_filename == "2027-02-10_ОО-640101_ауд-0005_участник-2.wav"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    start, end = int(12.5 * RATE_HZ), 30 * RATE_HZ
    assert wav_params(saved) == (RATE_HZ, 1, end - start)  # 17.5 s
    master = config_mod.load(box_config).data_dir / "recordings" / DATE / \
        "2027-02-10_ОО-640101_ауд-0005_часть-1.wav"
    assert wav_frames(saved, 0, end - start) == wav_frames(master, start, end - start)
    screenshot(page, "day_clip")
