"""Typed settings read from TOML, validated once, written atomically.

The file is `/etc/appliance/appliance.toml` unless `--config PATH` or `APPLIANCE_CONFIG` says
otherwise. Every key has a default, so a missing file means "not configured yet" (the site codes
are empty and the recorder refuses to start a day until they are set). Unknown keys are errors:
a typo in a setting must never be silently ignored on an evidence recorder. A setting renamed
since boxes in the field saved it (`RENAMED`) is still read under its old name, and the next
save writes the new one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import tomllib
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w

from appliance import i18n
from appliance.errors import ConfigError
from appliance.fsutil import atomic_write_bytes

DEFAULT_PATH = Path("/etc/appliance/appliance.toml")

log = logging.getLogger(__name__)

i18n.register({
    "config.unknown_section": ("Неизвестный раздел настроек [{key}]",
                               "Unknown settings section [{key}]"),
    "config.unknown_key": ("Неизвестная настройка {key}", "Unknown setting {key}"),
    "config.renamed_twice": ("Настройка {old} теперь называется {new}, а в файле указаны обе: "
                             "оставьте только {new}",
                             "Setting {old} is now called {new}, and the file has both: keep "
                             "only {new}"),
    "config.press_order": ("Настройки кнопки: нужно gpio.debounce_ms ({debounce} мс) < "
                           "gpio.long_press_s ({long} с) < gpio.stop_press_s ({stop} с)",
                           "Button settings: need gpio.debounce_ms ({debounce} ms) < "
                           "gpio.long_press_s ({long} s) < gpio.stop_press_s ({stop} s)"),
    "config.digits": ("Настройка {key}: нужно ровно {length} цифр(ы) в кавычках, например "
                      "\"{example}\"; получено «{value}»",
                      "Setting {key}: exactly {length} digits in quotes expected, e.g. "
                      "\"{example}\"; got '{value}'"),
    "config.choice": ("Настройка {key}: допустимые значения {choices}; получено «{value}»",
                      "Setting {key}: allowed values are {choices}; got '{value}'"),
    "config.range": ("Настройка {key}: нужно число от {low} до {high}; получено «{value}»",
                     "Setting {key}: a number from {low} to {high} expected; got '{value}'"),
    "config.type": ("Настройка {key}: ожидается {expected}; получено «{value}»",
                    "Setting {key}: {expected} expected; got '{value}'"),
    "config.expected.int": ("целое число", "an integer"),
    "config.expected.float": ("число", "a number"),
    "config.expected.text": ("строка", "a string"),
    "config.expected.names": ("список имён", "a list of names"),
    "config.expected.flag": ("true или false", "true or false"),
    "config.zone": ("Настройка {key}: нужен часовой пояс вида Europe/Moscow; получено «{value}»",
                    "Setting {key}: a time zone like Europe/Moscow expected; got '{value}'"),
    "config.listen": ("Настройка {key}: нужен адрес вида 0.0.0.0:80; получено «{value}»",
                      "Setting {key}: an address like 0.0.0.0:80 expected; got '{value}'"),
    "config.syntax": ("Файл настроек {path} не читается: {detail}",
                      "Settings file {path} cannot be read: {detail}"),
    "config.many": ("Ошибки в настройках:\n{details}", "Errors in the settings:\n{details}"),
    "config.unreadable": ("Файл настроек {path} не открывается: {detail}",
                          "Settings file {path} cannot be opened: {detail}"),
    "config.mirror_path": ("Настройка {key}: нужен полный путь к папке на втором носителе, "
                           "например \"/media/zapis-kopia/zapis\"; получено «{value}»",
                           "Setting {key}: a full path to a folder on the second medium "
                           "expected, e.g. \"/media/zapis-kopia/zapis\"; got '{value}'"),
    "config.mirror_inside": ("Резервная копия (mirror.path = «{mirror}») не может лежать в "
                             "папке записей recording.data_dir = «{data}» или содержать её: "
                             "нужен другой носитель",
                             "The safety copy (mirror.path = '{mirror}') cannot be inside the "
                             "recordings' folder recording.data_dir = '{data}' or contain it: "
                             "another medium is needed"),
})


# ----- checks of one value (each raises ConfigError naming the key) -------------------------
def _digits(length: int, example: str):
    def check(key: str, value: Any) -> str:
        text = str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
        if text == "" and value == "":
            return ""
        if len(text) != length or not text.isdigit() or not text.isascii():
            raise ConfigError("config.digits", key=key, length=length, example=example,
                              value=value)
        return text
    return check


def _choice(*choices: str):
    def check(key: str, value: Any) -> str:
        if value not in choices:
            raise ConfigError("config.choice", key=key, choices=", ".join(choices), value=value)
        return value
    return check


def _number(kind: type, low: float, high: float):
    def check(key: str, value: Any):
        ok_types = (int, float) if kind is float else (int,)
        if isinstance(value, bool) or not isinstance(value, ok_types):
            raise ConfigError("config.type", key=key, value=value,
                              expected=i18n.phrase(f"config.expected.{kind.__name__}"))
        if not low <= value <= high:
            raise ConfigError("config.range", key=key, low=low, high=high, value=value)
        return kind(value)
    return check


STANDARD_RATES_HZ = (8000, 11025, 16000, 22050, 32000, 44100, 48000, 88200, 96000)
"""Sample rates a WAV player and a USB microphone both know; the device itself is asked when
the recorder opens it (a rate it refuses is the `capture.open_failed` message)."""


def _rate(key: str, value: Any) -> int:
    value = _number(int, STANDARD_RATES_HZ[0], STANDARD_RATES_HZ[-1])(key, value)
    if value not in STANDARD_RATES_HZ:
        raise ConfigError("config.choice", key=key, value=value,
                          choices=", ".join(map(str, STANDARD_RATES_HZ)))
    return value


def _text(key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ConfigError("config.type", key=key, value=value,
                          expected=i18n.phrase("config.expected.text"))
    return value


def _device(key: str, value: Any) -> str | int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return _text(key, value)


def _zone(key: str, value: Any) -> str:
    if _text(key, value):
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as err:
            raise ConfigError("config.zone", key=key, value=value) from err
    return value


def _listen(key: str, value: Any) -> str:
    host, _, port = _text(key, value).rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError("config.listen", key=key, value=value)
    return value


def _host_names(key: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError("config.type", key=key, value=value,
                          expected=i18n.phrase("config.expected.names"))
    return [v.strip().lower() for v in value]


def _flag(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ConfigError("config.type", key=key, value=value,
                          expected=i18n.phrase("config.expected.flag"))
    return value


def _month_day(key: str, value: Any) -> str:
    try:
        dt.date.fromisoformat(f"2028-{_text(key, value)}")
    except ValueError as err:
        raise ConfigError("config.type", key=key, value=value, expected="MM-DD") from err
    return value


def _mirror_path(key: str, value: Any) -> str:
    text = _text(key, value).strip()
    if text and (not os.path.isabs(text) or os.path.normpath(text) == "/"):
        raise ConfigError("config.mirror_path", key=key, value=value)
    return os.path.normpath(text) if text else ""


def setting(default: Any = None, check=None, factory=None):
    """One setting: its default (or `factory` for a list), and `check(key, value)`, which
    returns the normalised value or raises ConfigError; the docstring under it says what it
    means. Declared once, here, and nowhere else."""
    if factory is not None:
        return field(default_factory=factory, metadata={"check": check})
    return field(default=default, metadata={"check": check})


# ----- the settings ------------------------------------------------------------------------
@dataclass
class SiteConfig:
    """Where the box stands; these codes go into every file name and report."""

    region: str = setting("", _digits(2, "64"))
    """Код региона: 2 digits, e.g. "64"."""
    msu: str = setting("", _digits(2, "01"))
    """Код МСУ (municipality): 2 digits, e.g. "01"."""
    school: str = setting("", _digits(6, "640101"))
    """Код ОО (school code): 6 digits, e.g. "640101"."""
    room: str = setting("", _digits(4, "0005"))
    """Номер аудитории: 4 digits, e.g. "0005"."""
    timezone: str = setting("", _zone)
    """Часовой пояс (time zone), e.g. "Asia/Vladivostok"; empty: the zone of the region code.
    The clock, file names, pages and documents are in this local time."""

    def is_complete(self) -> bool:
        return all((self.region, self.msu, self.school, self.room))


@dataclass
class AudioConfig:
    """The microphone."""

    device: str | int = setting("default", _device)
    """PortAudio input device: a name substring or an index."""
    rate: int = setting(48000, _rate)
    """Sample rate in Hz; 44100 or 48000 are what USB microphones offer."""
    channels: int = setting(1, _number(int, 1, 8))
    """Channels to record (1 = mono, 2 = two microphones on a stereo interface)."""
    block_ms: int = setting(100, _number(int, 10, 500))
    """Capture block length in ms: levels update once per block; markers are exact to it."""


@dataclass
class RecordingConfig:
    """The day's recording on the appliance."""

    data_dir: str = setting("/var/lib/appliance", _text)
    """Where recordings, journals and state live (its own partition on the image)."""
    pause_mode: str = setting("split", _choice("split", "continue"))
    """"split": each resume starts a new part file; "continue": the same part goes on."""
    naming: str = setting("cyrillic", _choice("cyrillic", "ascii"))
    """File names: "cyrillic" (ОО, ауд, часть) or "ascii" (OO, room, part)."""
    max_part_mb: int = setting(3900, _number(int, 1, 4000))
    """A part rolls over to the next part before this size (MB of 10^6 bytes); FAT32 < 4 GiB."""
    control_socket: str = setting("", _text)
    """The recorder's control socket; empty means {data_dir}/control.sock."""
    reserve_mb: int = setting(50, _number(int, 1, 100_000))
    """Free space kept for closing parts validly: audio stops being written below it."""
    disk_warn_hours: float = setting(2.0, _number(float, 0, 1000))
    """Alarm "low disk space" when fewer hours of recording than this fit on the disk."""

    def socket_path(self) -> Path:
        return Path(self.control_socket or Path(self.data_dir) / "control.sock")


