"""The test-recording verdict: pass, warn or fail, with every reason spelled out.

Each reason carries a stable code, the measured value, the threshold it crossed, a Russian
(or English) message and a hint saying what to do. Thresholds come from the `[checks]` config
section; docs/THRESHOLDS.md explains each one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from appliance import i18n
from appliance.capture.wavfile import read_info
from appliance.config import ChecksConfig
from appliance.dsp.analysis import Analysis, ChannelAnalysis, analyze
from appliance.dsp.levels import FLOOR_DBFS

PASS, WARN, FAIL = "pass", "warn", "fail"
SEVERITY_ORDER = {PASS: 0, WARN: 1, FAIL: 2}
NOT_HEARD_CODES = {"silence", "no_speech", "low_level", "noise"}
QUIET_SHARE, BUSY_SHARE = 0.3, 0.5
"""A channel with speech for less than QUIET_SHARE of the time while another has it for more
than BUSY_SHARE is a microphone that stopped hearing (went dead, turned away, unplugged)."""
EXPLAINS_QUIET = {"silence", "no_speech", "dropout"}
"""Reasons of a channel that already say why it carries little speech."""

i18n.register({
    "check.silence": ("Нет сигнала: пиковый уровень {value} дБFS ниже {threshold} дБFS",
                      "No signal: peak level {value} dBFS is below {threshold} dBFS"),
    "check.silence.hint": ("Проверьте, что микрофон подключён и включён, и поднимите усиление",
                           "Check that the microphone is connected and on; raise the gain"),
    "check.no_speech": ("Речь не обнаружена: {value} с речи, нужно не меньше {threshold} с",
                        "No speech found: {value} s of speech, at least {threshold} s needed"),
    "check.no_speech.hint": ("Говорите в микрофон во время пробной записи: «раз, два, три»",
                             "Speak into the microphone during the test: 'one, two, three'"),
    "check.low_level": ("Речь слишком тихая: {value} дБFS, нужно не ниже {threshold} дБFS",
                        "Speech too quiet: {value} dBFS, at least {threshold} dBFS needed"),
    "check.low_level.hint": ("Поднимите усиление микрофона или поставьте микрофон ближе к "
                             "говорящим", "Raise the microphone gain or move it closer to the "
                             "speakers"),
    "check.clipping": ("Перегрузка: обрезано {value} % отсчётов (допустимо до {threshold} %)",
                       "Clipping: {value} % of samples cut off (up to {threshold} % allowed)"),
    "check.clipping.hint": ("Уменьшите усиление или отодвиньте микрофон от говорящего",
                            "Lower the gain or move the microphone away from the speaker"),
    "check.noise": ("Сильный шум: речь громче шума на {value} дБ, нужно не меньше "
                    "{threshold} дБ", "Too much noise: speech is {value} dB above the noise, "
                    "at least {threshold} dB needed"),
    "check.noise.hint": ("Закройте окна и двери, выключите вентиляторы и проекторы, "
                         "поставьте микрофон ближе к говорящим", "Close windows and doors, "
                         "switch off fans and projectors, move the microphone closer"),
    "check.hum": ("Сетевой фон {mains} Гц: всего на {value} дБ тише речи, нужно не меньше "
                  "{threshold} дБ", "Mains hum at {mains} Hz: only {value} dB below the speech, "
                  "at least {threshold} dB needed"),
    "check.hum.hint": ("Подключите микрофон напрямую к регистратору, уберите удлинители и "
                       "зарядные устройства рядом с кабелем, используйте USB-микрофон",
                       "Plug the microphone straight into the recorder, keep chargers and "
                       "extension cords away from its cable, prefer a USB microphone"),
    "check.dc_offset": ("Постоянное смещение сигнала {value} % шкалы (допустимо до "
                        "{threshold} %)", "DC offset of {value} % of full scale (up to "
                        "{threshold} % allowed)"),
    "check.dc_offset.hint": ("Микрофон или звуковая карта неисправны: замените их",
                             "The microphone or the audio interface is faulty: replace it"),
    "check.dropout": ("Пропадания звука: {count} раз(а), всего {value} с (допустимо меньше "
                      "{threshold} с)", "Dropouts: {count} time(s), {value} s in all (less "
                      "than {threshold} s allowed)"),
    "check.dropout.hint": ("Подключите микрофон в другой USB-порт, без удлинителей и "
                           "разветвителей", "Use another USB port, without extension cables "
                           "or hubs"),
    "check.muffled": ("Глухой звук: полоса речи до {value} Гц, нужно не меньше {threshold} Гц",
                      "Muffled sound: speech reaches only {value} Hz, at least {threshold} Hz "
                      "needed"),
    "check.muffled.hint": ("Уберите всё, что закрывает микрофон, и направьте его на "
                           "говорящих", "Uncover the microphone and point it at the speakers"),
    "check.quiet_channel": ("речь только {seconds} с из {total} (на другом канале {other} с)",
                            "speech only {seconds} s of {total} (the other channel: {other} s)"),
    "check.quiet_channel.hint": ("Проверьте микрофон этого канала: подключён ли, включён ли "
                                 "и направлен ли на говорящего", "Check this channel's "
                                 "microphone: plugged in, switched on, pointed at the speaker"),
    "check.seat_not_heard": ("Голос {seat_name} не слышен отчётливо",
                             "The voice from {seat_name} is not clearly heard"),
    "check.seat_not_heard.hint": ("Повторите проверку; микрофон должен стоять между местами "
                                  "участника и экзаменатора", "Repeat the test; the microphone "
                                  "must stand between the participant's and examiner's seats"),
    "check.seat.participant": ("с места участника", "the participant's seat"),
    "check.seat.examiner": ("с места экзаменатора", "the examiner's seat"),
    "check.channel": ("Канал {channel}: {text}", "Channel {channel}: {text}"),
    "check.status.pass": ("годно", "pass"),
    "check.status.warn": ("годно с замечаниями", "pass with warnings"),
    "check.status.fail": ("не годно", "fail"),
})


@dataclass(frozen=True)
class Reason:
    code: str
    severity: str
    value: float
    threshold: float
    unit: str
    message: str
    hint: str
    channel: int | None = None
    seat: str | None = None

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass
class Verdict:
    status: str
    reasons: list[Reason] = field(default_factory=list)
    analysis: Analysis | None = None
    steps: dict[str, Verdict] = field(default_factory=dict)
    file: str | None = None

    def to_dict(self) -> dict:
        data = {"status": self.status, "status_text": i18n.text(f"check.status.{self.status}"),
                "reasons": [r.to_dict() for r in self.reasons]}
        if self.file:
            data["file"] = self.file
        if self.analysis:
            data["analysis"] = self.analysis.to_dict()
        if self.steps:
            data["steps"] = {seat: step.to_dict() for seat, step in self.steps.items()}
        return data


def _status(reasons: list[Reason]) -> str:
    return max((r.severity for r in reasons), key=SEVERITY_ORDER.get, default=PASS)


def _grade(value: float, warn: float, fail: float, below: bool) -> str | None:
    """WARN/FAIL when `value` is beyond a threshold (under it when `below`), else None."""
    beyond = (lambda t: value < t) if below else (lambda t: value > t)
    return FAIL if beyond(fail) else WARN if beyond(warn) else None


class _Collector:
    """Builds the reasons of one channel."""

    def __init__(self, channel: int | None) -> None:
        self.channel = channel
        self.reasons: list[Reason] = []

    def add(self, code: str, severity: str | None, value: float, threshold: float, unit: str,
            **params: object) -> None:
        if severity is None:
            return
        shown = {"value": round(value, 2), "threshold": round(threshold, 2), **params}
        text = i18n.text(f"check.{code}", **shown)
        if self.channel is not None:
            text = channel_label(self.channel, text)
        self.reasons.append(Reason(code, severity, round(value, 4), threshold, unit, text,
                                   i18n.text(f"check.{code}.hint"), self.channel))

    def grade(self, code: str, value: float, warn: float, fail: float, unit: str,
              below: bool = True, **params: object) -> None:
        """A reason when `value` is beyond `warn` or `fail` (under them when `below`)."""
        severity = _grade(value, warn, fail, below)
        self.add(code, severity, value, fail if severity == FAIL else warn, unit, **params)


def channel_label(channel: int, text: str) -> str:
    """«Канал 2: …» for the channel with index 1."""
    return i18n.text("check.channel", channel=channel + 1, text=text)


def channel_reasons(a: ChannelAnalysis, c: ChecksConfig, channel: int | None) -> list[Reason]:
    """Every threshold a channel's analysis crosses."""
    out = _Collector(channel)
    if a.peak_dbfs < c.silence_dbfs:
        out.add("silence", FAIL, a.peak_dbfs, c.silence_dbfs, "dBFS")
        return out.reasons
    out.grade("clipping", a.clip_ratio * 100, c.clip_warn_ratio * 100, c.clip_fail_ratio * 100,
              "%", below=False)
    # a converter's offset is in the pauses too; the offset of an asymmetric voice's clipped
    # peaks is not (that fault is `clipping`), nor the chance mean of a rumble in the pauses
    offset = min(abs(a.dc_offset), abs(a.floor_dc_offset))
    out.grade("dc_offset", offset * 100, c.dc_warn * 100, c.dc_fail * 100, "%", below=False)
    drops = [d for _, d in a.dropouts if d >= c.dropout_ms / 1000]
    if drops:
        out.add("dropout", FAIL if sum(drops) >= c.dropout_fail_s else WARN, sum(drops),
                c.dropout_fail_s, "s", count=len(drops))
    if a.speech_s < c.min_speech_s:
        out.add("no_speech", FAIL, a.speech_s, c.min_speech_s, "s")
        return out.reasons
    _speech_reasons(a, c, out)
    return out.reasons


