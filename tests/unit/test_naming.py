import datetime as dt

import pytest

from appliance import naming

DAY = dt.date(2027, 2, 10)


@pytest.mark.parametrize(("variant", "part", "expected"), [
    ("cyrillic", 1, "2027-02-10_ОО-640101_ауд-0005_часть-1.wav"),
    ("cyrillic", 12, "2027-02-10_ОО-640101_ауд-0005_часть-12.wav"),
    ("ascii", 1, "2027-02-10_OO-640101_room-0005_part-1.wav"),
])
def test_spec_file_names(variant, part, expected):
    assert naming.part_filename(DAY, "640101", "0005", part, variant) == expected
    parsed = naming.parse_part_filename(expected)
    assert parsed == naming.PartName(DAY, "640101", "0005", part)


def test_parts_start_at_one():
    with pytest.raises(ValueError):
        naming.part_stem(DAY, "640101", "0005", 0)


@pytest.mark.parametrize("name", [
    "2027-02-10_ОО-640101_ауд-0005_часть-0.wav", "2027-02-30_ОО-640101_ауд-0005_часть-1.wav",
    "2027-02-10_ОО-64010_ауд-0005_часть-1.wav", "report.html",
    "2027-02-10_ОО-640101_ауд-0005_часть-1.mp3"])
def test_non_regulation_names_are_rejected(name):
    assert naming.parse_part_filename(name) is None


def test_export_folders():
    assert naming.export_dirs(DAY, "640101", "0005") == ("2027-02-10_ОО-640101", "ауд-0005")