@dataclass
class WebConfig:
    """The technician's web page."""

    listen: str = setting("0.0.0.0:80", _listen)
    """host:port the web page listens on."""
    language: str = setting("ru", _choice("ru", "en"))
    """Default language of the page: "ru" or "en"."""
    setup_code_file: str = setting("", _text)
    """Where the one-time first-start code is written (read it with physical access); empty
    means {data_dir}/setup-code.txt. The image points it at the FAT boot partition."""
    session_minutes: int = setting(720, _number(int, 1, 10080))
    """A login lasts this long (minutes), then the page asks for the password again."""
    login_attempts: int = setting(5, _number(int, 1, 100))
    """Failed logins (or setup codes) allowed from one address within `login_window_s` ..."""
    login_window_s: int = setting(300, _number(int, 1, 86400))
    """... after which that address is refused until the window has passed (s)."""
    allowed_hosts: list[str] = setting(check=_host_names, factory=list)
    """Extra names the page answers to (e.g. a school DNS name), beside its own
    room-NNNN.local, host name, addresses and localhost; any other Host header gets 421."""


@dataclass
class GpioConfig:
    """The examiner's button and LEDs (BCM pin numbers)."""

    backend: str = setting("auto", _choice("auto", "rpigpio", "mock", "none"))
    """"auto" (RPi.GPIO when present, otherwise none), "rpigpio", "mock" or "none"."""
    button_pin: int = setting(17, _number(int, 0, 27))
    rec_led_pin: int = setting(27, _number(int, 0, 27))
    ready_led_pin: int = setting(22, _number(int, 0, 27))
    debounce_ms: int = setting(30, _number(int, 1, 500))
    """Edges closer than this are contact bounce."""
    long_press_s: float = setting(2.0, _number(float, 0.5, 30))
    """Held this long while recording: pause."""
    stop_press_s: float = setting(5.0, _number(float, 1, 60))
    """Held this long while recording or paused: stop the day."""
    error_pattern_s: float = setting(2.0, _number(float, 0.5, 10))
    """How long the LEDs flash the error pattern after a press the recorder refused."""


