"""A real recorded exam day for the paperwork tests: the recorder process on the fast ALSA feed,
a roster of 25 (one no-show, one ОВЗ), every present participant marked with "next participant", the
variants, one early finish and one marker correction entered through the control socket, and
two participants marked «незачет» as the technician does from the expert's protocols.

The feed repeats a 100 s cycle of what a room sounds like around each answer: quiet until 40 s,
a 6 s introduction (name and variant), the silent reading until 60 s, then talking until 100 s.
Marks land wherever the fast feed happens to be, so `expected_intro_end` says, from the mark's
position in the cycle, where the intro check must find the end of the introduction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from appliance.journal import read_entries
from appliance.participants import results
from appliance.participants import roster as roster_mod
from appliance.participants.importer import import_file
from tests.feeds import Feed, make_fast_feed, wait_for
from tests.recorder_process import RecorderProcess, write_config

RATE_HZ = 16000
CYCLE_S = 100
INTRO = (40.0, 46.0)
TALK = (60.0, 100.0)
FEED_S = 4000
GAP_S = 75
"""Feed seconds between two marks: more than the 46 s from a mark to its intro's end."""
PERIOD = int(0.7 * RATE_HZ)
NAMES = ["Иванов Иван Иванович", "Петрова Анна Сергеевна", "Щукин Фёдор Ильич",
         "Александрова-Римская Екатерина Константиновна", "Борисов Борис Борисович"]
ABSENT = 2
EARLY = 5
EARLY_REASON = "плохое самочувствие"
COUNT = 25
OVZ = 4
"""A participant with special needs (ОВЗ) on the list."""
NEZACHET = (7, 12)
"""Marked «незачет» from the expert's protocol."""
MOVED, MOVED_BY_S, MOVED_REASON = 3, 2, "метка нажата раньше"
"""A marker corrected afterwards: the sheet re-runs the intro check over the file."""


def roster_csv() -> bytes:
    lines = ["№;ФИО участника;Класс;Отметка об ОВЗ;Отметка о неявке"]
    for n in range(1, COUNT + 1):
        name = NAMES[(n - 1) % len(NAMES)] if n <= len(NAMES) else f"Участников Участник {n}-й"
        lines.append(f"{n};{name};9{'АБ'[n % 2]};{'да' if n == OVZ else ''};"
                     f"{'Н' if n == ABSENT else ''}")
    return ("\n".join(lines) + "\n").encode("cp1251")


def _talking(at_s: np.ndarray) -> np.ndarray:
    cycle = at_s % CYCLE_S
    return ((cycle >= INTRO[0]) & (cycle < INTRO[1])) | ((cycle >= TALK[0]) & (cycle < TALK[1]))


def cycle_feed(home: Path) -> Feed:
    """Faint noise, with 0.4 s syllables every 0.7 s where the cycle talks."""
    feed = make_fast_feed(home, 1)
    rng = np.random.default_rng(11)
    syllable = np.arange(PERIOD) < int(0.4 * RATE_HZ)
    with open(home / "feed.raw", "wb") as raw:
        for start in range(0, FEED_S * RATE_HZ, 10 * RATE_HZ):
            n = 10 * RATE_HZ
            index = np.arange(start, start + n)
            loud = syllable[index % PERIOD] & _talking(index / RATE_HZ)
            noise = rng.integers(-40, 41, size=n, dtype=np.int16)
            (noise * np.where(loud, 200, 1).astype(np.int16)).tofile(raw)
    return feed


def expected_intro_end(mark_s: float) -> float | None:
    """Where, in feed seconds, the introduction of a segment marked at `mark_s` ends (the
    first pause of 1.5 s or more, when it starts within 30 s of the speech onset), or None
    when the mark is within a second of a cycle boundary (either answer is right there)."""
    base, cycle = divmod(mark_s, CYCLE_S)
    edges = (0.0, INTRO[0], INTRO[1], TALK[0], TALK[1] - 30, TALK[1], CYCLE_S)
    if min(abs(cycle - e) for e in edges) < 1.0:
        return None
    if cycle < INTRO[1]:
        return _last_syllable_end(base * CYCLE_S + INTRO[1])
    if TALK[1] - 30 < cycle:
        return _last_syllable_end(base * CYCLE_S + TALK[1])
    return -1.0  # onset at 60 s, no pause within 30 s of it: unknown


def _last_syllable_end(region_end_s: float) -> float:
    """Talking stops with the last syllable before the region's end, not at the end."""
    index = round(region_end_s * RATE_HZ) - 1
    while not index % PERIOD < int(0.4 * RATE_HZ):
        index -= 1
    return (index + 1) / RATE_HZ


def _journaled_at(day_dir: Path, marker: dict) -> float:
    """The marker's position in the feed (s), from the journal."""
    entry = next(e for e in reversed(read_entries(day_dir / "journal.jsonl"))
                 if e.event == "marker" and e.data["frame"] == marker["frame"])
    return entry.data["capture_frame"] / RATE_HZ


@dataclass
class RecordedDay:
    data_dir: Path
    day_dir: Path
    date: dt.date
    marks: dict[int, dict]
    """Participant number -> the marker as the recorder answered it."""
    config_path: Path


def record_day(root: Path) -> RecordedDay:
    feed = cycle_feed(root / "home")
    config = write_config(root / "appliance.toml", root / "data", device="examfeed",
                          audio={"rate": RATE_HZ},
                          participants={"intro_speech_s": 30.0, "too_short_minutes": 0.5,
                                        "too_long_minutes": 600.0, "long_silence_s": 3600.0})
    rec = RecorderProcess(config, env=feed.process_env()).start()
    try:
        today = dt.date.today()
        day_dir = rec.config.data_dir / "recordings" / today.isoformat()
        roster_mod.save(day_dir, import_file("ИС-01.csv", roster_csv()).roster)
        rec.ctl("start")
        marks: dict[int, dict] = {}
        last = 0.0

        def answered() -> bool:
            return rec.status()["captured_frames"] / RATE_HZ >= last + GAP_S

        for _ in range(COUNT - 1):
            wait_for(answered, timeout_s=60, what="the next answer")
            assert last < FEED_S - 2 * GAP_S, "the feed is running out"
            marker = rec.ctl("mark")["marker"]
            marks[marker["participant"]] = marker
            last = _journaled_at(day_dir, marker)
        wait_for(answered, timeout_s=60, what="the last answer")
        rec.ctl("stop")
        for number in marks:
            rec.ctl("participant_info", participant=number, variant=str(number % 9 + 1))
        rec.ctl("participant_info", participant=EARLY, early_finish=True, reason=EARLY_REASON)
        moved = marks[MOVED]
        rec.ctl("correct_marker", part=moved["part"], frame=moved["frame"],
                new_frame=moved["frame"] + MOVED_BY_S * RATE_HZ, reason=MOVED_REASON)
    finally:
        rec.terminate()
    for number in NEZACHET:
        results.set_nezachet(day_dir, number, True)
    return RecordedDay(rec.config.data_dir, day_dir, today, marks, config)
