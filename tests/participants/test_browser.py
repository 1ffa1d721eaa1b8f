"""`/participants` in a real browser (Debian's Chromium through Playwright) against the app
served by waitress and a real recorder: import the list, record three participants (one
no-show) with "next participant", the print view of the sheet; a messy list previewed, a
column's role changed and imported, refusals shown and cleared. Screenshots go to
tests/artifacts/screenshots/."""

from __future__ import annotations

import zipfile

from appliance.participants import results
from tests.feeds import wait_for
from tests.participants.test_recorded_day import (
    OVZ_CSV,
    OVZ_LIMITS,
    day_config,
    record_two_long_answers,
)
from tests.recorder_process import RecorderProcess
from tests.webfixtures import (
    SCREENSHOT_DIR,
    WebProcess,
    free_port,
    login_page,
    new_page,
    set_password,
)

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
    page.wait_for_selector("#import-submit:not([disabled])")
    page.click("#import-submit")
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


MESSY_CSV = ("Список участников итогового собеседования;;;;;\r\n"
             "МБОУ СОШ № 12;;;;;\r\n;;;;;\r\n"
             "№ п/п;ФИО участника;Класс;Вар.;Отметка об ОВЗ (продолжительность +30 мин);"
             "Отметка о неявке\r\n"
             "1;Иванов Иван Иванович;9А;вар. 2;;\r\n"
             "2;Петрова Анна Сергеевна;9Б;4;да;\r\n"
             "3;Щукин Фёдор Ильич;9А;1;;Н\r\n;;;;;\r\n"
             "Ответственный организатор ________ / Петров П. П. /;;;;;\r\n").encode("cp1251")
BROKEN_CSV = "№;ФИО;Класс\r\n1;Иванов Иван;9А\r\n2;\"Петрова Анна;9Б\r\n".encode("cp1251")
NO_NAME_CSV = "№;ФИО;Класс\r\n1;Иванов Иван;9А\r\n2;;9Б\r\n".encode("cp1251")
UNLABELLED = """() => [...document.querySelectorAll(
    '#participants input:not([type=hidden]), #participants select')]
  .filter((el) => !el.labels.length && !el.getAttribute('aria-label')).map((el) => el.outerHTML)"""


def choose_file(page, name: str, data: bytes) -> None:
    page.set_input_files("#import-file", files=[{"name": name, "mimeType": "text/csv",
                                                 "buffer": data}])


def preview_cells(page) -> list[list[str]]:
    return page.eval_on_selector_all(
        "#preview-table tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.innerText))")


def test_preview_change_a_column_and_import_with_refusals_cleared(logged_in_page):
    page = logged_in_page
    page.goto("/participants?date=2027-02-10")
    with page.expect_download() as sample:
        page.click("#import-sample")
    assert sample.value.path().read_bytes().startswith("\ufeff№ п/п;ФИО участника".encode())

    # a file that cannot be read: the refusal in the message box, no preview
    choose_file(page, "сломанный.csv", BROKEN_CSV)
    page.wait_for_selector("#message-box:not([hidden])")
    assert page.inner_text("#message-box .message-text") == (
        "Строка 3: кавычка не закрыта или стоит не на месте. Ничего не импортировано")
    assert page.is_hidden("#preview") and page.is_disabled("#import-submit")

    # a row without a name: the preview says which, the import button stays off, and the
    # earlier refusal is gone
    choose_file(page, "без имени.csv", NO_NAME_CSV)
    page.wait_for_selector("#preview-summary.bad")
    assert page.is_hidden("#message-box")
    assert page.inner_text("#preview-summary") == (
        "Строка 3: не указаны ФИО участника. Ничего не импортировано")
    assert page.is_disabled("#import-submit")
    shot(page, "import_refused")

    # a list with title rows, a signature line and a variant column the box cannot name
    choose_file(page, "ИС-01 9 классы.csv", MESSY_CSV)
    page.wait_for_selector("#preview-summary.good")
    assert page.inner_text("#preview-header").startswith("Строка заголовка: 4")
    assert [r[:3] for r in preview_cells(page)] == [
        ["5", "1", "Иванов Иван Иванович"], ["6", "2", "Петрова Анна Сергеевна"],
        ["7", "3", "Щукин Фёдор Ильич"]], "the signature line is not part of the table"
    roles = page.eval_on_selector_all("#preview-table select.role", "s => s.map(x => x.value)")
    assert roles == ["number", "name", "class", "", "ovz", "absent"]
    page.select_option("#preview-table select.role[data-column='3']", "variant")
    page.wait_for_function("document.getElementById('preview-summary').innerText === "
                           "'Будет загружено участников: 3'")
    page.wait_for_selector("#import-submit:not([disabled])")
    shot(page, "import_preview")
    page.click("#import-submit")
    page.wait_for_selector("#import-result.good")
    assert page.inner_text("#import-result") == "Загружено участников: 3"
    assert page.is_hidden("#preview")
    page.wait_for_function("document.querySelectorAll('#roster tbody tr').length === 3")
    variants = page.eval_on_selector_all("#roster input.variant", "s => s.map(x => x.value)")
    assert variants == ["2", "4", "1"]
    ovz = page.eval_on_selector_all("#roster input.ovz", "s => s.map(x => x.checked)")
    absent = page.eval_on_selector_all("#roster input.absent", "s => s.map(x => x.checked)")
    assert (ovz, absent) == ([False, True, False], [False, False, True])
    page.wait_for_function("document.getElementById('next-info').innerText !== ''")
    assert page.inner_text("#next-info") == "Следующий по списку: № 1"
    assert page.evaluate(UNLABELLED) == []
    shot(page, "imported")


def import_through_the_page(page, name: str, data: bytes) -> None:
    choose_file(page, name, data)
    page.wait_for_selector("#import-submit:not([disabled])")
    page.click("#import-submit")
    page.wait_for_selector("#import-result.good")


def test_an_ovz_participant_is_allowed_longer_on_a_recorded_day(chromium, tmp_path):
    """The list imported on the page (one participant ОВЗ), a real recorder on the fast feed
    records both 2.5 min with «too long» at 1 min: the sheet on the page flags only the
    participant without ОВЗ. The feed runs out seconds after the recorder opens it, so the
    list is saved first by the same box's recorder on its simulated microphone."""
    config, feed = day_config(tmp_path, OVZ_LIMITS, web={"listen": f"127.0.0.1:{free_port()}"})
    set_password(config)
    web = WebProcess(config).start()
    rec = RecorderProcess(config, simulate=True).start()
    try:
        page = new_page(chromium, web.url)
        login_page(page)
        page.goto("/participants")
        import_through_the_page(page, "ИС-01.csv", OVZ_CSV)
        rec.terminate()
        rec = RecorderProcess(config, env=feed.process_env()).start()
        assert "too_long" in record_two_long_answers(rec)[1]
        page.reload()
        page.wait_for_function("document.querySelectorAll('#sheet tbody tr').length === 2")
        rows = sheet_cells(page)
        assert [r[:4] for r in rows] == [["1", "Иванов Иван Иванович", "9А", "2"],
                                         ["2", "Петрова Анна Сергеевна", "9Б", "3"]]
        assert "ОВЗ" in rows[0][8] and "слишком длинный" not in rows[0][8], rows[0]
        assert "Ответ слишком длинный: " in rows[1][8] and "ОВЗ" not in rows[1][8], rows[1]
        shot(page, "ovz_sheet")
        page.context.close()
        assert not page.js_errors, page.js_errors
    finally:
        rec.terminate()
        web.terminate()