@dataclass
class SerialConfig:
    """The optional serial panel."""

    port: str = setting("", _text)
    """Serial device, e.g. /dev/ttyUSB0; empty: no panel."""
    baudrate: int = setting(115200, _number(int, 1200, 1_000_000))


@dataclass
class ChecksConfig:
    """Sound checks: live alarms and the test-recording verdict (reasoning: docs/THRESHOLDS.md)."""

    silence_dbfs: float = setting(-60.0, _number(float, -120, 0))
    """Live `silence`: every block's peak below this (dBFS) ..."""
    silence_s: float = setting(10.0, _number(float, 1, 600))
    """... for this long (s): a dead or unplugged microphone, or the gain turned down."""
    clipping_clear_s: float = setting(5.0, _number(float, 0.1, 600))
    """Live `clipping` clears after this long (s) without a clipped run."""
    low_level_dbfs: float = setting(-40.0, _number(float, -120, 0))
    """Live `low_level`: the loudest 100 ms of the last window has an RMS below this (dBFS)."""
    low_level_window_s: float = setting(180.0, _number(float, 1, 600))
    """The window (s) the live `low_level` alarm looks back over (longer than the silent
    preparation before an answer, up to 2 minutes)."""
    overflow_clear_s: float = setting(10.0, _number(float, 0.1, 600))
    """Live `overflow` clears after this long (s) without the device losing samples."""
    dropout_ms: float = setting(20.0, _number(float, 1, 10000))
    """A run of digital zeros this long (ms) is a dropout; a live microphone never gives one."""
    dropout_clear_s: float = setting(5.0, _number(float, 0.1, 600))
    """Live `dropout` clears after this long (s) without a run of zeros."""
    speech_level_warn_dbfs: float = setting(-35.0, _number(float, -120, 0))
    """Verdict: active speech level (ITU-T P.56 style) below this (dBFS) warns ..."""
    speech_level_fail_dbfs: float = setting(-45.0, _number(float, -120, 0))
    """... and below this fails."""
    min_speech_s: float = setting(1.5, _number(float, 0, 600))
    """Verdict: less detected speech than this (s) fails: nobody was heard."""
    snr_warn_db: float = setting(25.0, _number(float, 0, 120))
    """Verdict: speech-to-noise ratio below this (dB) warns ..."""
    snr_fail_db: float = setting(15.0, _number(float, 0, 120))
    """... and below this fails."""
    hum_warn_db: float = setting(30.0, _number(float, 0, 120))
    """Verdict: mains hum less than this far (dB) below the speech level warns ..."""
    hum_fail_db: float = setting(15.0, _number(float, 0, 120))
    """... and less than this far fails."""
    clip_warn_ratio: float = setting(0.0001, _number(float, 0, 1))
    """Verdict: a share of clipped samples above this warns ..."""
    clip_fail_ratio: float = setting(0.001, _number(float, 0, 1))
    """... and above this fails."""
    dc_warn: float = setting(0.01, _number(float, 0, 1))
    """Verdict: a DC offset above this fraction of full scale warns ..."""
    dc_fail: float = setting(0.1, _number(float, 0, 1))
    """... and above this fails."""
    dropout_fail_s: float = setting(0.5, _number(float, 0, 3600))
    """Verdict: any dropout warns; dropouts adding up to this (s) fail."""
    bandwidth_warn_hz: float = setting(3000.0, _number(float, 0, 96000))
    """Verdict: speech bandwidth below this (Hz) warns (a muffled or covered microphone) ..."""
    bandwidth_fail_hz: float = setting(1500.0, _number(float, 0, 96000))
    """... and below this fails."""
    test_duration_s: float = setting(30.0, _number(float, 4, 600))
    """Length (s) of the live test recording, split between the two seats."""


