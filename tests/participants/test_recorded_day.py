"""A recorded day through the real capture path (PyAudio → ALSA file feed, fast) with the
roster: "next participant" follows the list, the sheet's times are the markers' sample
positions, a segment that starts in silence is flagged live, corrections are journaled and
shown, the sheet goes into the export and the roster goes with the day on purge."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from appliance.contract.dayview import load_day
from appliance.export.clips import participant_range
from appliance.export.exporter import export_days
from appliance.export.retention import plan_purge, purge_day
from appliance.journal import verify_chain
from appliance.participants import roster as roster_mod
from appliance.participants.flags import CheckLimits
from appliance.participants.importer import import_file
from appliance.participants.sheet import SHEET_CSV, SHEET_HTML, TECH_HTML, build_rows
from tests.feeds import RATE_HZ, Feed, make_fast_feed, wait_for
from tests.recorder_process import RecorderProcess, journal, write_config

FEED_S = 3000
REGION_S = 300
"""The feed alternates talking and silent (only the room's faint noise) regions this long,
talking first. The device delivers the feed ~250x faster than real time from the moment the
recorder opens it, so each mark waits for the next region of the kind it needs."""
PERIOD = int(0.7 * RATE_HZ)
ROSTER_CSV = ("№;ФИО участника;Класс;Отметка о неявке\n1;Иванов Иван Иванович;9А;\n"
              "2;Петрова Анна Сергеевна;9Б;Н\n3;Щукин Фёдор Ильич;9А;\n").encode("cp1251")


def speechlike_feed(home: Path, seconds: int) -> Feed:
    """Faint noise everywhere, with 0.4 s bursts every 0.7 s (syllables) in talking regions.
    Written 7 s at a time: the whole feed never sits in memory."""
    feed = make_fast_feed(home, 1)
    rng = np.random.default_rng(7)
    talking = np.tile(np.arange(PERIOD) < int(0.4 * RATE_HZ), 10)
    with open(home / "feed.raw", "wb") as raw:
        for chunk in range(seconds * RATE_HZ // talking.size):
            noise = rng.integers(-40, 41, size=talking.size, dtype=np.int16)
            at_s = chunk * talking.size / RATE_HZ
            loud = int(at_s // REGION_S) % 2 == 0
            (noise * np.where(talking & loud, 200, 1).astype(np.int16)).tofile(raw)
    return feed


def day_config(tmp_path: Path, participants: dict | None = None,
               **sections) -> tuple[Path, Feed]:
    """A box on the speech-like fast feed; `participants` overrides the check's limits."""
    feed = speechlike_feed(tmp_path / "home", FEED_S)
    limits = {"intro_speech_s": 30.0, "too_short_minutes": 0.0, "too_long_minutes": 600.0,
              "long_silence_s": 3600.0, **(participants or {})}
    config = write_config(tmp_path / "appliance.toml", tmp_path / "data", device="examfeed",
                          participants=limits, **sections)
    return config, feed


def start_day(tmp_path: Path, participants: dict | None = None) -> tuple[RecorderProcess, Feed]:
    config, feed = day_config(tmp_path, participants)
    return RecorderProcess(config, env=feed.process_env()).start(), feed


@pytest.fixture
def day(tmp_path):
    rec, feed = start_day(tmp_path)
    yield rec, feed
    rec.terminate()


def captured_s(rec: RecorderProcess) -> float:
    return rec.status()["captured_frames"] / RATE_HZ


def talking(feed_s: float) -> bool:
    return int(feed_s // REGION_S) % 2 == 0


def mark_in(rec: RecorderProcess, in_talking: bool, **args) -> dict:
    """Mark well inside a talking (or silent) region, between its 10th and 240th second: a
    command takes effect at the block captured when it arrives, and the block before it may
    still belong to the region before."""
    def ready():
        now = captured_s(rec)
        assert now < FEED_S - 2 * REGION_S, "the feed is running out"
        return talking(now) == in_talking and 10 <= now % REGION_S < REGION_S - 60
    wait_for(ready, timeout_s=60, what="the next region")
    return rec.ctl("mark", **args)["marker"]


def test_roster_markers_sheet_flags_corrections_export_and_purge(day, tmp_path):
    rec, feed = day
    today = dt.date.today()
    day_dir = rec.config.data_dir / "recordings" / today.isoformat()
    roster_mod.save(day_dir, import_file("ИС-01.csv", ROSTER_CSV).roster)
    rec.ctl("start")
    first = mark_in(rec, in_talking=True)
    third = mark_in(rec, in_talking=False)
    assert (first["participant"], third["participant"]) == (1, 3), "no-show 2 is skipped"
    assert first["label"] == "Участник 1"  # never a name in markers, cues or file names
    # the flag shows in the status while participant 3 is still being recorded
    current = wait_for(lambda: (rec.status()["participant"]["current"] or {}).get("flags"),
                       timeout_s=60, what="live flag")
    assert [f["code"] for f in current] == ["no_speech_at_start"]
    assert rec.status()["participant"]["current"]["participant"] == 3
    late = mark_in(rec, in_talking=True)
    late_at = captured_s(rec)
    assert late["participant"] == 4, "list exhausted: one past the last"
    wait_for(lambda: captured_s(rec) >= late_at + 60, timeout_s=60)
    rec.ctl("stop")
    # afterwards (each command waits for the pipeline, so they come after the stop here)
    fix = rec.ctl("correct_marker", part=late["part"], frame=late["frame"], participant=2,
                  reason="пришла с опозданием")["correction"]
    assert fix["previous"]["participant"] == 4
    rec.ctl("participant_info", participant=1, variant="7")
    rec.ctl("participant_info", participant=3, early_finish=True, reason="плохое самочувствие")
    flagged = rec.status()["participant"]["flagged"]
    assert {f["participant"]: [x["code"] for x in f["flags"]] for f in flagged} == {
        3: ["no_speech_at_start"]}

    entries = journal(day_dir)
    assert verify_chain(day_dir / "journal.jsonl") is None
    markers = [e.data for e in entries if e.event == "marker" and e.data["kind"] == "participant"]
    assert [m["participant"] for m in markers] == [1, 3, 4], "the original is kept"
    (opened,) = [e for e in entries if e.event == "part_opened"]
    corrected = [e.data for e in entries if e.event == "marker_corrected"]
    assert corrected == [{"part": 1, "frame": late["frame"], "participant": 2,
                          "previous": {"participant": 4, "frame": late["frame"], "void": False},
                          "reason": "пришла с опозданием", "source": "test"}]
    # participant 3 starts in a silent region (its 30 s intro window too), the others talk
    assert [talking(m["capture_frame"] / RATE_HZ) for m in markers] == [True, False, True]
    assert all(m["capture_frame"] / RATE_HZ % REGION_S < REGION_S - 40 for m in markers)

    rows = build_rows(load_day(day_dir))
    by_number = {r.number: r for r in rows}
    assert [r.number for r in rows] == [1, 2, 3]
    opened_wall = dt.datetime.fromisoformat(opened.time)
    ends = {1: third["frame"], 3: late["frame"]}
    for number, marker in ((1, first), (3, third), (2, late)):
        row = by_number[number]
        journaled = next(m for m in markers if m["frame"] == marker["frame"])
        assert row.offset_s == journaled["frame"] / RATE_HZ
        assert journaled["frame"] == journaled["capture_frame"] - opened.data["capture_frame"]
        start = opened_wall + dt.timedelta(seconds=journaled["frame"] / RATE_HZ)
        assert row.start == start.strftime("%H:%M:%S")
        if number in ends:
            assert row.end_offset_s == ends[number] / RATE_HZ
    assert by_number[1].variant == "7" and by_number[1].flags == []
    assert [f["code"] for f in by_number[3].flags] == ["no_speech_at_start"]
    assert "досрочное завершение: плохое самочувствие" in by_number[3].notes
    assert any("участник 4 → 2 (пришла с опозданием)" in n for n in by_number[2].notes)
    assert by_number[2].name == "Петрова Анна Сергеевна"

    clip = participant_range(load_day(day_dir), 2)  # the corrected marker: a clip of "2"
    assert (clip.start_frame, clip.name) == (
        late["frame"], f"{today.isoformat()}_ОО-640101_ауд-0005_участник-2")
    dest = tmp_path / "usb"
    dest.mkdir()
    export_days(rec.config.data_dir, dest)
    (room,) = [p for p in dest.glob("*/*") if p.is_dir()]
    sheet_html = (room / SHEET_HTML).read_text("utf-8")
    assert "Щукин Фёдор Ильич" in sheet_html and "Нет речи" not in sheet_html, "signed copy"
    assert "Нет речи в первые 30 с" in (room / TECH_HTML).read_text("utf-8")
    assert (room / SHEET_CSV).read_bytes().startswith("\ufeff№;ФИО".encode())
    assert SHEET_HTML in (room / "SHA256SUMS").read_text("utf-8")
    audio_names = [p.name for p in room.iterdir() if p.suffix in (".wav", ".txt", ".json")]
    assert audio_names and not any("Иванов" in n or "Щукин" in n for n in audio_names)

    rec.terminate()
    plan = plan_purge(rec.config.data_dir, today, dates=[today], early=True)
    purged = purge_day(rec.config.data_dir, plan.due[0], today)
    assert "roster.json" in [f.name for f in purged.files]
    assert not day_dir.exists()


OVZ_CSV = ("№ п/п;ФИО участника;Класс;Вариант;Отметка об ОВЗ (продолжительность +30 мин)\n"
           "1;Иванов Иван Иванович;9А;2;да\n2;Петрова Анна Сергеевна;9Б;вар. 3;\n"
           ).encode("cp1251")


OVZ_LIMITS = {"too_long_minutes": 1.0, "ovz_extra_min": 60.0}


def record_two_long_answers(rec: RecorderProcess) -> list[list[str]]:
    """Start, two participants of at least 2.5 min each, stop: the live flags of each."""
    rec.ctl("start")
    answers = []
    for expected in (1, 2):
        assert captured_s(rec) < FEED_S - 600, "the feed is running out"
        marker = rec.ctl("mark")["marker"]
        assert marker["participant"] == expected
        current = wait_for(lambda n=expected: checked_for_150_s(rec, n), timeout_s=60,
                           what="2.5 min of the answer checked")
        answers.append([f["code"] for f in current["flags"]])
    rec.ctl("stop")
    return answers


def checked_for_150_s(rec: RecorderProcess, participant: int) -> dict | None:
    """The live check of `participant` once it has measured 150 s of the answer."""
    current = rec.status()["participant"]["current"] or {}
    if current.get("participant") == participant and current["elapsed_s"] >= 150:
        return current
    return None


def test_an_ovz_participant_is_allowed_longer(tmp_path):
    """«too long» after 1 min, ОВЗ 60 min more: both answer at least 2.5 min; only
    participant 2 (no ОВЗ) is flagged, live and on the sheet, which shows ОВЗ and the listed
    variants."""
    rec, _ = start_day(tmp_path, OVZ_LIMITS)
    try:
        day_dir = rec.config.data_dir / "recordings" / dt.date.today().isoformat()
        roster_mod.save(day_dir, import_file("ИС-01.csv", OVZ_CSV).roster)
        answers = record_two_long_answers(rec)
        assert "too_long" not in answers[0], "ОВЗ: 1 + 60 min allowed"
        assert "too_long" in answers[1], "no ОВЗ: 1 min allowed"
        rows = {r.number: r for r in build_rows(load_day(day_dir),
                                                CheckLimits.from_config(rec.config.participants))}
        assert rows[1].duration_s >= 150 and rows[2].duration_s >= 150
        assert "too_long" not in [f["code"] for f in rows[1].flags]
        assert "too_long" in [f["code"] for f in rows[2].flags]
        assert "ОВЗ" in rows[1].notes and "ОВЗ" not in rows[2].notes
        assert (rows[1].variant, rows[2].variant) == ("2", "3")
    finally:
        rec.terminate()
