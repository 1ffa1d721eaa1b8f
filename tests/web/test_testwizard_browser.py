"""The test wizard in a real browser (Debian's Chromium) against the real `appliance web` and
a real recorder (`--simulate`, speech-like sound): a live meter while each seat records, the
figures per seat next to the verdict (equal to the verdict's own analysis), the result shown
again after a reload, the earlier recordings listed under Russian names, and the dashboard's
«Проверка звука пройдена в ЧЧ:ММ» in local time."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.web.pages_helpers import screenshot
from tests.webfixtures import logged_in_tab, make_web_config, running_box

FIGURES = {"fig-speech": "speech_level_dbfs", "fig-noise": "noise_floor_dbfs",
           "fig-snr": "snr_db"}


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    config_path = make_web_config(tmp_path_factory.mktemp("wizard"),
                                  checks={"test_duration_s": 4.0})
    with running_box(config_path) as (_, web):
        yield web


@pytest.fixture
def page(chromium, box):
    with logged_in_tab(chromium, box.url) as page:
        yield page


def number(text: str) -> float:
    """«−23,4 дБFS» -> -23.4."""
    found = re.search(r"[-−]?\d+(?:,\d+)?", text.replace("\u00a0", ""))
    return float(found.group(0).replace("−", "-").replace(",", "."))


def figures_of(page, seat: str) -> list[dict[str, str]]:
    rows = page.locator(f"#step-{seat} table.figures tbody tr")
    return [{name: rows.nth(i).locator(f"td.{name}").text_content() for name in FIGURES}
            for i in range(rows.count())]


def record_seat(page, seat: str) -> None:
    page.click(f"#step-{seat} .test-record")
    # the live meter: a reading of the voice arrives while the seat records
    page.wait_for_function(
        f"""() => [...document.querySelectorAll('#step-{seat} .test-meters meter')]
                 .some((m) => m.value > -60)""", timeout=30_000)
    page.locator(f"#step-{seat} .test-result").wait_for(state="visible", timeout=60_000)


def test_figures_per_seat_survive_a_reload_and_reach_the_dashboard(page):
    page.goto("/test")
    record_seat(page, "participant")
    record_seat(page, "examiner")
    page.locator("#test-overall").wait_for(state="visible")
    last = page.evaluate("() => fetch('/api/test/last').then((r) => r.json())")["last"]
    assert set(last["steps"]) == {"participant", "examiner"}
    shown = {}
    for seat, step in last["steps"].items():
        channels = step["verdict"]["analysis"]["channels"]
        rows = figures_of(page, seat)
        assert len(rows) == len(channels) >= 1
        for row, channel in zip(rows, channels, strict=True):
            for name, key in FIGURES.items():
                assert "дБ" in row[name]
                assert number(row[name]) == pytest.approx(channel[key], abs=0.051), (name, row)
        shown[seat] = (rows, page.locator(f"#step-{seat} .test-result").get_attribute(
            "data-status"))
        assert shown[seat][1] == step["verdict"]["status"]
    overall = page.locator("#test-overall .verdict").text_content()
    assert overall == last["overall"]["status_text"]
    screenshot(page, "testwizard_figures")

    page.reload()
    page.locator("#test-overall").wait_for(state="visible", timeout=30_000)
    for seat, (rows, status) in shown.items():
        page.locator(f"#step-{seat} .test-result").wait_for(state="visible")
        assert figures_of(page, seat) == rows
        assert page.locator(f"#step-{seat} .test-result").get_attribute("data-status") == status
    assert page.locator("#test-overall .verdict").text_content() == overall
    assert page.locator("#test-last").text_content().startswith("Последняя проверка: ")

    titles = page.locator("#test-recent li a").all_text_contents()
    names = {step["name"] for step in last["steps"].values()}
    stamp = dt.datetime.strptime(re.search(r"test_(\S+?)_examiner", last["steps"]["examiner"]
                                           ["name"]).group(1), "%Y-%m-%d_%H%M%S")
    assert titles[0] == f"Место экзаменатора, {stamp:%d.%m.%Y} в {stamp:%H:%M:%S}"
    assert titles[1].startswith("Место участника, ")
    hrefs = page.locator("#test-recent li a").evaluate_all("(links) => links.map((a) => "
                                                           "decodeURIComponent(a.pathname))")
    assert {href.rsplit("/", 1)[1] for href in hrefs[:2]} == names

    page.goto("/")
    passed = last["overall"]["status"] != "fail"
    expected = (f"Проверка звука пройдена в {stamp:%H:%M}" if passed
                else f"Проверка звука не пройдена ({stamp:%H:%M})")
    assert page.locator("#sound-check").text_content().strip() == expected