@dataclass
class ExportConfig:
    """USB export, participant clips and retention of the recordings."""

    mount_dir: str = setting("/media/appliance-usb", _text)
    """Where a plugged-in USB drive is mounted (nosuid, nodev, noexec) for the export."""
    auto_export: bool = setting(True, _flag)
    """Export automatically when the day is stopped and a drive is present."""
    school_name: str = setting("", _text)
    """Наименование ОО, printed on the handover act and the act of destruction (form 1А)."""
    keep_years: int = setting(1, _number(int, 0, 10))
    """Recordings are kept until `keep_until` of the exam year plus this many years."""
    keep_until: str = setting("03-01", _month_day)
    """Month-day (MM-DD) of the keep-until date: 1 March of the next year by the regulation."""
    keep_months: int = setting(0, _number(int, 0, 120))
    """When not 0, recordings are kept this many months after the exam instead (some
    municipalities order six months); `keep_years` and `keep_until` are then not used."""
    mp3_bitrate: str = setting("128k", _choice("64k", "96k", "128k", "192k", "256k", "320k"))
    """Bit rate of MP3 clips (ffmpeg notation)."""


@dataclass
class ParticipantsConfig:
    """The intro check of each participant's segment (appliance/participants/introcheck.py)."""

    intro_speech_s: float = setting(30.0, _number(float, 5, 600))
    """Speech must start within this many seconds (s) of the participant marker: the
    participant states full name and variant first; otherwise the segment is flagged."""
    too_short_minutes: float = setting(8.0, _number(float, 0, 120))
    """A segment shorter than this (min) is flagged `too_short` (the answer takes about
    15 min)."""
    too_long_minutes: float = setting(30.0, _number(float, 1, 600))
    """A segment longer than this (min) is flagged `too_long`."""
    ovz_extra_min: float = setting(30.0, _number(float, 0, 600))
    """Participants marked ОВЗ in the list (special needs) are allowed this many minutes
    more before "too long"."""
    long_silence_s: float = setting(150.0, _number(float, 5, 3600))
    """A stretch without speech this long (s) inside a segment is flagged (reading
    preparation takes up to 2 min)."""


