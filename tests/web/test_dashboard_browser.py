"""The dashboard's additions and the wizard's Russian reasons in a real browser (Chromium by
Playwright) against `appliance web` and a simulated `appliance recorder`, both real processes:
LEDs, the simulated examiner's button, controls by state, the last refusal, intro-check flags,
the USB drive's states and the export with its confirmation.
Screenshots: tests/artifacts/screenshots/followup-*.png."""

from __future__ import annotations

import json

import pytest

from tests.webfixtures import (
    logged_in_tab,
    make_web_config,
    running_box,
    screenshot,
)

TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    """A 2 × 2 s test recording that needs 600 s of speech (so it always names `no_speech`)."""
    config_path = make_web_config(tmp_path_factory.mktemp("followup"),
                                  checks={"test_duration_s": 4.0, "min_speech_s": 600.0})
    with running_box(config_path) as (recorder, web):
        yield recorder, web


@pytest.fixture
def page(chromium, box):
    with logged_in_tab(chromium, box[1].url) as page:
        yield page


def wait_state(page, state: str) -> None:
    page.wait_for_selector(f'#state[data-state="{state}"]', timeout=TIMEOUT_MS)


def enabled(page, *ids: str) -> list[bool]:
    return [page.is_enabled(f"#{i}") for i in ids]


def fake_drive(page, **drive) -> None:
    body = json.dumps({"ok": True, "drive": {"device": "/dev/sda1", "message": "",
                                             "progress": 0.0, "result": None, **drive}})
    page.unroute("**/api/drive")
    page.route("**/api/drive", lambda route: route.fulfill(
        status=200, content_type="application/json", body=body))


def test_dashboard_leds_button_controls_refusal_flags_and_drive(page, box):
    recorder, _ = box
    wait_state(page, "idle")
    page.wait_for_selector('#led-pattern[data-pattern="ready"]', timeout=TIMEOUT_MS)
    assert page.inner_text("#led-pattern") == "Готов"
    assert "on" in page.get_attribute("#led-green", "class")
    assert "on" not in page.get_attribute("#led-red", "class")
    assert enabled(page, "btn-start", "btn-mark", "btn-pause", "btn-resume", "btn-stop") == [
        True, False, False, False, False]
    page.wait_for_selector('#drive-state[data-state="absent"]', timeout=TIMEOUT_MS)
    assert page.inner_text("#drive-state") == "не подключён" and not page.is_enabled(
        "#btn-export")

    # the simulated examiner's button: held down, the LEDs answer; released, the day starts
    button = page.locator("#sim-button")
    button.wait_for(state="visible", timeout=TIMEOUT_MS)
    assert button.inner_text() == "Кнопка экзаменатора (имитация)"
    button.hover()
    page.mouse.down()
    page.wait_for_selector('#led-pattern[data-pattern="pressed"]', timeout=TIMEOUT_MS)
    assert page.inner_text("#led-pattern") == "Кнопка нажата"
    page.mouse.up()
    wait_state(page, "recording")
    page.wait_for_selector('#led-pattern[data-pattern="recording"]', timeout=TIMEOUT_MS)
    assert "on" in page.get_attribute("#led-red", "class")
    assert enabled(page, "btn-start", "btn-mark", "btn-pause", "btn-resume", "btn-stop") == [
        False, True, True, False, True]

    # a refusal (a script asks to resume while recording) stays until the next command
    page.evaluate("api('/api/control/resume', {})")
    page.wait_for_selector("#last-refusal:not([hidden])", timeout=TIMEOUT_MS)
    refusal = page.inner_text("#last-refusal")
    assert "«Продолжить»" in refusal and "resume" not in refusal
    assert page.inner_text("#refusal-time").count(":") == 2
    screenshot(page, "followup-dashboard-refusal")
    page.click("#btn-mark")
    page.wait_for_selector("#last-refusal[hidden]", state="attached", timeout=TIMEOUT_MS)

    # participant 1 ends after a few seconds: flagged «too short» at once
    page.wait_for_function("document.querySelector('#participants').textContent === '1'",
                           timeout=TIMEOUT_MS)
    page.click("#btn-mark")
    flag = page.locator('#flags li.flag[data-code="too_short"][data-participant="1"]')
    flag.wait_for(timeout=TIMEOUT_MS)
    assert flag.inner_text().startswith("Участник 1: Ответ слишком короткий")
    page.wait_for_function(  # participant 2's segment begins just after 1's ends
        "(() => { const el = document.querySelector('#flags-current');"
        " return !el.hidden && el.textContent.startsWith('Сейчас отвечает: участник 2'); })()",
        timeout=TIMEOUT_MS)

    # paused: «Следующий участник» is not offered, resume and stop are
    page.click("#btn-pause")
    wait_state(page, "paused")
    assert enabled(page, "btn-start", "btn-mark", "btn-pause", "btn-resume", "btn-stop") == [
        False, False, False, True, True]
    assert "possible" not in page.get_attribute("#btn-mark", "class")
    assert not page.is_enabled("#mark-label")
    screenshot(page, "followup-dashboard-paused")

    # the drive's states as the recorder reports them
    fake_drive(page, state="exporting", progress=0.42)
    page.wait_for_selector('#drive-state[data-state="exporting"]', timeout=TIMEOUT_MS)
    assert page.inner_text("#drive-state") == "идёт выгрузка: 42 % — не извлекать"
    assert page.is_visible("#drive-progress")
    screenshot(page, "followup-dashboard-exporting")
    fake_drive(page, state="safe_to_remove", progress=1.0)
    page.wait_for_selector('#drive-state[data-state="safe_to_remove"]', timeout=TIMEOUT_MS)
    assert "можно извлечь" in page.inner_text("#drive-state")
    fake_drive(page, state="failed", message="Накопитель извлечён во время выгрузки")
    page.wait_for_selector('#drive-state[data-state="failed"]', timeout=TIMEOUT_MS)
    assert page.inner_text("#drive-state") == "ошибка: Накопитель извлечён во время выгрузки"
    fake_drive(page, state="mounted")
    page.wait_for_selector('#drive-state[data-state="mounted"]', timeout=TIMEOUT_MS)
    assert page.inner_text("#drive-state") == "подключён (/dev/sda1)"

    # export asks first; the real recorder has no drive and says so
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.click("#btn-export")
    assert dialogs and "USB-накопитель" in dialogs[0]
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#btn-export")
    page.wait_for_selector("#message-box:not([hidden])", timeout=TIMEOUT_MS)
    assert "не подключён" in page.inner_text("#message-box .message-text")
    assert recorder.status()["state"] == "paused"


def test_wizard_reasons_are_russian_with_the_code_as_a_label(page):
    page.goto("/test")
    page.click("#step-participant .test-record")
    row = page.locator('#step-participant tr.reason[data-code="no_speech"]')
    row.wait_for(timeout=30_000)
    cells = row.locator("td")
    assert cells.nth(0).inner_text().startswith("Канал 1: Речь не обнаружена")
    assert cells.nth(0).locator("small.reason-code").inner_text() == "no_speech"
    assert cells.nth(1).inner_text().endswith(" с") and cells.nth(2).inner_text() == "600 с"
    headers = page.locator("#step-participant table.reasons th").all_inner_texts()
    assert headers[0] == "Что не так" and "Проверка" not in headers
    screenshot(page, "followup-test-reasons")
