"""The rows of «Все аудитории»: this box and every other box of the school, in words.

Pure functions of the summaries and the clock, shared by the page (as JSON) and the terminal
(`appliance school`), so both say the same.
"""

from __future__ import annotations

import datetime as dt

from appliance import i18n
from appliance.contract.vocabulary import State
from appliance.school.peers import Known

CLOCK_TOLERANCE_S = 2.0
"""A box whose clock is further than this from this box's is flagged."""
STALE_S = 3.0
"""A box that has not answered for this long is shown as «нет связи»."""

i18n.register({
    "school.title": ("Все аудитории", "All rooms"),
    "school.room": ("Аудитория", "Room"),
    "school.state": ("Состояние", "State"),
    "school.alarms": ("Предупреждения", "Alarms"),
    "school.disk": ("Диск", "Disk"),
    "school.test": ("Проверка звука", "Sound test"),
    "school.mirror": ("Копия", "Mirror"),
    "school.clock": ("Часы", "Clock"),
    "school.key": ("Ключ подписи", "Signing key"),
    "school.this_box": ("этот регистратор", "this box"),
    "school.state.unknown": ("нет связи с регистратором", "recorder not answering"),
    "school.no_link": ("нет связи {seconds} с", "no connection for {seconds} s"),
    "school.not_paired": ("не сопряжён: отказ в доступе", "not paired: access refused"),
    "school.hours": ("{hours} ч", "{hours} h"),
    "school.clock_diff": ("{diff:+.1f} с", "{diff:+.1f} s"),
    "school.clock_off": ("{diff:+.1f} с — расходятся часы!", "{diff:+.1f} s — clocks differ!"),
    "school.no_alarms": ("нет", "none"),
    "school.none_found": ("Других регистраторов школы не найдено",
                          "No other boxes of the school found"),
    "school.test.at": ("{verdict}, {time}", "{verdict}, {time}"),
    "school.test.only.participant": ("только место участника", "participant's seat only"),
    "school.test.only.examiner": ("только место экзаменатора", "examiner's seat only"),
})

NONE = "—"


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _state_text(state: str, lang: str) -> str:
    if state in State.__members__.values():
        return i18n.text(f"state.{state}", lang)
    return i18n.text("school.state.unknown", lang)


def _test_text(test: dict | None, today: dt.date, lang: str) -> str:
    """«годно, 08:12» (an earlier day's test with its date), and which seat alone when the
    test has only one so far."""
    if not test:
        return NONE
    verdict = str(test.get("text") or test.get("status") or NONE)
    try:
        when = dt.datetime.fromisoformat(str(test.get("at")))
    except ValueError:  # a box of another version: the verdict alone
        return verdict
    time = when.strftime("%H:%M") if when.date() == today else when.strftime("%d.%m %H:%M")
    text = i18n.text("school.test.at", lang, verdict=verdict, time=time)
    seats = test.get("seats") or []
    if len(seats) == 1 and seats[0] in ("participant", "examiner"):
        text += f" ({i18n.text('school.test.only.' + seats[0], lang)})"
    return text


