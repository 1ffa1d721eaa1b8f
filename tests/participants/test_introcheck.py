"""The intro check on known material: speech onset time, flags and their thresholds, and the
same result from a WAV file as from the live blocks; the timeline's corrections."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from appliance.capture.wavfile import WavFormat, build_header
from appliance.contract.dayview import DayView
from appliance.participants.flags import CheckLimits
from appliance.participants.introcheck import NoiseFloor, SegmentCheck
from appliance.participants.sheet import check_from_file

RATE_HZ = 16000
LIMITS = CheckLimits(intro_speech_s=10.0, short_s=20.0, long_s=60.0, long_silence_s=8.0)


@pytest.fixture(scope="module")
def voice(tmp_path_factory) -> np.ndarray:
    """A real synthetic voice (espeak-ng), resampled by sox: 'name and variant'."""
    path = tmp_path_factory.mktemp("voice") / "voice.raw"
    wav = path.with_suffix(".wav")
    subprocess.run(["espeak-ng", "-v", "ru", "-w", str(wav),
                    "Иванов Иван Иванович, вариант три"], check=True)
    subprocess.run(["sox", str(wav), "-r", str(RATE_HZ), "-c", "1", "-b", "16", "-e", "signed",
                    str(path)], check=True)
    return np.fromfile(path, np.int16)


def room(seconds: float, seed: int = 3) -> np.ndarray:
    return np.random.default_rng(seed).normal(0, 20, int(seconds * RATE_HZ)).astype(np.int16)


def segment(voice: np.ndarray, silence_s: float, talk_s: float) -> np.ndarray:
    """Room noise, the voice starting after `silence_s` and repeated for `talk_s`."""
    audio = room(silence_s + talk_s)
    start = int(silence_s * RATE_HZ)
    reps = int(np.ceil(talk_s * RATE_HZ / voice.size))
    speech = np.tile(voice, reps)[: audio.size - start]
    audio[start:] = np.clip(audio[start:].astype(np.int32) + speech, -32768, 32767)
    return audio


def run(audio: np.ndarray, floor: NoiseFloor | None = None, block: int = 1600) -> SegmentCheck:
    check = SegmentCheck(LIMITS, RATE_HZ, floor or NoiseFloor())
    for i in range(0, audio.size, block):
        check.feed(audio[i:i + block, None])
    return check


def codes(check: SegmentCheck, final: bool = True) -> list[str]:
    return [f["code"] for f in check.flags(final)]


def test_onset_is_found_where_the_voice_starts(voice):
    check = run(segment(voice, 4.0, 26.0))
    lead_s = np.argmax(np.abs(voice) > 300) / RATE_HZ  # espeak's own leading silence
    assert check.onset_s == pytest.approx(4.0 + lead_s, abs=0.2)
    assert codes(check) == []


def test_the_introduction_ends_at_the_first_pause_after_it(voice):
    """Name and variant, then the silent reading of task 1: the intro ends where the voice
    stops (espeak's own trailing silence included, as any pause is)."""
    audio = np.concatenate([segment(voice, 3.0, voice.size / RATE_HZ), room(20.0, seed=9),
                            segment(voice, 0.0, 6.0)])
    spoken = np.flatnonzero(np.abs(voice) > 300)
    voice_end_s = 3.0 + spoken[-1] / RATE_HZ
    for block in (1600, 48000):  # live blocks and the file check's blocks
        check = run(audio, block=block)
        assert check.intro_end_s == pytest.approx(voice_end_s, abs=0.25), block
        assert check.onset_s < check.intro_end_s
        assert check.to_dict(final=True)["intro_end_s"] == check.intro_end_s
    talking_on = run(segment(voice, 2.0, 40.0))  # no pause: the end of the intro is unknown
    assert talking_on.intro_end_s is None


def test_silence_at_the_start_is_flagged_once_the_window_is_over(voice):
    check = run(segment(voice, 12.0, 18.0)[: int(9.5 * RATE_HZ)])
    assert codes(check, final=False) == [], "not yet: the window is still open"
    check = run(segment(voice, 12.0, 18.0))
    assert codes(check) == ["no_speech_at_start"]
    assert "Нет речи в первые 10 с" in check.flags(True)[0]["message"]


def test_short_long_and_a_long_silence_inside(voice):
    assert codes(run(segment(voice, 1.0, 10.0))) == ["too_short"]
    long_one = run(segment(voice, 1.0, 61.0))
    assert codes(long_one, final=False) == ["too_long"], "raised while still recording"
    gap = np.concatenate([segment(voice, 1.0, 10.0), room(9.0, seed=5), segment(voice, 0, 5)])
    check = run(gap)
    assert codes(check) == ["long_silence"]
    assert check.longest_silence_s == pytest.approx(9.0, abs=1.5)


def test_the_file_check_equals_the_live_check(voice, tmp_path):
    audio = segment(voice, 12.0, 18.0)
    path = tmp_path / "part.wav"
    fmt = WavFormat(RATE_HZ, 1)
    path.write_bytes(build_header(fmt, None, audio.nbytes) + audio.tobytes())
    from_file = check_from_file(path, 0, audio.size, LIMITS)
    live = run(audio).to_dict(final=True)
    assert from_file["flags"] == live["flags"] and from_file["speech_onset_s"] == live[
        "speech_onset_s"] and from_file["intro_end_s"] == live["intro_end_s"]


@dataclass
class E:
    event: str
    data: dict
    time: str = "2027-02-10T09:00:00.000+03:00"


def test_day_view_applies_corrections_and_keeps_the_original():
    def marker(frame, kind, participant):
        return E("marker", {"part": 1, "frame": frame, "kind": kind, "label": "",
                            "participant": participant})
    entries = [E("part_opened", {"part": 1, "file": "p1.wav", "rate_hz": 100, "channels": 1}),
               marker(100, "participant", 1), marker(500, "participant", 3),
               marker(600, "participant", 4), marker(900, "stop", None),
               E("part_closed", {"part": 1, "frames": 900, "bytes": 1844, "sha256": "0" * 64}),
               E("marker_corrected", {"part": 1, "frame": 600, "void": True}),
               E("marker_corrected", {"part": 1, "frame": 500, "new_frame": 450,
                                      "participant": 2})]
    day = DayView(Path("day"), entries)
    assert [(s.participant, s.frame, s.end_frame) for s in day.segments()] == [
        (1, 100, 450), (2, 450, 900)]
    assert day.find(1, 500).original == {"participant": 3, "frame": 500}
    assert day.assigned() == {1, 2}
    assert [m.frame for m in day.part(1).live_markers()] == [100, 450, 900]
