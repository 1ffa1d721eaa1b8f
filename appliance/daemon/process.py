"""`appliance recorder`: the composition root of the recording daemon.

Chooses the audio source by name, holds the data directory's lock (one recorder per box),
runs the recorder and its control socket until SIGTERM/SIGINT, and tells systemd when it is
ready and that its pipeline is alive.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from appliance import i18n
from appliance.clock import ClockGuard
from appliance.config import Config
from appliance.contract.control import ControlServer
from appliance.contract.vocabulary import Action, ClockSource, Command, State
from appliance.daemon.purge_command import purge_handlers
from appliance.errors import StateError, StorageError
from appliance.export.service import drive_handlers, start_drive_service
from appliance.hardware.service import ExaminerHardware
from appliance.journal import Event
from appliance.recorder.core import Recorder
from appliance.recorder.participant_files_command import participant_files_handlers
from appliance.recorder.reload import ConfigReloader
from appliance.recorder.sdnotify import Notifier
from appliance.recorder.soundtest import SoundTestSession

log = logging.getLogger(__name__)

i18n.register({
    "daemon.locked": ("Регистратор уже запущен для каталога {path}",
                      "A recorder is already running for {path}"),
    "daemon.storage": ("Каталог записей {path} недоступен: {detail}",
                       "The recordings folder {path} is not usable: {detail}"),
})


def make_source(config: Config, simulate: bool):
    """The microphone: the simulated one, or PyAudio on the configured device."""
    audio = config.audio
    block_frames = audio.rate * audio.block_ms // 1000
    if simulate:
        from appliance.capture.simulated import SimulatedSource
        return SimulatedSource(audio.rate, audio.channels, block_frames)
    from appliance.capture.pyaudio_source import PyAudioSource
    return PyAudioSource(audio.device, audio.rate, audio.channels, block_frames)


def lock_data_dir(data_dir: Path) -> int:
    """An exclusive lock held for the recorder's life; StateError when another one holds it.
    On a read-only data disk the directory itself is locked (nothing can be written there,
    but the recorder still runs to say so)."""
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(data_dir / "recorder.lock", os.O_RDWR | os.O_CREAT, 0o640)
    except OSError as err:
        if err.errno != errno.EROFS:
            raise StorageError("daemon.storage", path=data_dir, detail=err.strerror) from None
        fd = os.open(data_dir, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise StateError("daemon.locked", path=data_dir) from None
    return fd


def control_handlers(recorder: Recorder, apply_system: bool) -> dict:
    """Control commands; `apply_system` lets set_clock change the system clock (not in
    simulation, where only the recorder's own clock moves)."""
    def session(cmd: str):
        return lambda **args: recorder.handle(cmd, **args)

    def devices():
        from appliance.capture.pyaudio_source import list_input_devices
        return list_input_devices()

    def set_clock(epoch_s: float, source: str = ClockSource.BROWSER):
        in_day = recorder.state in (State.RECORDING, State.PAUSED)
        return recorder.clock.set_time(float(epoch_s), source, apply_system, in_day).to_dict()

    tests = SoundTestSession(recorder.config.data_dir / "tests", recorder.format,
                        recorder.config.checks)

    def test(seat: str = "participant", seconds: float = 15.0, source: str = "cli"):
        return tests.judge(recorder.capture_sound_test(seat, float(seconds)))

    handlers = {action: session(action) for action in Action}
    handlers.update({Command.STATUS: recorder.status, Command.DEVICES: devices,
                     Command.SET_CLOCK: set_clock, Command.TEST: test})
    handlers.update(participant_commands(recorder))
    handlers.update(purge_handlers(recorder))
    handlers.update(participant_files_handlers(recorder))
    return handlers


def participant_commands(recorder: Recorder) -> dict:
    """`correct_marker` and `participant_info`: journaled by the pipeline, which owns the day."""
    tracker = recorder.participants_live

    def correct_marker(**args):
        def run(**a):
            if recorder.day is None:
                raise StateError("info.no_day")
            payload = tracker.correction(recorder.day, recorder.writer.frames
                                         if recorder.writer else None, **a)
            recorder.day.record(Event.MARKER_CORRECTED, **payload)
            tracker.refresh_status(recorder.day)
            return {"correction": payload, "status": recorder.status()}
        return recorder.run_in_pipeline("correct_marker", run, **args)

    def participant_info(**args):
        def run(**a):
            payload = tracker.info(recorder.day, **a)
            recorder.day.record(Event.PARTICIPANT_INFO, **payload)
            return {"info": payload, "status": recorder.status()}
        return recorder.run_in_pipeline("participant_info", run, **args)

    return {Command.CORRECT_MARKER: correct_marker, Command.PARTICIPANT_INFO: participant_info}


RESTART = 75
"""run_recorder's result when new settings need a fresh process (the command re-executes)."""
DIED = 70
"""run_recorder's result when a recorder thread died: systemd restarts the process, and its
recovery continues the day (EX_SOFTWARE)."""
TERMINATION_SIGNALS = {signal.SIGTERM, signal.SIGINT}
KEY_TIMEOUT_S = 60


def make_box_key(data_dir: Path) -> None:
    """The box's signing key exists from the first start (the papers print its fingerprint);
    a key that cannot be read is logged, never a reason not to record. Made or checked in a
    short-lived child process: the all-day recorder never holds the cryptography library
    (about 10 MB of memory)."""
    try:
        child = subprocess.run([sys.executable, "-m", "appliance.boxkey", str(data_dir)],
                               capture_output=True, text=True, timeout=KEY_TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired) as err:
        log.error("the box key was not checked: %s", err)
        return
    problem = (child.stdout + child.stderr).strip()
    if problem:
        log.error("%s", problem)


def run_recorder(config: Config, simulate: bool = False, stop: threading.Event | None = None,
                 source=None, config_path: Path | None = None) -> int:
    """Run until `stop` is set or a termination signal arrives; RESTART when `reload_config`
    found settings that only a new process can take."""
    stop = stop or threading.Event()
    restart, terminated, died = threading.Event(), threading.Event(), threading.Event()
    lock_fd = lock_data_dir(config.data_dir)
    make_box_key(config.data_dir)
    notifier = Notifier()
    in_main_thread = threading.current_thread() is threading.main_thread()
    if in_main_thread:
        def on_signal(*_) -> None:
            terminated.set()
            stop.set()
        for sig in TERMINATION_SIGNALS:
            signal.signal(sig, on_signal)
        # a restart re-executes with them held back (below): a stop asked for meanwhile
        # arrives now, to the handler of the new process
        signal.pthread_sigmask(signal.SIG_UNBLOCK, TERMINATION_SIGNALS)
    def thread_died(*_) -> None:
        died.set()
        stop.set()

    previous_hook = threading.excepthook
    threading.excepthook = _ending_process(previous_hook, thread_died)
    recorder = Recorder(config, source or make_source(config, simulate),
                        ClockGuard(config.data_dir), watchdog=notifier.watchdog,
                        on_fatal=thread_died)
    recorder.start()
    handlers = control_handlers(recorder, apply_system=not simulate)
    drives, watcher = start_drive_service(
        config, day_stopped=lambda: recorder.state in (State.IDLE, State.STOPPED))
    handlers.update(drive_handlers(drives))
    hardware = ExaminerHardware(config, recorder, simulate, drive_status=drives.status).start()
    handlers.update(hardware.control_handlers(handlers[Command.STATUS]))
    reloader = None if config_path is None else ConfigReloader(recorder, config_path,
                                                                restart, stop)
    if reloader:
        handlers[Command.RELOAD_CONFIG] = reloader
    server = ControlServer(config.recording.socket_path(), handlers)
    server.start()
    notifier.ready()
    log.info("recorder ready, control socket %s", server.path)
    try:
        while not stop.wait(1.0):
            drives.poll()
            if reloader:
                reloader.poll()
    finally:
        if watcher:
            watcher.close()
        server.close()
        hardware.close()
        recorder.close()
        os.close(lock_fd)
        threading.excepthook = previous_hook
    if died.is_set():
        log.critical("a recorder thread died: exiting for a restart")
        return DIED
    if not restart.is_set():
        return 0
    if in_main_thread:  # from here a stop request waits for the process the restart execs
        signal.pthread_sigmask(signal.SIG_BLOCK, TERMINATION_SIGNALS)
    return 0 if terminated.is_set() else RESTART


def _ending_process(previous, thread_died):
    """A threading.excepthook: an unhandled error in any thread of the recorder is logged and
    ends the process (a dead thread must never leave a box that only looks alive)."""
    def hook(args) -> None:
        previous(args)
        thread_died()
    return hook
