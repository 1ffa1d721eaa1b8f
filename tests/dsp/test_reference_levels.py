"""Level and loudness figures agree with reference tools run on the same files:
`sox FILE -n stats` (peak, RMS, DC offset) and ffmpeg's `ebur128` (integrated loudness).

Tolerances: peak and RMS 0.05 dB, DC offset 1e-5 of full scale (the same arithmetic, so only
rounding differs); integrated loudness 0.5 LU (ours applies the K-weighting to 21 ms FFT frames,
ffmpeg filters sample by sample).
"""

from __future__ import annotations

import re
import subprocess

import pytest

from appliance.config import ChecksConfig
from appliance.dsp.verdict import check_file
from tests.dsp.audio import quantize, synth, with_level, write_wav

LEVEL_TOLERANCE_DB = 0.05
DC_TOLERANCE = 1e-5
LOUDNESS_TOLERANCE_LU = 0.5


def sox_stats(path) -> dict[str, float]:
    out = subprocess.run(["sox", str(path), "-n", "stats"], capture_output=True, text=True,
                         check=True).stderr
    figures = {}
    for line in out.splitlines():
        name, _, value = line.rpartition(" ")
        figures[name.strip()] = float(value) if re.fullmatch(r"-?[\d.]+", value) else value
    return figures


def ffmpeg_integrated_lufs(path) -> float:
    out = subprocess.run(["ffmpeg", "-hide_banner", "-nostats", "-i", str(path), "-af",
                          "ebur128", "-f", "null", "-"], capture_output=True, text=True,
                         check=True).stderr
    return float(re.findall(r"I:\s+(-?[\d.]+) LUFS", out)[-1])


@pytest.fixture(params=["clean", "noisy", "hum", "quiet"])
def reference_file(request, speech, tmp_path):
    n = speech.speech.size
    extra = {"clean": 0, "noisy": with_level(synth(n, "whitenoise"), -40),
             "hum": with_level(synth(n, "sine", "50"), -35), "quiet": -0.9 * speech.speech}
    return write_wav(tmp_path / f"{request.param}.wav",
                     quantize(speech.clean + extra[request.param]))


def test_levels_agree_with_sox_stats(reference_file):
    ours = check_file(reference_file, ChecksConfig()).analysis.channels[0]
    sox = sox_stats(reference_file)
    assert ours.peak_dbfs == pytest.approx(sox["Pk lev dB"], abs=LEVEL_TOLERANCE_DB)
    assert ours.rms_dbfs == pytest.approx(sox["RMS lev dB"], abs=LEVEL_TOLERANCE_DB)
    assert ours.dc_offset == pytest.approx(sox["DC offset"], abs=DC_TOLERANCE)


def test_loudness_agrees_with_ffmpeg_ebur128(reference_file):
    ours = check_file(reference_file, ChecksConfig()).analysis.channels[0]
    assert ours.loudness_lufs == pytest.approx(ffmpeg_integrated_lufs(reference_file),
                                               abs=LOUDNESS_TOLERANCE_LU)
