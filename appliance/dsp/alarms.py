"""Live alarms while recording: silence, clipping, low level, overflow, dropout.

`AlarmMonitor.feed` runs on the recorder's pipeline thread once per captured block, after
`block_levels`, and returns only the alarms that became active or cleared on that block, so
the recorder journals each change once. Time is counted in seconds of audio fed (not wall
clock), which makes alarms exact and repeatable on a file feed. Cost per 100 ms block is a few
tens of microseconds (see benchmarks/bench_check.py).
"""

from __future__ import annotations

import collections
from dataclasses import dataclass

import numpy as np

from appliance import i18n
from appliance.config import ChecksConfig
from appliance.dsp.levels import BlockLevels
from appliance.dsp.zeroruns import ZeroRunTracker

CODES = ("silence", "clipping", "low_level", "overflow", "dropout")

i18n.register({
    "alarm.silence": ("Нет сигнала: уровень ниже {threshold} дБFS дольше {seconds} с",
                      "No signal: level below {threshold} dBFS for over {seconds} s"),
    "alarm.silence.hint": ("Проверьте, что микрофон подключён и включён, и его усиление",
                           "Check that the microphone is connected and on, and its gain"),
    "alarm.clipping": ("Перегрузка: звук обрезается", "Clipping: the sound is cut off"),
    "alarm.clipping.hint": ("Уменьшите усиление или отодвиньте микрофон от говорящего",
                            "Lower the gain or move the microphone away from the speaker"),
    "alarm.low_level": ("Слишком тихо: за {seconds} с уровень не поднимался выше "
                        "{threshold} дБFS", "Too quiet: the level stayed below {threshold} "
                        "dBFS for {seconds} s"),
    "alarm.low_level.hint": ("Поднимите усиление или поставьте микрофон ближе к говорящим",
                             "Raise the gain or move the microphone closer to the speakers"),
    "alarm.overflow": ("Потеря звука: устройство не успело передать отсчёты",
                       "Samples lost: the device could not deliver them in time"),
    "alarm.overflow.hint": ("Подключите микрофон напрямую в USB-порт регистратора; если "
                            "повторяется, сообщите техническому специалисту",
                            "Plug the microphone straight into the recorder; if it repeats, "
                            "call the technician"),
    "alarm.dropout": ("Пропадание звука: цифровая тишина дольше {ms} мс",
                      "Dropout: digital silence longer than {ms} ms"),
    "alarm.dropout.hint": ("Проверьте USB-кабель и разъём микрофона",
                           "Check the microphone's USB cable and connector"),
})


@dataclass(frozen=True)
class Alarm:
    code: str
    message: str
    hint: str
    value: float
    """What was measured: quiet time (s), clipped samples, loudest level (dBFS), overflow
    count, or longest zero run (s), depending on the code."""
    since: float
    """Seconds of audio fed when the alarm became active."""

    def to_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "hint": self.hint,
                "value": round(self.value, 3), "since": round(self.since, 3)}


@dataclass(frozen=True)
class AlarmChange:
    alarm: Alarm
    active: bool


class _RunningMax:
    """Maximum of the values of the last `window` frames (monotonic deque)."""

    def __init__(self, window: int) -> None:
        self.window = window
        self._items: collections.deque[tuple[int, float]] = collections.deque()

    def push(self, frame: int, value: float) -> float:
        while self._items and self._items[-1][1] <= value:
            self._items.pop()
        self._items.append((frame, value))
        while self._items[0][0] <= frame - self.window:
            self._items.popleft()
        return self._items[0][1]


