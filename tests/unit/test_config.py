import dataclasses
import tomllib

import pytest

from appliance import config
from appliance.errors import ConfigError

GOOD = """
[site]
region = "64"
msu = "01"
school = "640101"
room = "0005"
[recording]
pause_mode = "continue"
naming = "ascii"
"""


def test_good_file_loads_with_defaults_for_the_rest(tmp_path):
    path = tmp_path / "a.toml"
    path.write_text(GOOD, encoding="utf-8")
    cfg = config.load(path)
    assert (cfg.site.school, cfg.site.room) == ("640101", "0005")
    assert cfg.recording.pause_mode == "continue"
    assert cfg.audio.rate == 48000 and cfg.site.is_complete()


def test_missing_file_means_not_configured(tmp_path):
    cfg = config.load(tmp_path / "absent.toml")
    assert not cfg.site.is_complete()


def test_env_variable_chooses_the_file(tmp_path, monkeypatch):
    path = tmp_path / "b.toml"
    path.write_text('[site]\nroom = "0007"\n', encoding="utf-8")
    monkeypatch.setenv("APPLIANCE_CONFIG", str(path))
    assert config.load().site.room == "0007"


@pytest.mark.parametrize(("section", "key", "value", "words"), [
    ("site", "school", "64010", ["site.school", "6 цифр", "64010"]),
    ("site", "school", "64010A", ["site.school"]),
    ("site", "room", 5, ["site.room", "4 цифр"]),
    ("site", "region", "640", ["site.region", "2 цифр"]),
    ("site", "msu", "1", ["site.msu"]),
    ("audio", "rate", 1000, ["audio.rate", "8000"]),
    ("audio", "rate", 12345, ["audio.rate", "44100, 48000", "12345"]),
    ("audio", "channels", "two", ["audio.channels", "целое число"]),
    ("recording", "pause_mode", "stop", ["recording.pause_mode", "split, continue"]),
    ("recording", "naming", "latin", ["recording.naming"]),
    ("web", "listen", "80", ["web.listen", "0.0.0.0:80"]),
])
def test_each_bad_value_names_its_key_in_russian(section, key, value, words):
    with pytest.raises(ConfigError) as err:
        config.validate_field(section, key, value)
    for word in words:
        assert word in str(err.value)


def test_unknown_keys_and_sections_are_errors(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[site]\nschol = "640101"\n[sound]\nx = 1\n', encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        config.load(path)
    text = str(err.value)
    assert "site.schol" in text and "[sound]" in text and len(err.value.problems) == 2


def test_syntax_error_names_the_file(tmp_path):
    path = tmp_path / "d.toml"
    path.write_text("[site\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="d.toml"):
        config.load(path)


def test_english_messages_on_request(monkeypatch):
    monkeypatch.setenv("APPLIANCE_LANG", "en")
    with pytest.raises(ConfigError, match="exactly 6 digits"):
        config.validate_field("site", "school", "1")


def test_save_is_atomic_and_refuses_bad_values(tmp_path):
    path = tmp_path / "e.toml"
    path.write_text(GOOD, encoding="utf-8")
    cfg = config.load(path)
    cfg.site.room = "0012"
    config.save(cfg, path)
    assert config.load(path).site.room == "0012"
    before = path.read_bytes()
    cfg.site.room = "12"
    with pytest.raises(ConfigError, match="site.room"):
        config.save(cfg, path)
    assert path.read_bytes() == before, "nothing is half-written"
    assert [p.name for p in tmp_path.iterdir()] == ["e.toml"], "no temporary files left"


def test_button_durations_must_be_in_order(tmp_path):
    path = tmp_path / "a.toml"
    path.write_text('[gpio]\nlong_press_s = 2.0\nstop_press_s = 2.0\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="gpio.long_press_s \\(2.0 с\\) < gpio.stop_press_s"):
        config.load(path)


def test_a_wrong_type_is_named_in_the_readers_language():
    """The expected type is a phrase of its own, so an English page says it in English even
    where the process speaks Russian."""
    with pytest.raises(ConfigError) as err:
        config.validate_field("audio", "channels", "two")
    assert "an integer expected" in err.value.message("en")
    assert "ожидается целое число" in err.value.message("ru")
    assert err.value.to_dict()["params"]["expected"] == "целое число"


def test_every_setting_is_declared_once_with_its_check():
    for section in dataclasses.fields(config.Config):
        for setting in dataclasses.fields(section.default_factory):
            check = config.VALIDATORS[section.name][setting.name]
            assert check is setting.metadata["check"] and callable(check)


OLD_NAMES = """
# the intro check, as a box saved it before the settings were renamed
[participants]
short_min = 5.0  # minutes
long_min = 40.0
long_silence_s = 200.0
"""


def test_a_setting_saved_under_its_old_name_is_read_as_the_new_one(tmp_path, caplog):
    path = tmp_path / "appliance.toml"
    path.write_text(GOOD + OLD_NAMES, encoding="utf-8")
    with caplog.at_level("WARNING", logger="appliance.config"):
        section = config.load(path).participants
    assert (section.too_short_minutes, section.too_long_minutes, section.long_silence_s) == (
        5.0, 40.0, 200.0)
    assert [r.getMessage() for r in caplog.records] == [
        "setting participants.short_min is read as participants.too_short_minutes (renamed); "
        "the next save writes the new name",
        "setting participants.long_min is read as participants.too_long_minutes (renamed); "
        "the next save writes the new name"]


def test_the_next_save_writes_the_new_names_and_keeps_the_rest(tmp_path, caplog):
    path = tmp_path / "appliance.toml"
    path.write_text(GOOD + OLD_NAMES, encoding="utf-8")
    config.save_changes({"site.room": "0012"}, path)  # the web page saves one setting
    text = path.read_text(encoding="utf-8")
    assert tomllib.loads(text)["participants"] == {
        "too_short_minutes": 5.0, "too_long_minutes": 40.0, "long_silence_s": 200.0}
    assert "# the intro check, as a box saved it" in text and 'room = "0012"' in text
    caplog.clear()
    loaded = config.load(path)
    assert caplog.records == [], "nothing left to rename"
    assert (loaded.site.room, loaded.participants.too_short_minutes,
            loaded.participants.too_long_minutes) == ("0012", 5.0, 40.0)
    config.save_changes({"participants.too_short_minutes": 6.0}, path)
    assert config.load(path).participants.too_short_minutes == 6.0


def test_the_old_and_the_new_name_together_are_an_error_in_russian(tmp_path):
    path = tmp_path / "appliance.toml"
    path.write_text(GOOD + OLD_NAMES + "too_short_minutes = 9.0\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        config.load(path)
    assert str(err.value) == (
        "Настройка participants.short_min теперь называется participants.too_short_minutes, "
        "а в файле указаны обе: оставьте только participants.too_short_minutes")
    before = path.read_bytes()
    with pytest.raises(ConfigError, match="оставьте только participants.too_short_minutes"):
        config.save_changes({"site.room": "0012"}, path)
    assert path.read_bytes() == before, "a file with both names is never rewritten"
    path.write_text(GOOD + OLD_NAMES + "too_short_minutes = 9.0\nbogus = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        config.load(path)
    assert [p.code for p in err.value.problems] == ["config.renamed_twice",
                                                    "config.unknown_key"]
