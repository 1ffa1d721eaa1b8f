"""The technician's first start and a recording day in a real browser (Chromium driven by
Playwright) against `appliance web` and a simulated `appliance recorder`, both real processes."""

from __future__ import annotations

from appliance.journal import read_entries
from tests.webfixtures import PASSWORD, login_page, new_page, screenshot

TIMEOUT_MS = 15_000


def wait_state(page, state: str) -> None:
    page.wait_for_selector(f'#state[data-state="{state}"]', timeout=TIMEOUT_MS)


def meter_events(page) -> int:
    return page.evaluate("window.meterStats.events")


def test_first_start_login_and_a_recording_day(chromium, sim_recorder, web_process):
    web = web_process.start()
    code = (web.config.data_dir / "setup-code.txt").read_text().strip()
    page = new_page(chromium, web.url)
    # first start: every page leads to the setup form, which needs the code from the card
    page.goto("/")
    page.wait_for_url("**/setup**")
    screenshot(page, "01-setup")
    page.fill("#code", "WRONG-CODE-0000")
    page.fill("#password", PASSWORD)
    page.fill("#password2", PASSWORD)
    page.click("#setup-form button[type=submit]")
    assert "Неверный код первого входа" in page.inner_text(".form-error")
    page.fill("#code", code)
    page.fill("#password", PASSWORD)
    page.fill("#password2", PASSWORD)
    page.click("#setup-form button[type=submit]")
    wait_state(page, "idle")
    # log out, then in again with the new password
    page.click("text=Выйти")
    page.wait_for_url("**/login**")
    screenshot(page, "02-login")
    login_page(page)
    wait_state(page, "idle")

    # the meters are live while idle already (their rate and latency: benchmarks/bench_web.py)
    page.wait_for_function("window.meterStats.events >= 5", timeout=TIMEOUT_MS)
    before = meter_events(page)
    page.wait_for_function(f"window.meterStats.events >= {before + 10}", timeout=TIMEOUT_MS)
    assert page.locator(".meter").count() == 1
    screenshot(page, "03-dashboard-idle")

    # a refusal is shown with its Russian reason (the pause button is disabled while idle,
    # so a script asks, as any other client could)
    assert not page.is_enabled("#btn-pause")
    page.evaluate("api('/api/control/pause', {})")
    page.wait_for_selector("#message-box:not([hidden])", timeout=TIMEOUT_MS)
    assert page.inner_text("#message-box .message-text").strip()
    assert any("а" <= ch <= "я" for ch in page.inner_text("#message-box .message-text").lower())
    screenshot(page, "04-refusal")

    page.click("#btn-start")
    wait_state(page, "recording")
    page.wait_for_function("document.querySelector('#file').textContent.endsWith('.wav')",
                           timeout=TIMEOUT_MS)
    assert page.inner_text("#part") == "1"
    assert "часть-1.wav" in page.inner_text("#file")
    values = {page.inner_text(".meter-value")}
    page.wait_for_function(
        "(v) => document.querySelector('.meter-value').textContent !== v",
        arg=values.pop(), timeout=TIMEOUT_MS)
    page.fill("#mark-label", "Участник 7")
    page.click("#btn-mark")
    page.wait_for_function("document.querySelector('#participants').textContent === '1'",
                           timeout=TIMEOUT_MS)
    screenshot(page, "05-recording")
    page.click("#btn-pause")
    wait_state(page, "paused")
    screenshot(page, "06-paused")
    page.click("#btn-resume")
    wait_state(page, "recording")
    page.wait_for_function("document.querySelector('#elapsed').textContent >= '00:00:02'",
                           timeout=TIMEOUT_MS)

    # stop asks first: dismissing keeps recording, accepting stops
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("#btn-stop")
    page.wait_for_timeout(500)
    assert sim_recorder.status()["state"] == "recording"
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    page.click("#btn-stop")
    wait_state(page, "stopped")
    assert dialogs and "Завершить запись" in dialogs[0]
    screenshot(page, "07-stopped")

    (day_dir,) = sim_recorder.day_dirs
    events = [(e.event, e.data) for e in read_entries(day_dir / "journal.jsonl")]
    labels = [data.get("label") for event, data in events if event == "marker"]
    assert "Участник 7" in labels
    sources = {data.get("source") for event, data in events
               if event in ("started", "paused", "resumed", "stopped")}
    assert sources == {"web"}, events
    page.goto("/audit")
    assert page.locator('tr[data-event="recorder_control"]').count() >= 6  # incl. the refusal
    screenshot(page, "08-audit")
    page.goto("/system")
    assert page.inner_text("#sys-version").strip()
    screenshot(page, "09-system")
    page.context.close()
    assert not page.js_errors, page.js_errors