def _speech_reasons(a: ChannelAnalysis, c: ChecksConfig, out: _Collector) -> None:
    out.grade("low_level", a.speech_level_dbfs, c.speech_level_warn_dbfs,
              c.speech_level_fail_dbfs, "dBFS")
    out.grade("noise", a.snr_db, c.snr_warn_db, c.snr_fail_db, "dB")
    if a.hum_dbfs > FLOOR_DBFS:
        out.grade("hum", a.hum_below_speech_db, c.hum_warn_db, c.hum_fail_db, "dB",
                  mains=int(a.mains_hz))
    if a.snr_db >= c.snr_fail_db:
        out.grade("muffled", a.bandwidth_hz, c.bandwidth_warn_hz, c.bandwidth_fail_hz, "Hz")


def quiet_channel_reasons(channels: list[ChannelAnalysis], explained: set[int]) -> list[Reason]:
    """A warning for each channel with little speech while another has speech most of the
    time, unless its own reasons (`explained`: their channels) already say why."""
    busiest = max(channels, key=lambda a: a.speech_share, default=None)
    if busiest is None or busiest.speech_share <= BUSY_SHARE:
        return []
    reasons = []
    for i, a in enumerate(channels):
        if a.speech_share < QUIET_SHARE and i not in explained:
            out = _Collector(i)
            out.add("quiet_channel", WARN, a.speech_s, QUIET_SHARE * a.duration_s, "s",
                    seconds=int(round(a.speech_s)), total=int(round(a.duration_s)),
                    other=int(round(busiest.speech_s)))
            reasons += out.reasons
    return reasons


