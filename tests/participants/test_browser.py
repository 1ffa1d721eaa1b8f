"""`/participants` in a real browser (Debian's Chromium through Playwright) against the app
served by waitress and a real recorder: import the list, record three participants (one
no-show) with "next participant", the print view of the sheet. Screenshots go to
tests/artifacts/screenshots/."""

from __future__ import annotations

import zipfile

from appliance.participants import results
from tests.feeds import wait_for
from tests.webfixtures import SCREENSHOT_DIR

ROSTER_CSV = ("№ п.п.;ФИО участника;Класс;Отметка о неявке\r\n"
              "1;Иванов Иван Иванович;9А;\r\n2;Петрова Анна Сергеевна;9Б;Н\r\n"
              "3;Щукин Фёдор Ильич;9А;\r\n").encode("cp1251")


def shot(page, name: str) -> None:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / f"participants_{name}.png"), full_page=True)


def sheet_cells(page) -> list[list[str]]:
    return page.eval_on_selector_all(
        "#sheet tbody tr", "rows => rows.map(r => [...r.cells].slice(0, 9).map(c => c.innerText))")


def import_roster(page) -> None:
    page.goto("/participants")
    page.set_input_files("#import-file", files=[{"name": "ИС-01.csv", "mimeType": "text/csv",
                                                 "buffer": ROSTER_CSV}])
    page.click("#import-form button[type=submit]")
    page.wait_for_selector("#import-result.good")


def test_import_record_three_participants_and_print_the_sheet(logged_in_page, sim_recorder):
    page, rec = logged_in_page, sim_recorder
    import_roster(page)
    assert page.inner_text("#import-result") == "Загружено участников: 3"
    page.wait_for_function("document.querySelectorAll('#roster tbody tr').length === 3")
    assert page.is_checked("#roster tbody tr:nth-child(2) input.absent"), "«Н» imported"

    rec.ctl("start")
    page.reload()
    page.wait_for_function("document.getElementById('next-info').innerText.includes('№ 1')")
    page.click("#mark-next")
    page.wait_for_function("document.getElementById('current-info').innerText.endsWith('№ 1')")
    wait_for(lambda: rec.status()["elapsed_s"] > 2.0, timeout_s=20)
    page.click("#mark-next")  # the no-show (2) is skipped
    page.wait_for_function("document.getElementById('current-info').innerText.endsWith('№ 3')")
    assert page.inner_text("#next-info") == "В списке больше нет явившихся участников"
    wait_for(lambda: rec.status()["elapsed_s"] > 4.0, timeout_s=20)
    rec.ctl("stop")
    page.reload()
    page.wait_for_function("document.querySelectorAll('#sheet tbody tr').length === 3")
    rows = sheet_cells(page)
    assert [r[0] for r in rows] == ["1", "2", "3"]
    assert rows[1][1] == "Петрова Анна Сергеевна" and rows[1][8] == "Н (неявка)"
    for row in (rows[0], rows[2]):
        assert row[4] and row[5] and row[7] == "1", row  # start, end, part 1
    assert rows[0][5] == rows[2][4], "participant 1 ends where participant 3 starts"
    shot(page, "page")

    page.goto("/participants/sheet")
    page.emulate_media(media="print")
    assert page.inner_text("h1") == "Ведомость учета проведения итогового собеседования в аудитории"
    printed = page.inner_text("table.grid")
    assert "Щукин Фёдор Ильич" in printed and "\tН\t" in printed
    shot(page, "sheet_print")


def test_mark_nezachet_print_is08_and_download_the_regional_package(logged_in_page, sim_recorder,
                                                                   web_data_dir):
    """The technician's paperwork after the day: «незачет» ticked from the expert's protocol,
    the early finish's act ИС-08, the regional centre's package as a ZIP."""
    page, rec = logged_in_page, sim_recorder
    import_roster(page)
    rec.ctl("start")
    rec.ctl("mark")
    wait_for(lambda: rec.status()["elapsed_s"] > 2.0, timeout_s=20)
    rec.ctl("mark")
    wait_for(lambda: rec.status()["elapsed_s"] > 4.0, timeout_s=20)
    rec.ctl("stop")
    rec.ctl("participant_info", participant=1, early_finish=True, reason="плохое самочувствие")
    page.reload()
    page.wait_for_function("document.querySelectorAll('#sheet tbody tr').length === 3")
    third = "#sheet tbody tr:nth-child(3)"
    page.check(f"{third} input.nezachet")
    day_dir = next((web_data_dir / "recordings").iterdir())
    wait_for(lambda: results.load(day_dir) == {3}, timeout_s=10, what="the «незачет» mark")
    page.wait_for_function(
        f"document.querySelector('{third} input.nezachet').checked === true")
    assert page.locator("#sheet tbody tr:nth-child(2) input.nezachet").count() == 0, \
        "no mark for a no-show"

    href = page.get_attribute("#sheet tbody tr:nth-child(1) a.is08", "href")
    act = page.context.new_page()
    act.goto(href)
    assert act.inner_text("h1").startswith("Акт о досрочном завершении")
    assert "плохое самочувствие" in act.inner_text("body")
    act.close()
    assert page.locator("#sheet tbody tr:nth-child(3) a.is08").count() == 0

    with page.expect_download() as download:
        page.click("#regional-form button[type=submit]")
    path = download.value.path()
    with zipfile.ZipFile(path) as zf:
        names = sorted(zf.namelist())
    folder = names[0].split("/")[0]
    assert folder.startswith("РЦОИ_незачет_") and download.value.suggested_filename == (
        folder + ".zip")
    files = [n.split("/", 1)[1] for n in names]
    assert [f for f in files if f.endswith(".wav")] == [
        f"{folder[len('РЦОИ_незачет_'):]}_участник-3.wav"]
    assert {"список-незачет.html", "акт-передачи-РЦОИ.html", "SHA256SUMS"} <= set(files)
    assert not [f for f in files if "Щукин" in f]
    shot(page, "regional")
