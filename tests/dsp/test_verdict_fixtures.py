"""Known-truth fixtures (espeak-ng speech, sox noise/hum/effects) -> the right verdict codes,
and SNR / hum figures within stated tolerances of the constructed truth.

Truth: the speech level is the P.56 active level of the clean voice alone (no noise added);
noise and hum levels are the RMS of the added component itself.
"""

from __future__ import annotations

import numpy as np
import pytest

from appliance.config import ChecksConfig
from appliance.dsp.analysis import analyze
from appliance.dsp.verdict import check_file, verdict
from tests.dsp.audio import RATE_HZ, quantize, rms_dbfs, sox_effect, synth, with_level, write_wav

SNR_TOLERANCE_DB = 1.0
HUM_TOLERANCE_DB = 1.0
CHECKS = ChecksConfig()


def codes(result, severity=None):
    return {r.code for r in result.reasons if severity in (None, r.severity)}


@pytest.fixture(scope="module")
def voice_level_dbfs(speech):
    return analyze(quantize(speech.speech), RATE_HZ).channels[0].speech_level_dbfs


def test_clean_speech_at_a_normal_level_passes(speech, tmp_path):
    result = check_file(write_wav(tmp_path / "clean.wav", quantize(speech.clean)), CHECKS)
    assert result.status == "pass", [r.message for r in result.reasons]
    channel = result.analysis.channels[0]
    assert -30 < channel.speech_level_dbfs < -20
    assert channel.noise_floor_dbfs == pytest.approx(-70, abs=1)
    assert 0.4 < channel.speech_share < 0.9


@pytest.mark.parametrize("snr_db", [30, 20, 10, 0])
def test_white_noise_snr_is_measured_and_judged(speech, voice_level_dbfs, snr_db):
    noise = with_level(synth(speech.speech.size, "whitenoise"), voice_level_dbfs - snr_db)
    true_snr = voice_level_dbfs - rms_dbfs(noise)
    result = verdict(analyze(quantize(speech.speech + noise), RATE_HZ), CHECKS)
    measured = result.analysis.channels[0].snr_db
    assert measured == pytest.approx(true_snr, abs=SNR_TOLERANCE_DB)
    expected = ("fail" if true_snr < CHECKS.snr_fail_db else
                "warn" if true_snr < CHECKS.snr_warn_db else None)
    noise_reasons = [r for r in result.reasons if r.code == "noise"]
    assert [r.severity for r in noise_reasons] == ([expected] if expected else [])
    if expected:
        assert noise_reasons[0].threshold in (CHECKS.snr_fail_db, CHECKS.snr_warn_db)
        assert "шум" in noise_reasons[0].message.lower()


@pytest.mark.parametrize(("mains_hz", "hum_dbfs"), [(50, -75), (50, -60), (50, -48),
                                                    (50, -35), (50, -25), (60, -45)])
def test_mains_hum_with_harmonics_is_measured_and_judged(speech, voice_level_dbfs, mains_hz,
                                                         hum_dbfs):
    n = speech.speech.size
    hum = (with_level(synth(n, "sine", str(mains_hz)), hum_dbfs)
           + with_level(synth(n, "sine", str(3 * mains_hz)), hum_dbfs - 6)
           + with_level(synth(n, "sine", str(5 * mains_hz)), hum_dbfs - 12))
    result = verdict(analyze(quantize(speech.clean + hum), RATE_HZ), CHECKS)
    channel = result.analysis.channels[0]
    assert channel.mains_hz == mains_hz
    assert channel.hum_dbfs == pytest.approx(rms_dbfs(hum), abs=HUM_TOLERANCE_DB)
    below = voice_level_dbfs - rms_dbfs(hum)
    expected = ("fail" if below < CHECKS.hum_fail_db else
                "warn" if below < CHECKS.hum_warn_db else None)
    assert [r.severity for r in result.reasons if r.code == "hum"] == (
        [expected] if expected else [])


def test_clipped_speech_fails_with_clipping(speech, tmp_path):
    clean = write_wav(tmp_path / "clean.wav", quantize(speech.clean))
    result = check_file(sox_effect(clean, tmp_path / "clipped.wav", "gain", "20"), CHECKS)
    assert result.status == "fail"
    assert result.analysis.channels[0].clip_ratio > CHECKS.clip_fail_ratio
    assert codes(result) == {"clipping"}


