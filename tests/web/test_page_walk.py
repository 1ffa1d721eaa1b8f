"""A walk of every page in Chromium at a phone's 390 px and a laptop's 1366 px, with the
page's Content-Security-Policy enforced: no sideways scrolling, no CSP violation, no
JavaScript error, no English word on the Russian page beyond a short allow-list of codes
and file names, and a screenshot of each in tests/artifacts/screenshots/."""

from __future__ import annotations

import re

import pytest

from tests.feeds import wait_for
from tests.webfixtures import PASSWORD, login_page, new_page, screenshot

WIDTHS = (390, 1366)
ALLOWED_LATIN = {"appliance", "USB", "FAT32", "exFAT", "ext4", "WAV", "wav", "MP3", "mp3",
                 "English", "CSRF", "FS", "SHA", "CSV", "csv", "XLSX", "xlsx", "txt", "json",
                 "ALSA", "NTP", "RTC", "GPIO", "LED", "HDMI", "SD",
                 "XLS", "ZIP", "SHA256SUMS",
                 "OO", "room", "part", "participant"}  # the words of Latin file names
KEY_PRINT = re.compile(r"\b[A-Z0-9]{3,4}(?:[- ][A-Z0-9]{3,4}){2,}\b")  # a key's fingerprint
FILE_NAME = re.compile(r"\S+\.(wav|mp3|txt|json|csv|html|xlsx|toml|log)\b")


def record_a_day(recorder) -> str:
    client = recorder.client
    client.call("start", source="cli")
    wait_for(lambda: client.call("status")["elapsed_s"] >= 1.0, what="a second of audio")
    client.call("mark", source="cli")
    wait_for(lambda: client.call("status")["elapsed_s"] >= 2.5, what="more audio")
    client.call("stop", source="cli")
    return client.call("status")["day"]


def english_words(text: str) -> set[str]:
    text = KEY_PRINT.sub(" ", FILE_NAME.sub(" ", text))
    text = re.sub(r"https?://\S+|/\S*", " ", text)  # addresses and paths
    return {w for w in re.findall(r"[A-Za-z][A-Za-z0-9]+", text) if w not in ALLOWED_LATIN}


@pytest.fixture
def walked_box(web_server, sim_recorder):
    return web_server, record_a_day(sim_recorder)


def test_every_page_fits_a_phone_in_russian_under_the_csp(chromium, walked_box):
    web, date = walked_box
    pages = ["/", "/settings", "/test", "/recordings", f"/recordings/{date}",
             f"/recordings/{date}/part/1", "/participants", "/retention", "/system", "/audit",
             "/password", "/school"]
    problems = []
    for width in WIDTHS:
        page = new_page(chromium, web.url, viewport={"width": width, "height": 800},
                        enforce_csp=True)
        violations = []
        page.on("console", lambda msg, v=violations: v.append(msg.text)
                if "Content Security Policy" in msg.text else None)
        page.goto("/login")
        screenshot(page, f"walk-{width}-login")
        login_page(page)
        for path in pages:
            page.goto(path, wait_until="load")
            name = path.strip("/").replace("/", "-") or "dashboard"
            screenshot(page, f"walk-{width}-{name}")
            scroll = page.evaluate("document.documentElement.scrollWidth")
            if scroll > width:
                problems.append(f"{width}px {path}: {scroll}px wide")
            words = english_words(page.inner_text("body"))
            if width == WIDTHS[0] and words:
                problems.append(f"{path}: English {sorted(words)}")
        if width == WIDTHS[0]:
            assert page.is_visible("#menu-toggle") and not page.is_visible("#main-nav")
            page.click("#menu-toggle")
            assert page.is_visible("#main-nav")
        else:
            assert not page.is_visible("#menu-toggle") and page.is_visible("#main-nav")
        problems += [f"{width}px CSP: {v}" for v in violations]
        problems += [f"{width}px JS: {e}" for e in page.js_errors]
        page.context.close()
    assert not problems, "\n".join(problems)


def test_marker_plays_and_the_recordings_page_offers_the_export(chromium, walked_box):
    web, date = walked_box
    page = new_page(chromium, web.url, enforce_csp=True)
    login_page(page)
    page.goto("/recordings")
    page.wait_for_selector('#drive-state[data-state="absent"]')
    assert page.is_visible("#drive-hint")
    assert "Вставьте накопитель (FAT32, exFAT или ext4)" in page.inner_text("#drive-hint")
    assert page.is_visible("#btn-export") and not page.is_enabled("#btn-export")
    page.goto(f"/recordings/{date}/part/1")
    marker = page.locator("#markers button.marker").nth(1)  # the participant's marker
    at_s = float(marker.get_attribute("data-time"))
    assert at_s > 0.5
    player = "document.getElementById('player')"
    assert page.evaluate(f"{player}.paused")
    marker.click()
    wait_for(lambda: not page.evaluate(f"{player}.paused"), timeout_s=15, what="playing")
    assert page.evaluate(f"{player}.currentTime") >= at_s - 0.05
    assert not page.js_errors
    page.context.close()


def test_password_change_in_the_browser_ends_the_other_login(chromium, web_server):
    mine, other = (new_page(chromium, web_server.url, enforce_csp=True) for _ in range(2))
    for page in (mine, other):
        login_page(page)
    mine.goto("/")
    mine.click("text=Пароль")
    mine.fill("#old_password", PASSWORD)
    mine.fill("#password", "новый-пароль-2027")
    mine.fill("#password2", "новый-пароль-2027")
    mine.click("#password-form button[type=submit]")
    assert "Пароль изменён" in mine.inner_text("#password-changed")
    mine.goto("/audit")
    assert "пароль изменён" in mine.inner_text("#audit-table")
    other.goto("/system")
    other.wait_for_url("**/login**")
    for page in (mine, other):
        page.context.close()


def test_without_site_codes_the_heading_agrees_with_the_lamp(chromium, tmp_path):
    from tests.webfixtures import make_web_config, running_box
    config_path = make_web_config(tmp_path / "box", site={"region": "", "msu": "", "school": "",
                                                          "room": ""})
    with running_box(config_path) as (_, web):
        page = new_page(chromium, web.url, enforce_csp=True)
        login_page(page)
        page.wait_for_selector('#state[data-shown="not_configured"]')
        assert page.inner_text("#state") == "Не готов"
        assert page.is_visible("#not-configured") and not page.is_enabled("#btn-start")
        screenshot(page, "walk-1366-dashboard-not-configured")
        page.context.close()


def test_a_success_clears_the_old_refusal_above_it(chromium, web_server):
    page = new_page(chromium, web_server.url, enforce_csp=True)
    login_page(page)
    page.goto("/settings")
    page.fill("input[name='site.school']", "64O1O1")
    page.click("#settings-form button[type=submit]")
    page.wait_for_selector("#message-box:not([hidden])")
    assert "не сохранены" in page.inner_text("#message-box")
    page.fill("input[name='site.school']", "640102")
    page.click("#settings-form button[type=submit]")
    page.wait_for_selector("#settings-result.good")
    assert page.is_hidden("#message-box")
    page.context.close()
