"""The expert's «незачет» marks of a day, as the technician enters them from the protocols.

Kept in `{data_dir}/recordings/{date}/results.json` next to the roster (so purge removes them
with the day): `{"version": 1, "nezachet": [3, 7]}`, list numbers only. The recorder writes it
atomically for the participants page (appliance.recorder.participant_files_command); the
regional centre's package (`appliance.export.regional`) reads it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from appliance.contract.layout import PRIVATE
from appliance.fsutil import atomic_write_text

RESULTS_NAME = "results.json"


def load(directory: str | os.PathLike) -> set[int]:
    """Numbers marked «незачет» (an empty set when none are)."""
    try:
        data = json.loads((Path(directory) / RESULTS_NAME).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return set()
    return {int(n) for n in data.get("nezachet", [])}


def set_nezachet(directory: str | os.PathLike, number: int, failed: bool) -> set[int]:
    """Mark or unmark one participant; returns the day's marks."""
    marks = load(directory)
    (marks.add if failed else marks.discard)(int(number))
    atomic_write_text(Path(directory) / RESULTS_NAME,
                      json.dumps({"version": 1, "nezachet": sorted(marks)}), PRIVATE)
    return marks
