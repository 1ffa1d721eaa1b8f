"""The [export] settings section: defaults and validation."""

import pytest

from appliance import config
from appliance.errors import ConfigError


def test_defaults_follow_the_regulation():
    defaults = config.Config().export
    assert (defaults.keep_years, defaults.keep_until, defaults.keep_months) == (1, "03-01", 0)
    assert defaults.auto_export is True
    assert defaults.mount_dir.startswith("/media/")


def test_values_are_read():
    loaded = config.from_dict({"export": {"mount_dir": "/mnt/usb", "auto_export": False,
                                          "school_name": "МБОУ «СОШ № 1»", "keep_years": 2,
                                          "keep_until": "09-01", "mp3_bitrate": "192k",
                                          "keep_months": 6}})
    assert loaded.export.keep_months == 6
    assert loaded.export.school_name == "МБОУ «СОШ № 1»"
    assert (loaded.export.keep_years, loaded.export.keep_until) == (2, "09-01")


@pytest.mark.parametrize("key, value", [("auto_export", "yes"), ("keep_until", "13-01"),
                                        ("keep_until", "3-1x"), ("keep_years", -1),
                                        ("keep_months", -1), ("keep_months", "6"),
                                        ("mp3_bitrate", "1k"), ("flavour", 1)])
def test_bad_values_name_the_key(key, value):
    with pytest.raises(ConfigError) as err:
        config.from_dict({"export": {key: value}})
    assert f"export.{key}" in str(err.value)
