"""The sound check on real recorded speech (tests/dsp/corpus.py): two real voices taking turns
for 60 s over a -62 dBFS room tone, with one fault mixed in at a known level per case.

Each case states its verdict and the exact set of its reasons (code, severity, channel): a
fault gives one reason, under one name, naming its channel. The noise floor is held to
±1 dB of the true level of the noise mixed in, for white, pink, brown and fan-like noise
from 0 to 40 dB SNR (the table is in docs/THRESHOLDS.md).
"""

from __future__ import annotations

import numpy as np
import pytest

from appliance.config import ChecksConfig
from appliance.dsp.analysis import analyze
from appliance.dsp.verdict import verdict, verdict_two_step
from tests.dsp import corpus
from tests.dsp.audio import RATE_HZ, quantize, rms_dbfs, with_level

CHECKS = ChecksConfig()
NOISE_FLOOR_TOLERANCE_DB = 1.0
COLOURS = ("white", "pink", "brown", "fan")
SNRS_DB = (0, 10, 20, 30, 40)


@pytest.fixture(scope="module")
def talk() -> corpus.Dialogue:
    return corpus.dialogue(60.0)


@pytest.fixture(scope="module")
def voice_dbfs(talk) -> float:
    """The active speech level of the voices alone: the truth SNRs are counted from."""
    return analyze(quantize(talk.speech), RATE_HZ).channels[0].speech_level_dbfs


def judged(samples: np.ndarray):
    return verdict(analyze(samples, RATE_HZ), CHECKS)


def reasons_of(result) -> set[tuple[str, str, int]]:
    return {(r.code, r.severity, r.channel) for r in result.reasons}


def clean(talk, gain_db: float = 0.0) -> np.ndarray:
    return (talk.speech + corpus.room_tone(talk.speech.size)) * 10 ** (gain_db / 20)


def test_the_corpus_is_real_speech_taking_turns(talk, voice_dbfs):
    assert talk.participant.any() and talk.examiner.any()
    assert not np.any((talk.participant != 0) & (talk.examiner != 0)), "one voice at a time"
    channel = judged(quantize(clean(talk))).analysis.channels[0]
    assert 0.6 < channel.speech_share < 0.9
    assert -24 < voice_dbfs < -14
    assert channel.bandwidth_hz >= CHECKS.bandwidth_warn_hz


CASES = {
    "clean": (lambda t: quantize(clean(t)), "pass", set()),
    "hum 50 Hz, 27 dB below speech": (
        lambda t: corpus.with_hum(t.speech, 50, -45).samples, "warn", {("hum", "warn", 0)}),
    "hum 60 Hz, 12 dB below speech": (
        lambda t: corpus.with_hum(t.speech, 60, -30).samples, "fail", {("hum", "fail", 0)}),
    "fan noise, SNR 20 dB": (
        lambda t: corpus.with_noise(t.speech, "fan", -38.1).samples, "warn",
        {("noise", "warn", 0)}),
    "pink noise, SNR 10 dB": (
        lambda t: corpus.with_noise(t.speech, "pink", -28.1).samples, "fail",
        {("noise", "fail", 0)}),
    "clipped by 20 dB too much gain": (
        lambda t: quantize(clean(t, 20)), "fail", {("clipping", "fail", 0)}),
    "clipped, on a converter with a 3 % offset": (
        lambda t: quantize(clean(t, 20) + 0.03 * 32768), "fail",
        {("clipping", "fail", 0), ("dc_offset", "warn", 0)}),
    "a 3 % offset": (lambda t: quantize(clean(t) + 0.03 * 32768), "warn",
                     {("dc_offset", "warn", 0)}),
    "three 100 ms dropouts": (lambda t: dropped(quantize(clean(t)), 3), "warn",
                              {("dropout", "warn", 0)}),
    "eight 100 ms dropouts": (lambda t: dropped(quantize(clean(t)), 8), "fail",
                              {("dropout", "fail", 0)}),
    "20 dB too quiet": (lambda t: quantize(clean(t, -20)), "warn", {("low_level", "warn", 0)}),
    "30 dB too quiet": (lambda t: quantize(clean(t, -30)), "fail", {("low_level", "fail", 0)}),
}