@dataclass
class SchoolConfig:
    """«Все аудитории»: the boxes of one school seeing each other on the LAN (docs/WEB.md)."""

    enabled: bool = setting(True, _flag)
    """Announce this box over mDNS/DNS-SD and look for the others; only boxes paired with the
    same school passphrase answer each other, and only with a read-only summary."""
    clock_offset_s: float = setting(0.0, _number(float, -86400, 86400))
    """For tests only: shifts the clock this box reports to the others (s), to show a wrong
    clock being flagged without changing the machine's clock. Keep 0 on a real box."""


MIRROR_LABEL = "ZAPIS-KOPIA"
"""The file system label of the safety copy's USB stick (11 characters: fits FAT32); the
image mounts it at /media/zapis-kopia, and the export never takes it for an export drive."""


@dataclass
class MirrorConfig:
    """The safety copy: every part and the day's journal written to a second medium at the
    same time as to `recording.data_dir` (docs/FORMATS.md, «Резервная копия»)."""

    path: str = setting("", _mirror_path)
    """A folder on another medium (a USB stick); empty: no safety copy. The image sets
    "/media/zapis-kopia/zapis": the stick labelled ZAPIS-KOPIA is mounted there by itself."""
    catch_up_mb_s: int = setting(8, _number(int, 1, 1000))
    """How fast the background copy that completes a medium after it returns may read and
    write (MB/s, together); it also runs at the lowest CPU and I/O priority."""


@dataclass
class Config:
    site: SiteConfig = field(default_factory=SiteConfig)
    audio: AudioConfig = field(default_factory=AudioConfig)
    recording: RecordingConfig = field(default_factory=RecordingConfig)
    web: WebConfig = field(default_factory=WebConfig)
    gpio: GpioConfig = field(default_factory=GpioConfig)
    serial: SerialConfig = field(default_factory=SerialConfig)
    checks: ChecksConfig = field(default_factory=ChecksConfig)
    export: ExportConfig = field(default_factory=ExportConfig)
    participants: ParticipantsConfig = field(default_factory=ParticipantsConfig)
    school: SchoolConfig = field(default_factory=SchoolConfig)
    mirror: MirrorConfig = field(default_factory=MirrorConfig)

    @property
    def data_dir(self) -> Path:
        return Path(self.recording.data_dir)




VALIDATORS: dict[str, dict[str, Any]] = {
    section.name: {f.name: f.metadata["check"] for f in dataclasses.fields(section.default_factory)}
    for section in dataclasses.fields(Config)}
"""section -> key -> check, from the declarations above."""


RENAMED: dict[tuple[str, str], str] = {
    ("participants", "short_min"): "too_short_minutes",
    ("participants", "long_min"): "too_long_minutes",
}
"""(section, old key) -> new key: settings renamed after boxes in the field saved them (in
/etc/appliance/appliance.toml from the web page, or on the boot partition). A file with the old
name is read as the new one, so an upgrade never stops the recorder over a name."""