def test_silent_file_fails_with_silence(tmp_path):
    silent = write_wav(tmp_path / "silent.wav", quantize(synth(10 * RATE_HZ, "sine", "440") * 0))
    result = check_file(silent, CHECKS)
    assert result.status == "fail"
    assert codes(result) == {"silence"}


@pytest.mark.parametrize(("gain_db", "severity"), [(-13, "warn"), (-25, "fail")])
def test_very_quiet_speech_is_low_level(speech, tmp_path, gain_db, severity):
    clean = write_wav(tmp_path / "clean.wav", quantize(speech.clean))
    result = check_file(sox_effect(clean, tmp_path / "quiet.wav", "gain", str(gain_db)), CHECKS)
    assert [r.severity for r in result.reasons if r.code == "low_level"] == [severity]
    assert result.status == severity


def test_dc_offset_is_measured_and_reported(speech, tmp_path):
    clean = write_wav(tmp_path / "clean.wav", quantize(speech.clean))
    result = check_file(sox_effect(clean, tmp_path / "dc.wav", "dcshift", "0.05"), CHECKS)
    assert result.analysis.channels[0].dc_offset == pytest.approx(0.05, abs=0.001)
    assert codes(result) == {"dc_offset"}
    assert result.status == "warn"


def test_low_passed_speech_is_muffled(speech, tmp_path):
    clean = write_wav(tmp_path / "clean.wav", quantize(speech.clean))
    result = check_file(sox_effect(clean, tmp_path / "muffled.wav", "lowpass", "1000"), CHECKS)
    assert "muffled" in codes(result)
    assert result.analysis.channels[0].bandwidth_hz < CHECKS.bandwidth_warn_hz
    sharp = check_file(sox_effect(clean, tmp_path / "sharp.wav", "sinc", "-1000"), CHECKS)
    assert "muffled" in codes(sharp, "fail")


def test_dropouts_are_found_where_they_are(speech):
    samples = quantize(speech.clean)
    samples[RATE_HZ * 3: RATE_HZ * 3 + RATE_HZ // 10] = 0
    samples[RATE_HZ * 8: RATE_HZ * 8 + RATE_HZ // 50] = 0
    result = verdict(analyze(samples, RATE_HZ), CHECKS)
    drops = [d for d in result.analysis.channels[0].dropouts if d[1] >= 0.015]
    assert drops == [pytest.approx((3.0, 0.1), abs=1e-3), pytest.approx((8.0, 0.02), abs=1e-3)]
    assert [r.severity for r in result.reasons if r.code == "dropout"] == ["warn"]


def test_two_channels_are_judged_separately(speech):
    stereo = np.stack([quantize(speech.clean), np.zeros(speech.clean.size, np.int16)], axis=1)
    result = verdict(analyze(stereo, RATE_HZ), CHECKS)
    assert [(r.code, r.channel) for r in result.reasons] == [("silence", 1)]
    assert result.reasons[0].message.startswith("Канал 2")


def test_voice_harmonics_without_pauses_are_not_taken_for_hum():
    """4.4 s of the simulated voice (pitch 120-180 Hz) never pauses long enough for the hum
    to be measured apart from speech; its harmonics on 240 Hz are no mains hum, a real one
    (with its 50 Hz fundamental) still is."""
    from appliance.capture.simulated import speech_like
    voice = speech_like(RATE_HZ, 0, int(4.4 * RATE_HZ))[:, 0].astype(np.float64)
    clean = verdict(analyze(quantize(voice), RATE_HZ), CHECKS)
    assert clean.analysis.channels[0].hum_dbfs == -120.0
    assert "hum" not in codes(clean)
    hum = (with_level(synth(voice.size, "sine", "50"), -40)
           + with_level(synth(voice.size, "sine", "150"), -46))
    humming = verdict(analyze(quantize(voice + hum), RATE_HZ), CHECKS)
    assert humming.analysis.channels[0].mains_hz == 50
    # without pauses only the fundamental is measured
    assert humming.analysis.channels[0].hum_dbfs == pytest.approx(-40, abs=HUM_TOLERANCE_DB)
