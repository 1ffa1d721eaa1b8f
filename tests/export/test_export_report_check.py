"""«Проверить файлы» in report.html, opened from file:// in Chromium, on a good and on tampered
room folders: nothing from the network, a verdict per file in Russian."""

import shutil

import pytest
from export_daybuilder import PartSpec, build_day
from package_forger import reseal
from test_export_signed import PART1, ROOM, zero_one_second

from appliance.boxkey import box_fingerprint
from appliance.export.exporter import export_days
from tests.webfixtures import new_page


@pytest.fixture
def exported(data_dir, small_day, tmp_path):
    dest = tmp_path / "drive"
    dest.mkdir()
    export_days(data_dir, dest)
    return dest / ROOM


def check_folder(chromium, room, init_script=None):
    """Open the room's report.html from disk, pick the room folder; returns (page, verdicts)."""
    page = new_page(chromium, room.as_uri() + "/")
    if init_script:
        page.add_init_script(init_script)
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto((room / "report.html").as_uri())
    page.set_input_files("#check-folder", str(room))
    page.wait_for_function("document.getElementById('check-summary').className !== ''",
                           timeout=60_000)
    rows = page.eval_on_selector_all(
        "#check-table tbody tr", "rows => rows.map(r => [r.cells[0].textContent, "
        "r.cells[1].textContent, r.cells[1].className])")
    assert all(url.startswith("file://") for url in requests), requests
    assert not page.js_errors, page.js_errors
    return page, {name: (text, cls) for name, text, cls in rows}


def test_good_folder_passes_with_the_box_fingerprint(chromium, data_dir, exported):
    page, verdicts = check_folder(chromium, exported)
    summary = page.inner_text("#check-summary")
    assert summary.startswith("Все файлы совпадают с подписанным манифестом"), summary
    assert box_fingerprint(data_dir) in summary
    assert verdicts["manifest.json.sig"] == (
        f"подпись верна, ключ {box_fingerprint(data_dir)}", "check-ok")
    assert verdicts[PART1] == ("совпадает", "check-ok")
    assert verdicts["journal.jsonl"] == ("цепочка журнала цела", "check-ok")
    listed = {p.name for p in exported.iterdir()} - {"manifest.json", "manifest.json.sig"}
    assert listed <= set(verdicts) and all(cls == "check-ok" for _, cls in verdicts.values())
    page.context.close()


def test_tampered_folders_are_named_file_by_file(chromium, exported, tmp_path):
    resealed = tmp_path / "resealed" / "ауд-0005"
    shutil.copytree(exported, resealed)
    zero_one_second(resealed / PART1)
    reseal(resealed)  # every hash and mention rewritten: only the signature tells
    page, verdicts = check_folder(chromium, resealed)
    assert page.inner_text("#check-summary").startswith("ОБНАРУЖЕНЫ НЕСООТВЕТСТВИЯ: 1")
    assert verdicts["manifest.json.sig"][0].startswith("ПОДПИСЬ НЕВЕРНА")
    page.context.close()

    edited = tmp_path / "edited" / "ауд-0005"
    shutil.copytree(exported, edited)
    zero_one_second(edited / PART1)
    (edited / "лишний.txt").write_text("x")
    page, verdicts = check_folder(chromium, edited)
    assert page.inner_text("#check-summary").startswith("ОБНАРУЖЕНЫ НЕСООТВЕТСТВИЯ")
    assert verdicts[PART1] == ("ФАЙЛ ИЗМЕНЁН: контрольная сумма не совпадает", "bad")
    assert verdicts["лишний.txt"] == ("ЛИШНИЙ ФАЙЛ: его нет в манифесте", "bad")
    assert verdicts["manifest.json.sig"][1] == "check-ok"  # the manifest itself is intact
    page.context.close()


def test_a_browser_without_ed25519_says_the_signature_is_not_checked(chromium, exported):
    no_ed25519 = ("crypto.subtle.importKey = () => "
                  "Promise.reject(new DOMException('no Ed25519', 'NotSupportedError'));")
    page, verdicts = check_folder(chromium, exported, no_ed25519)
    summary = page.inner_text("#check-summary")
    assert summary.startswith("Файлы совпадают с манифестом, но подпись НЕ ПРОВЕРЕНА"), summary
    assert verdicts["manifest.json.sig"][0].startswith("подпись НЕ ПРОВЕРЕНА")
    assert verdicts[PART1] == ("совпадает", "check-ok")
    page.context.close()


def test_a_file_larger_than_a_read_slice_is_hashed_across_slices(chromium, tmp_path):
    data = tmp_path / "long"
    build_day(data, [PartSpec(1600.0, [1.0])])  # 25.6 MB: three whole 8 MB slices and a rest
    (tmp_path / "drive").mkdir()
    export_days(data, tmp_path / "drive")
    room = tmp_path / "drive" / ROOM
    assert (room / PART1).stat().st_size > 3 * 8 * 1024 * 1024
    page, verdicts = check_folder(chromium, room)
    assert verdicts[PART1] == ("совпадает", "check-ok")
    page.context.close()
    zero_one_second(room / PART1, offset=20 * 1024 * 1024)  # in the third slice
    page, verdicts = check_folder(chromium, room)
    assert verdicts[PART1] == ("ФАЙЛ ИЗМЕНЁН: контрольная сумма не совпадает", "bad")
    page.context.close()