def _new_names(section: str, values: dict[str, Any],
               problems: list[ConfigError]) -> dict[str, Any]:
    """`values` of `section` with every old name of `RENAMED` replaced by the new one. Both
    names of one setting are a problem (which value is meant?): the old one is left out."""
    renamed = {}
    for key, value in values.items():
        new = RENAMED.get((section, key))
        if new is None:
            renamed[key] = value
            continue
        if new in values:
            problems.append(ConfigError("config.renamed_twice", old=f"{section}.{key}",
                                        new=f"{section}.{new}"))
            continue
        log.warning("setting %s.%s is read as %s.%s (renamed); the next save writes the new "
                    "name", section, key, section, new)
        renamed[new] = value
    return renamed


def validate_field(section: str, key: str, value: Any) -> Any:
    """The checked, normalised value of one setting; raises ConfigError naming `section.key`."""
    if section not in VALIDATORS:
        raise ConfigError("config.unknown_section", key=section)
    if key not in VALIDATORS[section]:
        raise ConfigError("config.unknown_key", key=f"{section}.{key}")
    return VALIDATORS[section][key](f"{section}.{key}", value)


def _relations(config: Config) -> list[ConfigError]:
    """Settings that are valid alone but not together."""
    gpio, problems = config.gpio, []
    if not gpio.debounce_ms / 1000 < gpio.long_press_s < gpio.stop_press_s:
        problems.append(ConfigError("config.press_order", debounce=gpio.debounce_ms,
                                    long=gpio.long_press_s, stop=gpio.stop_press_s))
    if config.mirror.path:
        mirror, data = Path(config.mirror.path), Path(os.path.abspath(config.recording.data_dir))
        if mirror.is_relative_to(data) or data.is_relative_to(mirror):
            problems.append(ConfigError("config.mirror_inside", mirror=mirror, data=data))
    return problems


def from_dict(raw: dict[str, Any]) -> Config:
    """Build a Config from parsed TOML; every problem is reported, each naming its key."""
    config = Config()
    problems: list[ConfigError] = []
    for section, values in raw.items():
        if section not in VALIDATORS or not isinstance(values, dict):
            problems.append(ConfigError("config.unknown_section", key=section))
            continue
        target = getattr(config, section)
        for key, value in _new_names(section, values, problems).items():
            try:
                setattr(target, key, validate_field(section, key, value))
            except ConfigError as err:
                problems.append(err)
    if not problems:
        problems += _relations(config)
    if len(problems) == 1:
        raise problems[0]
    if problems:
        error = ConfigError("config.many", details="\n".join(f"- {p}" for p in problems))
        error.problems = problems
        raise error
    return config


def resolve_path(explicit: str | os.PathLike | None = None) -> Path:
    """--config wins, then APPLIANCE_CONFIG, then the default path."""
    return Path(explicit or os.environ.get("APPLIANCE_CONFIG") or DEFAULT_PATH)


def load(path: str | os.PathLike | None = None) -> Config:
    """Read and validate the config; a missing file gives the defaults (not configured)."""
    path = resolve_path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Config()
    except OSError as err:
        raise ConfigError("config.unreadable", path=path, detail=err.strerror) from err
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ConfigError("config.syntax", path=path, detail=err) from err
    return from_dict(raw)


def to_dict(config: Config) -> dict[str, dict[str, Any]]:
    return dataclasses.asdict(config)


def save_changes(changes: dict[str, Any], path: str | os.PathLike | None = None) -> Path:
    """Set `{"section.key": value}` in the file, keeping everything else as written (its
    comments, order and the keys not changed); validated first, replaced atomically."""
    import tomlkit

    path = resolve_path(path)
    try:
        document = tomlkit.parse(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        document = tomlkit.document()
    except (OSError, UnicodeDecodeError, tomlkit.exceptions.ParseError) as err:
        raise ConfigError("config.syntax", path=path, detail=err) from err
    for (section, old), new in RENAMED.items():
        table = document.get(section)
        if table is not None and old in table and new not in table:
            table[new] = table.pop(old)
    for name, value in changes.items():
        section, _, key = name.partition(".")
        if section not in document:
            document[section] = tomlkit.table()
        document[section][key] = value
    from_dict(document.unwrap())
    atomic_write_bytes(path, tomlkit.dumps(document).encode("utf-8"))
    return path


def save(config: Config, path: str | os.PathLike | None = None) -> Path:
    """Validate, then replace the file atomically (a power cut leaves the old or the new one)."""
    raw = to_dict(config)
    from_dict(raw)
    path = resolve_path(path)
    atomic_write_bytes(path, tomli_w.dumps(raw).encode("utf-8"))
    return path