class AlarmMonitor:
    """Watches the blocks of one recording. Not thread-safe: one pipeline thread feeds it."""

    def __init__(self, checks_config: ChecksConfig, rate_hz: int, channels: int) -> None:
        self.config = c = checks_config
        self.rate_hz = rate_hz
        self.fed_frames = 0
        self.overflows = 0
        self._active: dict[str, Alarm] = {}
        self._quiet_frames = [0] * channels
        self._limit = {name: self._frames(getattr(c, name)) for name in (
            "silence_s", "clipping_clear_s", "low_level_window_s", "overflow_clear_s",
            "dropout_clear_s")}
        """The durations of the config in whole frames, worked out once."""
        self._loudest = _RunningMax(self._limit["low_level_window_s"])
        self._zeros = [ZeroRunTracker(int(c.dropout_ms / 1000 * rate_hz))
                       for _ in range(channels)]
        never = -(10 ** 18)
        self._last = {"clipping": never, "overflow": never, "dropout": never}
        """Frame count at the last clipped run, overflow and zero run."""
        self._clipped = 0
        self._longest_zero_s = 0.0
        self._texts = {
            "silence": {"threshold": c.silence_dbfs, "seconds": c.silence_s},
            "low_level": {"threshold": c.low_level_dbfs, "seconds": c.low_level_window_s},
            "dropout": {"ms": c.dropout_ms}, "clipping": {}, "overflow": {}}

    @property
    def fed_s(self) -> float:
        return self.fed_frames / self.rate_hz

    def _frames(self, seconds: float) -> int:
        """Durations are compared in whole frames: sums of 0.1 s drift, frame counts don't."""
        return int(round(seconds * self.rate_hz))

    def active(self) -> list[Alarm]:
        return list(self._active.values())

    def feed(self, block: np.ndarray, levels: BlockLevels, overflowed: bool,
             speech_expected: bool = True) -> list[AlarmChange]:
        """One int16 block of shape (frames, channels) with its levels; returns the changes.
        `speech_expected` is False while no day is being recorded: a quiet room is then no
        reason for `low_level` (the other alarms still watch the microphone)."""
        self.fed_frames += block.shape[0]
        now, c = self.fed_frames, self.config
        self._quiet_frames = [run + block.shape[0] if peak < c.silence_dbfs else 0
                              for run, peak in zip(self._quiet_frames, levels.peak_dbfs,
                                                   strict=True)]
        loudest = self._loudest.push(now, max(levels.rms_dbfs))
        self._note_events(block, levels, overflowed, now)
        quiet_frames = max(self._quiet_frames)
        limit = self._limit
        silent = quiet_frames >= limit["silence_s"]
        states = {
            "silence": (silent, quiet_frames / self.rate_hz),
            "clipping": (now - self._last["clipping"] < limit["clipping_clear_s"],
                         self._clipped),
            "low_level": (speech_expected and not silent
                          and now >= limit["low_level_window_s"]
                          and loudest < c.low_level_dbfs, loudest),
            "overflow": (now - self._last["overflow"] < limit["overflow_clear_s"],
                         self.overflows),
            "dropout": (now - self._last["dropout"] < limit["dropout_clear_s"],
                        self._longest_zero_s),
        }
        return [change for code, (on, value) in states.items()
                if (change := self._update(code, on, value, now))]

    def _note_events(self, block: np.ndarray, levels: BlockLevels, overflowed: bool,
                     now: int) -> None:
        if any(levels.clipped_samples):
            self._last["clipping"] = now
            self._clipped += sum(levels.clipped_samples)
        if overflowed:
            self._last["overflow"] = now
            self.overflows += 1
        for channel, tracker in enumerate(self._zeros):
            runs = tracker.feed(block[:, channel])
            longest = max([r.length for r in runs] + [tracker.current])
            if runs or tracker.current >= tracker.min_length:
                self._last["dropout"] = now
                self._longest_zero_s = max(self._longest_zero_s, longest / self.rate_hz)

    def _update(self, code: str, on: bool, value: float, now: int) -> AlarmChange | None:
        current = self._active.get(code)
        if on and current is None:
            alarm = Alarm(code, i18n.text(f"alarm.{code}", **self._texts[code]),
                          i18n.text(f"alarm.{code}.hint"), float(value), now / self.rate_hz)
            self._active[code] = alarm
            return AlarmChange(alarm, True)
        if on:
            self._active[code] = Alarm(code, current.message, current.hint, float(value),
                                       current.since)
            return None
        if current is not None:
            del self._active[code]
            self._reset(code)
            return AlarmChange(Alarm(code, current.message, current.hint, float(value),
                                     current.since), False)
        return None

    def _reset(self, code: str) -> None:
        if code == "clipping":
            self._clipped = 0
        elif code == "dropout":
            self._longest_zero_s = 0.0
