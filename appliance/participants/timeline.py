"""The day's participant segments as the journal tells them, corrections applied.

Pure: a list of journal entries (`appliance.journal.Entry`) in, segments out. The recorder
uses it to pick the next participant, the web page and the export to build the room sheet.
Corrections never rewrite the journal: the original `marker` entry stays, a later
`marker_corrected` entry says what it should have been, and this module applies it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

BOUNDARY_KINDS = ("participant", "pause", "stop")


@dataclass
class Segment:
    """One participant marker and the audio up to the next boundary in the same part."""

    part: int
    frame: int
    """Effective start (after corrections), frames into the part."""
    participant: int | None
    label: str
    wall: str
    """When the marker was journaled (ISO 8601)."""
    original: dict
    """The marker as first journaled: participant and frame."""
    end_frame: int | None = None
    """None while the part is still being recorded and nothing follows."""
    void: bool = False
    corrections: list[dict] = field(default_factory=list)
    check: dict | None = None
    """The latest intro check journaled for this segment's start."""

    @property
    def key(self) -> tuple[int, int]:
        return self.part, self.original["frame"]


@dataclass
class Timeline:
    segments: list[Segment]
    info: dict[int, dict]
    """Per participant number: `variant`, `early_finish`, `reason` as last entered."""
    rate_hz: dict[int, int]
    part_frames: dict[int, int | None]

    def live(self) -> list[Segment]:
        return [s for s in self.segments if not s.void]

    def assigned(self) -> set[int]:
        return {s.participant for s in self.live() if s.participant is not None}

    def find(self, part: int, frame: int) -> Segment | None:
        """The segment whose original or effective start is (part, frame)."""
        return next((s for s in self.segments if s.part == part
                     and frame in (s.original["frame"], s.frame)), None)


def build(entries) -> Timeline:
    """Segments, participant info and part lengths from journal entries, in journal order."""
    segments: dict[tuple[int, int], Segment] = {}
    others: list[tuple[int, int]] = []  # (part, frame) of pause/stop markers
    info: dict[int, dict] = {}
    rates: dict[int, int] = {}
    frames: dict[int, int | None] = {}
    checks: dict[tuple[int, int], dict] = {}
    for entry in entries:
        data, event = entry.data, entry.event
        if event == "part_opened":
            rates[data["part"]], frames[data["part"]] = data["rate_hz"], None
        elif event in ("part_closed", "part_recovered"):
            frames[data["part"]] = data["frames"]
        elif event == "marker" and data["kind"] == "participant":
            key = (data["part"], data["frame"])
            segments[key] = Segment(data["part"], data["frame"], data.get("participant"),
                                    data.get("label", ""), entry.time,
                                    {"participant": data.get("participant"),
                                     "frame": data["frame"]})
        elif event == "marker" and data["kind"] in BOUNDARY_KINDS:
            others.append((data["part"], data["frame"]))
        elif event == "marker_corrected":
            _correct(segments.get((data["part"], data["frame"])), data, entry.time)
        elif event == "participant_info":
            current = info.setdefault(int(data["participant"]), {})
            current.update({k: data[k] for k in ("variant", "early_finish", "reason")
                            if data.get(k) is not None})
        elif event == "participant_check":
            checks[(data["part"], data["frame"])] = data
    ordered = sorted(segments.values(), key=lambda s: (s.part, s.frame))
    for segment in ordered:
        segment.check = checks.get((segment.part, segment.frame))
    _ends(ordered, others, frames)
    return Timeline(ordered, info, rates, frames)


def _correct(segment: Segment | None, data: dict, wall: str) -> None:
    if segment is None:
        return
    segment.corrections.append({**data, "wall": wall})
    if "participant" in data:
        segment.participant = data["participant"]
    if data.get("new_frame") is not None:
        segment.frame = int(data["new_frame"])
    if data.get("void") is not None:
        segment.void = bool(data["void"])


def _ends(segments: list[Segment], others: list[tuple[int, int]],
          frames: dict[int, int | None]) -> None:
    for segment in segments:
        later = [f for p, f in others if p == segment.part and f > segment.frame]
        later += [s.frame for s in segments if s.part == segment.part and not s.void
                  and s.frame > segment.frame]
        if later:
            segment.end_frame = min(later)
        else:
            segment.end_frame = frames.get(segment.part)