def summary_row(summary: dict, clock_diff_s: float | None, today: dt.date, lang: str) -> dict:
    """A row from a box's summary; `clock_diff_s` is its clock minus this box's, `today` this
    box's date. A failed test and a failing mirror are flagged as alarms are."""
    hours = summary.get("hours_left")
    test, mirror = summary.get("last_test"), summary.get("mirror")
    clock_off = clock_diff_s is not None and abs(clock_diff_s) > CLOCK_TOLERANCE_S
    elapsed = summary.get("elapsed_s")
    shown_diff = 0.0 if clock_diff_s is None or abs(clock_diff_s) < 0.05 else clock_diff_s
    return {
        "box_id": summary.get("box_id", ""), "room": summary.get("room", ""),
        "fingerprint": summary.get("fingerprint", ""), "link": "ok",
        "state": summary.get("state", "unknown"),
        "state_text": _state_text(summary.get("state", ""), lang),
        "elapsed_text": _clock(elapsed) if elapsed is not None else NONE,
        "alarms": [str(a.get("message", "")) for a in summary.get("alarms", [])
                   if isinstance(a, dict)],
        "disk_text": i18n.text("school.hours", lang, hours=hours) if hours is not None
        else NONE,
        "test_text": _test_text(test, today, lang),
        "test_status": test.get("status") if test else None,
        "test_flagged": bool(test) and test.get("status") == "fail",
        "mirror_text": mirror.get("text") or NONE if mirror else NONE,
        "mirror_state": mirror.get("state") if mirror else None,
        "mirror_flagged": bool(mirror) and not mirror.get("ok", True),
        "clock_diff_s": clock_diff_s, "clock_off": clock_off,
        "clock_text": NONE if clock_diff_s is None else i18n.text(
            "school.clock_off" if clock_off else "school.clock_diff", lang, diff=shown_diff),
    }


def _date(now: float) -> dt.date:
    return dt.datetime.fromtimestamp(now).date()


def peer_row(known: Known, now: float, lang: str) -> dict:
    """A row for another box: its summary while it answers, else why not."""
    box = known.found.announcement
    answering = known.last_ok_at is not None and now - known.last_ok_at < STALE_S
    if known.summary is not None and answering and not known.refused:
        row = summary_row(known.summary, known.clock_diff_s, _date(now), lang)
    else:
        if known.refused:
            link, text = "not_paired", i18n.text("school.not_paired", lang)
        else:
            silent = int(now - (known.last_ok_at or known.first_seen_at))
            link, text = "no_link", i18n.text("school.no_link", lang, seconds=silent)
        row = {"box_id": box.box_id, "room": box.room, "fingerprint": box.fingerprint,
               "link": link, "state": "unknown",
               "state_text": text, "elapsed_text": NONE, "alarms": [], "disk_text": NONE,
               "test_text": NONE, "test_status": None, "test_flagged": False,
               "mirror_text": NONE, "mirror_state": None, "mirror_flagged": False,
               "clock_diff_s": None, "clock_off": False, "clock_text": NONE}
    address = known.address or (known.found.addresses[0] if known.found.addresses else "")
    row.update(own=False, url=f"http://{address}:{box.port}/" if address else "")
    return row


def school_rows(own: dict, others: list[Known], now: float, lang: str) -> list[dict]:
    """This box first, then the others by room number."""
    rows = [{**summary_row(own, 0.0, _date(now), lang), "own": True, "url": "/"}]
    rows += sorted((peer_row(k, now, lang) for k in others), key=lambda r: (r["room"],
                                                                           r["box_id"]))
    return rows


def _flagged(text: str, flagged: bool) -> str:
    return f"! {text}" if flagged else text


def format_table(rows: list[dict], lang: str | None = None) -> str:
    """The rows as a terminal table (`appliance school`)."""
    heads = [i18n.text(k, lang) for k in ("school.room", "school.state", "school.alarms",
                                          "school.disk", "school.test", "school.mirror",
                                          "school.clock")]
    lines = [heads]
    for row in rows:
        room = row["room"] + (f" ({i18n.text('school.this_box', lang)})" if row["own"] else "")
        state = row["state_text"] + (f" {row['elapsed_text']}" if row["link"] == "ok"
                                     and row["elapsed_text"] != NONE else "")
        alarms = "; ".join(row["alarms"]) or (i18n.text("school.no_alarms", lang)
                                               if row["link"] == "ok" else NONE)
        lines.append([room, state, alarms, row["disk_text"],
                      _flagged(row["test_text"], row["test_flagged"]),
                      _flagged(row["mirror_text"], row["mirror_flagged"]), row["clock_text"]])
    widths = [max(len(line[i]) for line in lines) for i in range(len(heads))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True))
                     .rstrip() for line in lines)