def dropped(samples: np.ndarray, count: int) -> np.ndarray:
    """`count` runs of 100 ms of digital zeros, 5 s apart."""
    out = samples.copy()
    for k in range(count):
        out[(5 * k + 3) * RATE_HZ:(5 * k + 3) * RATE_HZ + RATE_HZ // 10] = 0
    return out


@pytest.mark.parametrize("case", CASES)
def test_each_case_gets_its_verdict_and_exactly_its_reasons(talk, case):
    make, status, reasons = CASES[case]
    result = judged(make(talk))
    assert (result.status, reasons_of(result)) == (status, reasons), [
        r.message for r in result.reasons]
    for reason in result.reasons:
        assert reason.message.startswith("Канал 1: "), reason.message


def stereo_with_a_dead_second_channel(talk, dead: str) -> np.ndarray:
    """The dialogue on two microphones; the second goes dead after 10 s: to its own
    -85 dBFS self-noise (an analogue mic unplugged) or to digital zeros."""
    first = clean(talk)
    second = talk.speech * 10 ** (-3 / 20) + corpus.room_tone(talk.speech.size, seed=12)
    after = 10 * RATE_HZ
    second[after:] = (corpus.shaped_noise(second.size - after, "white", 3) * 32768
                      * 10 ** (-85 / 20) if dead == "noise" else 0.0)
    return quantize(np.stack([first, second], axis=1))


def test_the_offset_of_a_clipped_asymmetric_voice_is_no_hardware_fault(talk):
    voice = corpus.asymmetric(talk.speech)
    unclipped = judged(quantize(voice + corpus.room_tone(voice.size)))
    assert unclipped.status == "pass" and abs(unclipped.analysis.channels[0].dc_offset) < 1e-3
    result = judged(quantize((voice + corpus.room_tone(voice.size)) * 10))
    assert abs(result.analysis.channels[0].dc_offset) > 2 * CHECKS.dc_warn
    assert (result.status, reasons_of(result)) == ("fail", {("clipping", "fail", 0)})


def test_a_channel_that_went_dead_after_10_of_60_s_is_noticed(talk):
    result = judged(stereo_with_a_dead_second_channel(talk, "noise"))
    assert (result.status, reasons_of(result)) == ("warn", {("quiet_channel", "warn", 1)})
    (reason,) = result.reasons
    heard = result.analysis.channels[1].speech_s
    assert 6 <= heard <= 10.5  # speech in the first 10 s, word edges widened by 0.15 s
    assert reason.message.startswith(f"Канал 2: речь только {round(heard)} с из 60")


def test_a_channel_gone_to_digital_zeros_is_one_dropout_not_also_a_quiet_channel(talk):
    result = judged(stereo_with_a_dead_second_channel(talk, "zeros"))
    assert (result.status, reasons_of(result)) == ("fail", {("dropout", "fail", 1)})


def test_two_good_channels_pass(talk):
    stereo = stereo_with_a_dead_second_channel(talk, "noise")
    stereo[:, 1] = quantize(talk.speech * 10 ** (-3 / 20)
                            + corpus.room_tone(talk.speech.size, seed=12))
    assert judged(stereo).status == "pass"


def test_a_seat_not_heard_is_one_reason_in_the_two_step_verdict(talk):
    heard = analyze(quantize(clean(talk)), RATE_HZ)
    faint = analyze(quantize(clean(talk, -30)), RATE_HZ)
    result = verdict_two_step(heard, faint, CHECKS)
    assert [(r.code, r.seat, r.channel) for r in result.reasons] == [
        ("seat_not_heard", "examiner", 0)]
    assert result.reasons[0].message.startswith(
        "Голос с места экзаменатора не слышен отчётливо: Канал 1: Речь слишком тихая")


@pytest.mark.parametrize("colour", COLOURS)
@pytest.mark.parametrize("snr_db", SNRS_DB)
def test_noise_floor_is_within_1_db_of_the_noise_mixed_in(talk, voice_dbfs, colour, snr_db):
    mix = corpus.with_noise(talk.speech, colour, voice_dbfs - snr_db)
    channel = analyze(mix.samples, RATE_HZ).channels[0]
    assert channel.noise_floor_dbfs == pytest.approx(mix.noise_dbfs,
                                                     abs=NOISE_FLOOR_TOLERANCE_DB)
    true_snr = voice_dbfs - mix.noise_dbfs
    assert channel.snr_db == pytest.approx(true_snr, abs=NOISE_FLOOR_TOLERANCE_DB)


@pytest.mark.parametrize(("mains_hz", "hum_dbfs"), [(50, -55), (50, -40), (60, -30)])
def test_hum_is_not_counted_as_noise(talk, mains_hz, hum_dbfs):
    mix = corpus.with_hum(talk.speech, mains_hz, hum_dbfs)
    result = judged(mix.samples)
    channel = result.analysis.channels[0]
    assert channel.hum_dbfs == pytest.approx(rms_dbfs(mix.hum), abs=1.0)
    assert channel.noise_floor_dbfs == pytest.approx(mix.noise_dbfs, abs=NOISE_FLOOR_TOLERANCE_DB)
    assert "noise" not in {r.code for r in result.reasons}


@pytest.mark.parametrize("colour", COLOURS)
def test_noise_alone_is_no_speech(colour):
    """Steady noise is never taken for speech; a fan's wobble at most for a moment, far
    below what would pass for a voice."""
    noise = with_level(corpus.shaped_noise(30 * RATE_HZ, colour, 9), -40)
    result = judged(quantize(noise))
    assert result.analysis.channels[0].speech_s <= (0.4 if colour == "fan" else 0.0)
    assert reasons_of(result) == {("no_speech", "fail", 0)}


def test_a_long_recording_reads_the_same_from_sparse_frames(talk, monkeypatch):
    """From LONG_S on only one frame in LONG_STRIDE is transformed (the speed the benchmark
    states): ten minutes of the dialogue over pink noise and hum read as with every frame;
    the loudness too, its gating blocks seeing every frame's own level."""
    from appliance.dsp import frames
    minute = corpus.with_noise(talk.speech, "pink", -45.0)
    hum = corpus.mains_hum(talk.speech.size, 50, -50)
    long = np.tile(quantize(minute.speech + minute.noise + hum), 10)
    assert long.size >= frames.LONG_S * RATE_HZ
    quarter = analyze(long, RATE_HZ).channels[0]
    monkeypatch.setattr(frames, "LONG_S", 1e9)
    every = analyze(long, RATE_HZ).channels[0]
    for name, tolerance in (("noise_floor_dbfs", 0.3), ("speech_level_dbfs", 0.3),
                            ("snr_db", 0.5), ("hum_dbfs", 0.3), ("loudness_lufs", 0.15),
                            ("speech_share", 0.03), ("peak_dbfs", 0.0), ("rms_dbfs", 0.0)):
        assert getattr(quarter, name) == pytest.approx(getattr(every, name), abs=tolerance), name
    assert quarter.bandwidth_hz == every.bandwidth_hz
