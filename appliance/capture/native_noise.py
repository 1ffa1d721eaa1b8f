"""Silence the C libraries under PortAudio that print to stderr on every device scan.

ALSA prints "ALSA lib ... Unknown PCM" for every unusable default device and libjack prints
"Cannot connect to server socket" when no JACK server runs; on the appliance the scan repeats
every second while a microphone is unplugged. Their own error-handler hooks are replaced with
no-ops, once per process, instead of redirecting file descriptor 2: that would also swallow
the other threads' log lines and tracebacks. APPLIANCE_DEBUG_PORTAUDIO=1 keeps the noise.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

_ALSA_HANDLER = ctypes.CFUNCTYPE(None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                                 ctypes.c_int, ctypes.c_char_p)
_JACK_HANDLER = ctypes.CFUNCTYPE(None, ctypes.c_char_p)
_installed: list = []  # the callbacks must outlive the libraries' use of them


def silence() -> None:
    if _installed or os.environ.get("APPLIANCE_DEBUG_PORTAUDIO"):
        return
    alsa_quiet = _ALSA_HANDLER(lambda *_: None)
    jack_quiet = _JACK_HANDLER(lambda _message: None)
    _installed.extend([alsa_quiet, jack_quiet])
    if name := ctypes.util.find_library("asound"):
        ctypes.CDLL(name).snd_lib_error_set_handler(alsa_quiet)
    if name := ctypes.util.find_library("jack"):
        jack = ctypes.CDLL(name)
        jack.jack_set_error_function(jack_quiet)
        jack.jack_set_info_function(jack_quiet)
