"""Loaded by the recorder process that `probe_threads.py` starts (PYTHONPATH): each Python
thread gives its name to the kernel (prctl PR_SET_NAME, 15 characters), so /proc/PID/task
tells the threads apart. Threads a C library starts keep their creator's name: PortAudio's
and the ALSA JACK plugin's count under "capture-supervi"."""

import ctypes
import threading

_libc = ctypes.CDLL(None)
_PR_SET_NAME = 15
_bootstrap_inner = threading.Thread._bootstrap_inner


def _named(self):
    _libc.prctl(_PR_SET_NAME, self.name[:15].encode(), 0, 0, 0)
    return _bootstrap_inner(self)


threading.Thread._bootstrap_inner = _named