def verdict(analysis: Analysis, checks_config: ChecksConfig) -> Verdict:
    """Judge a recording: every channel against every threshold, then the channels against
    each other."""
    reasons = [r for i, a in enumerate(analysis.channels)
               for r in channel_reasons(a, checks_config, i)]
    explained = {r.channel for r in reasons if r.code in EXPLAINS_QUIET}
    reasons += quiet_channel_reasons(analysis.channels, explained)
    return Verdict(_status(reasons), reasons, analysis)


def verdict_two_step(analysis_participant: Analysis, analysis_examiner: Analysis,
                     checks_config: ChecksConfig) -> Verdict:
    """The live test: one recording per seat. The first failure that leaves a seat's voice
    unclear becomes `seat_not_heard`, naming the seat (one fault, one reason: it is not also
    listed under its own code); every other reason is the step's own, marked with its seat."""
    steps = {"participant": verdict(analysis_participant, checks_config),
             "examiner": verdict(analysis_examiner, checks_config)}
    reasons: list[Reason] = []
    for seat, step in steps.items():
        unclear = next((r for r in step.reasons
                        if r.code in NOT_HEARD_CODES and r.severity == FAIL), None)
        for r in step.reasons:
            if r is not unclear:
                reasons.append(Reason(**{**r.__dict__, "seat": seat}))
                continue
            seat_name = i18n.text(f"check.seat.{seat}")
            reasons.append(Reason(
                "seat_not_heard", FAIL, r.value, r.threshold, r.unit,
                i18n.text("check.seat_not_heard", seat_name=seat_name) + ": " + r.message,
                r.hint + ". " + i18n.text("check.seat_not_heard.hint"), r.channel, seat))
    return Verdict(_status(reasons), reasons, None, steps)


def read_samples(path: str | os.PathLike) -> tuple[np.ndarray, int]:
    """A WAV's samples as a read-only memory map of shape (frames, channels), and its rate.
    The map is seen as a plain array: numpy's memmap class costs a Python call on every
    slice and every reduction, thousands in a long file."""
    info = read_info(path)
    fmt = info.format
    available = max(0, min(info.data_bytes, info.file_bytes - info.data_offset))
    frames = available // fmt.frame_bytes
    if frames == 0:
        return np.zeros((0, fmt.channels), np.int16), fmt.rate_hz
    samples = np.asarray(np.memmap(path, np.dtype("<i2"), "r", offset=info.data_offset,
                                   shape=(frames, fmt.channels)))
    return samples, fmt.rate_hz


def check_file(path: str | os.PathLike, checks_config: ChecksConfig) -> Verdict:
    """Analyse and judge a WAV file (PCM 16-bit), streaming it from disk."""
    samples, rate_hz = read_samples(path)
    result = verdict(analyze(samples, rate_hz), checks_config)
    result.file = str(Path(path))
    return result
