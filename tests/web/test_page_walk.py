"""A walk of every page in Chromium at a phone's 390 px and a laptop's 1366 px, with the
page's Content-Security-Policy enforced: no sideways scrolling, no CSP violation, no
JavaScript error, no English word on the Russian page beyond a short allow-list of codes
and file names, and a screenshot of each in tests/artifacts/screenshots/."""

from __future__ import annotations

import re

import pytest

from tests.feeds import wait_for
from tests.webfixtures import login_page, new_page, screenshot

WIDTHS = (390, 1366)
ALLOWED_LATIN = {"appliance", "USB", "FAT32", "exFAT", "ext4", "WAV", "wav", "MP3", "mp3",
                 "English", "CSRF", "FS", "SHA", "CSV", "csv", "XLSX", "xlsx", "txt", "json",
                 "ALSA", "NTP", "RTC", "GPIO", "LED", "HDMI", "SD",
                 "OO", "room", "part", "participant"}  # the words of Latin file names
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
    text = FILE_NAME.sub(" ", text)
    text = re.sub(r"https?://\S+|/\S*", " ", text)  # addresses and paths
    return {w for w in re.findall(r"[A-Za-z][A-Za-z0-9]+", text) if w not in ALLOWED_LATIN}


@pytest.fixture
def walked_box(web_server, sim_recorder):
    return web_server, record_a_day(sim_recorder)


def test_every_page_fits_a_phone_in_russian_under_the_csp(chromium, walked_box):
    web, date = walked_box
    pages = ["/", "/settings", "/test", "/recordings", f"/recordings/{date}",
             f"/recordings/{date}/part/1", "/participants", "/retention", "/system", "/audit",
             "/password"]
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
