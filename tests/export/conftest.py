import datetime as dt

import pytest
from export_daybuilder import PartSpec, build_day
from export_drive import exfat_drive


@pytest.fixture
def data_dir(tmp_path):
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def small_day(data_dir):
    """A stopped day: two parts (a break between), three participants, one alarm."""
    return build_day(data_dir, [PartSpec(30.0, [1.0, 12.5], alarm_at_s=20.0),
                                PartSpec(20.0, [0.5])], date=dt.date(2027, 2, 10))


@pytest.fixture
def drive(tmp_path):
    with exfat_drive(tmp_path, size_mb=64) as d:
        yield d
