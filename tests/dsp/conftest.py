from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from tests.dsp.audio import ROOM_NOISE_DBFS, espeak_speech, synth, with_level


@dataclass(frozen=True)
class SpeechFixture:
    speech: np.ndarray
    """Clean espeak-ng speech with pauses (float, int16 units)."""
    room: np.ndarray
    """Room noise at ROOM_NOISE_DBFS (sox whitenoise)."""

    @property
    def clean(self) -> np.ndarray:
        return self.speech + self.room


@pytest.fixture(scope="session")
def speech(tmp_path_factory) -> SpeechFixture:
    workdir = tmp_path_factory.mktemp("speech")
    voice = espeak_speech(workdir)
    room = with_level(synth(voice.size, "whitenoise"), ROOM_NOISE_DBFS)
    return SpeechFixture(voice, room)
