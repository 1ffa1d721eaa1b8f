"""Keep the recorder's threads together on one CPU core.

PortAudio calls the capture callback on a thread of its own, which takes Python's GIL from the
pipeline thread for every block and hands it back. Across two cores each hand-off is a
cross-core wake-up; on one core it is a plain switch: on the fast feed the recorder's CPU per
recorded hour drops by about a third (docs/BENCHMARKS.md). The recorder needs a small fraction
of one core at real time and runs at a high priority (its systemd unit), so one core is enough.
The last allowed core is chosen: Linux without irqbalance (Raspberry Pi OS) serves device
interrupts on core 0.
"""

from __future__ import annotations

import contextlib
import os


def keep_on_one_cpu() -> int | None:
    """Pin every thread of the process (numpy's OpenBLAS starts some at import) and so every
    thread started later to the last allowed core; the core, or None when only one was allowed
    anyway."""
    allowed = os.sched_getaffinity(0)
    if len(allowed) < 2:
        return None
    cpu = max(allowed)
    for thread_id in os.listdir("/proc/self/task"):
        with contextlib.suppress(ProcessLookupError):  # a thread that ended meanwhile
            os.sched_setaffinity(int(thread_id), {cpu})
    return cpu
