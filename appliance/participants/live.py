"""The recorder's side of participants: who "next participant" is, the live intro check, and
the correction and participant-info commands.

Runs on the recorder's pipeline thread only (the recorder owns the day journal); `status` is
read from any thread and only reads plain attributes.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from appliance import i18n
from appliance.errors import ConfigError, StateError
from appliance.participants import roster as roster_mod
from appliance.participants.flags import CheckLimits
from appliance.participants.introcheck import NoiseFloor, SegmentCheck

i18n.register({
    "correct.no_marker": ("В части {part} нет метки участника в позиции {frame}",
                          "Part {part} has no participant marker at frame {frame}"),
    "correct.bad_frame": ("Новая позиция {frame} вне части {part} (0…{frames})",
                          "New position {frame} is outside part {part} (0…{frames})"),
    "correct.nothing": ("Исправление ничего не меняет", "The correction changes nothing"),
    "info.no_day": ("День ещё не начат", "The day has not started"),
    "info.bad_variant": ("Номер варианта должен быть числом, получено «{value}»",
                         "The variant number must be a number, got '{value}'"),
})


class ParticipantTracker:
    def __init__(self, limits: CheckLimits, rate_hz: int) -> None:
        self.limits = limits
        self.rate_hz = rate_hz
        self.floor = NoiseFloor()
        self.check: SegmentCheck | None = None
        self.segment: dict | None = None
        self._journaled_flags: list[str] = []
        self._roster_cache: tuple[Path, float, roster_mod.Roster] | None = None
        self._status: dict = {"flagged": [], "next": None, "roster": 0}

    # ----- choosing the participant -------------------------------------------------------
    def roster(self, day_dir: Path) -> roster_mod.Roster:
        """The day's roster, re-read only when the web page has replaced the file."""
        path = day_dir / roster_mod.ROSTER_NAME
        try:
            mtime = os.stat(path).st_mtime_ns
        except FileNotFoundError:
            return roster_mod.Roster()
        cached = self._roster_cache
        if cached and cached[0] == path and cached[1] == mtime:
            return cached[2]
        loaded = roster_mod.load(day_dir)
        self._roster_cache = (path, mtime, loaded)
        return loaded

    def choose(self, day, requested: int | None) -> int:
        """The list number for a new participant marker: `requested` (checked against the
        roster), else the next present participant not yet recorded, else one past the last."""
        roster = self.roster(day.dir)
        assigned = day.view.assigned()
        if requested is not None:
            number = int(requested)
            if roster.participants:
                roster.require(number)
            return number
        nxt = roster.next_present(assigned)
        return nxt.number if nxt else max(assigned, default=0) + 1

    # ----- the live intro check -----------------------------------------------------------
    def begin(self, participant: int, part: int, frame: int, day_dir: Path) -> None:
        """A participant's segment starts: check it with that participant's limits."""
        person = self.roster(day_dir).get(participant)
        limits = self.limits.for_participant(person is not None and person.ovz)
        self.check = SegmentCheck(limits, self.rate_hz, self.floor)
        self.segment = {"participant": participant, "part": part, "frame": frame}
        self._journaled_flags = []

    def feed(self, block: np.ndarray) -> dict | None:
        """Feed recorded audio; returns a `participant_check` payload when flags changed."""
        if self.check is None:
            return None
        self.check.feed(block)
        codes = [f["code"] for f in self.check.flags(final=False)]
        if codes != self._journaled_flags:
            self._journaled_flags = codes
            return self._payload(final=False)
        return None

    def end(self) -> dict | None:
        """The segment ended (next marker, pause, stop, part closed): the final payload."""
        if self.check is None:
            return None
        payload = self._payload(final=True)
        self.check = self.segment = None
        return payload

    def _payload(self, final: bool) -> dict:
        return {**self.segment, "final": final, **self.check.to_dict(final)}

    # ----- corrections and participant info (journal payloads) ------------------------
    def correction(self, day, writer_frames: int | None, part: int, frame: int,
                   participant: int | None = None, new_frame: int | None = None,
                   void: bool | None = None, reason: str = "", source: str = "cli") -> dict:
        """A `marker_corrected` payload, checked against the journal and the roster."""
        found = day.view.find(int(part), int(frame))
        if found is None:
            raise StateError("correct.no_marker", part=part, frame=frame)
        data: dict = {"part": found.part, "frame": found.original["frame"]}
        if participant is not None:
            roster = self.roster(day.dir)
            if roster.participants:
                roster.require(int(participant))
            data["participant"] = int(participant)
        if new_frame is not None:
            frames = day.view.part(found.part).frames or writer_frames or 0
            if not 0 <= int(new_frame) <= frames:
                raise StateError("correct.bad_frame", frame=new_frame, part=found.part,
                                 frames=frames)
            data["new_frame"] = int(new_frame)
        if void is not None:
            data["void"] = bool(void)
        if len(data) == 2:
            raise StateError("correct.nothing")
        return {**data, "previous": {"participant": found.participant, "frame": found.frame,
                                     "void": found.void},
                "reason": str(reason), "source": source}

    def info(self, day, participant: int, variant: str | None = None,
             early_finish: bool | None = None, reason: str = "", source: str = "cli") -> dict:
        """A `participant_info` payload: variant number, early finish (досрочное завершение)."""
        if day is None:
            raise StateError("info.no_day")
        roster = self.roster(day.dir)
        if roster.participants:
            roster.require(int(participant))
        if variant is not None and not str(variant).strip().isdigit():
            raise ConfigError("info.bad_variant", value=variant)
        return {"participant": int(participant),
                "variant": str(variant).strip() if variant is not None else None,
                "early_finish": early_finish, "reason": str(reason), "source": source}

    # ----- status -------------------------------------------------------------------------
    def refresh_status(self, day) -> None:
        """Recompute the status snapshot (pipeline thread, after any journal change)."""
        if day is None:
            self._status = {"flagged": [], "next": None, "roster": 0}
            return
        self._follow_corrections(day)
        roster = self.roster(day.dir)
        nxt = roster.next_present(day.view.assigned())
        flagged = [{"participant": s.participant, "part": s.part, "frame": s.frame,
                    "flags": s.check["flags"]} for s in day.view.segments()
                   if s.check and s.check.get("flags")]
        self._status = {"flagged": flagged, "next": nxt.number if nxt else None,
                        "roster": len(roster.participants)}

    def _follow_corrections(self, day) -> None:
        """The answer being recorded as the journal now says it is: a correction renumbers it
        (checked from then on with that participant's limits) or voids it (nobody is
        answering on that marker, so nothing is checked)."""
        segment = self.segment
        if segment is None or self.check is None:
            return
        marker = day.view.find(segment["part"], segment["frame"])
        if marker is None:
            return
        if marker.void:
            self.check = self.segment = None
        elif marker.participant != segment["participant"]:
            person = self.roster(day.dir).get(marker.participant)
            self.check.limits = self.limits.for_participant(person is not None and person.ovz)
            self.segment = {**segment, "participant": marker.participant}

    def status(self) -> dict:
        """Any thread: the snapshot plus the segment being recorded now."""
        check, segment = self.check, self.segment
        current = None
        if check is not None and segment is not None:
            current = {**segment, "elapsed_s": round(check.elapsed_s, 1),
                       "speech_onset_s": check.onset_s, "flags": check.flags(final=False)}
        return {**self._status, "current": current}

