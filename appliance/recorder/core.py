"""The recorder: turns the capture stream into the day's parts, markers and journal.

One pipeline thread consumes the capture queue in order. A command (start, mark, pause, …)
records the frame count captured when it arrived and takes effect once every block captured
before it has been processed, so its position in the part is the moment it was given (to one
capture callback: PortAudio hands over 0.3 s at a time), however far the writer lags behind.
When the pipeline is caught up (the normal case), commands take effect at once.

The recorder keeps the loop, the commands, the device's presence and the status; the part
life cycle (`parts.py`), the markers (`markers.py`) and what a full or failing disk sets off
(`disk_reactions.py`) are collaborators it builds and wires (docs/ARCHITECTURE.md).

Threading: `handle` and `status` may be called from any thread; everything else runs on the
pipeline thread.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import queue
import threading
import time
from typing import Any

import numpy as np

from appliance import __version__, i18n
from appliance.capture.source import AudioSource, CaptureItem, ItemKind
from appliance.clock import ClockGuard
from appliance.config import Config
from appliance.contract.dayview import Part
from appliance.contract.retention import RetentionRule
from appliance.contract.status import Status
from appliance.contract.vocabulary import Action, State
from appliance.dsp.alarms import AlarmMonitor
from appliance.dsp.levels import levels_of_blocks
from appliance.errors import ApplianceError, ClockError, ControlError, StateError, StorageError
from appliance.journal import Event
from appliance.participants.flags import CheckLimits
from appliance.participants.live import ParticipantTracker
from appliance.recorder.alarm_board import AlarmBoard, VerdictJournal
from appliance.recorder.commands import Command, CommandQueue
from appliance.recorder.day import Day
from appliance.recorder.disk_reactions import DiskReactions
from appliance.recorder.markers import Markers
from appliance.recorder.media import Media, MediaDiskGuard, describe
from appliance.recorder.mirror import MediaWatch, load_days, open_day
from appliance.recorder.parts import PartCycle
from appliance.recorder.recovery import recover_day
from appliance.recorder.session import Effect, transition
from appliance.recorder.sinks import Block
from appliance.recorder.sinks.alarms import LiveAlarms
from appliance.recorder.sinks.meter import LevelMeter
from appliance.recorder.sinks.participants import ParticipantSink
from appliance.recorder.sinks.progress import CaptureProgress
from appliance.recorder.sinks.soundtest import SoundTestTap
from appliance.recorder.sinks.summary import PartSummarySink
from appliance.recorder.sinks.writer import PartOutput
from appliance.recorder.soundtest import SoundTestCapture
from appliance.recorder.storage import DiskGuard
from appliance.recorder.supervisor import Cause, WriteSupervisor

log = logging.getLogger(__name__)

QUEUE_S = 120  # seconds of audio the pipeline may lag behind capture
BATCH_BLOCKS = 50  # queued blocks whose levels are computed together when catching up
REMEMBER_CLOCK_S = 60.0
INTERNAL_CLEAR_S = 10.0  # an internal error's alarm clears after this long without another
SUPERVISE_S = 0.5  # how often the pipeline journals the supervisor's verdict when it changes
IDLE_WAIT_S = SUPERVISE_S
"""The longest the pipeline sleeps on an empty queue: longer than the capture's 0.3 s between
callbacks, so at real time it wakes only when audio or a command arrives."""

i18n.register({
    "recorder.not_configured": ("Не заданы коды региона, МСУ, ОО и номер аудитории: "
                                "заполните настройки", "Region, municipality, school and room "
                                "codes are not set: fill in the settings"),
    "recorder.no_device": ("Микрофон не подключён", "No microphone connected"),
    "recorder.internal": ("Внутренняя ошибка регистратора: {detail}",
                          "Internal recorder error: {detail}"),
    "recorder.internal.hint": ("Запись продолжается. Если сигнал не гаснет, сделайте выгрузку "
                               "и перезапустите устройство после окончания записи",
                               "Recording goes on. If the alarm stays, export and restart the "
                               "box after the recording is stopped"),
    "recorder.timeout": ("Регистратор не ответил вовремя", "The recorder did not answer in time"),
    "recorder.bad_date": ("Дата «{value}» не в формате ГГГГ-ММ-ДД",
                          "Date '{value}' is not in YYYY-MM-DD form"),
    "recorder.clock_refused": ("Начать запись нельзя. {reason}", "Cannot start. {reason}"),
    "recorder.unknown_command": ("Неизвестная команда «{cmd}»", "Unknown command '{cmd}'"),
})

STATE_EVENT = {Action.START: Event.STARTED, Action.PAUSE: Event.PAUSED,
               Action.RESUME: Event.RESUMED, Action.STOP: Event.STOPPED}


WAKE = object()
"""Put into the capture queue with each command: the pipeline, asleep on the queue, wakes."""


class Recorder:
    """The day session over one audio source. See the module docstring for threading."""

    def __init__(self, config: Config, source: AudioSource, clock: ClockGuard,
                 watchdog=None, on_fatal=None) -> None:
        self.config = config
        self.source = source
        self.format = source.format
        self.clock = clock
        self._watchdog = watchdog or (lambda: None)
        self._on_fatal = on_fatal or (lambda: None)
        """Called (on the pipeline thread) when the pipeline dies: the process must end."""
        self.fatal: BaseException | None = None
        block_frames = getattr(source, "block_frames", self.format.rate_hz // 10)
        self.queue: queue.Queue[CaptureItem] = queue.Queue(
            maxsize=max(16, QUEUE_S * self.format.rate_hz // block_frames))
        self.state = State.IDLE
        self.day: Day | None = None
        self.device_present = False
        self.device_detail = ""
        self.alarms = AlarmBoard(self._record, self._where)
        self.supervisor = WriteSupervisor()
        self.verdicts = VerdictJournal(self._record)
        self._last_supervise = 0.0
        self.monitor = AlarmMonitor(config.checks, self.format.rate_hz, self.format.channels)
        self.participants_live = ParticipantTracker(
            CheckLimits.from_config(config.participants), self.format.rate_hz)
        # the part cycle and the disk reactions are built on this output: bound late
        self.output = PartOutput(self.format.frame_bytes, rollover=lambda: self.parts.rollover(),
                                 failed=lambda err: self.disk_reactions.failed(err),
                                 wrote=self._wrote)
        self.progress = CaptureProgress()
        self.meter = LevelMeter(self.format.rate_hz, self.format.channels)
        self.summary = PartSummarySink(self.format.rate_hz, self.format.channels)
        self.sound_tests = SoundTestTap()
        self.sinks = (
            self.output,
            ParticipantSink(self.participants_live, lambda: self.writer is not None,
                            self._journal_check),
            self.progress, self.meter, self.summary,
            LiveAlarms(self.monitor, self._alarm_changed),
            self.sound_tests)
        """Every block goes to each in this order: the part's file first."""
        self.last_refusal: dict | None = None
        self._clock_shown: tuple[tuple, dict] | None = None
        self.commands = CommandQueue(wake=self._wake)
        self._held: CaptureItem | None = None
        """An item taken from the queue while gathering a batch, processed next."""
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_remember = 0.0
        self._last_error = 0.0
        self.internal_clear_s = INTERNAL_CLEAR_S
        rec = config.recording
        self.media = Media(config.data_dir, config.mirror.path, rec.reserve_mb * 1_000_000)
        guard = (self.format.rate_hz * self.format.frame_bytes * 3600,
                 rec.reserve_mb * 1_000_000, rec.disk_warn_hours)
        self.disk = (MediaDiskGuard(self.media, *guard) if self.media.mirrored
                     else DiskGuard(config.data_dir, *guard))
        day = lambda: self.day  # noqa: E731 - they read the day when they act: it changes
        self.markers = Markers(day, self.output, self.progress, self.participants_live,
                               self._journal_check, self.format.rate_hz)
        self.parts = PartCycle(
            day, self.format, clock, self.output, self.summary, self.progress, self.markers,
            self.alarms, max_part_bytes=lambda: self.config.recording.max_part_mb * 1_000_000,
            failed=lambda err: self.disk_reactions.failed(err))
        self.disk_reactions = DiskReactions(self.disk, self.parts, self.alarms, self.supervisor,
                                            self._record, self.progress)
        self.media_watch = MediaWatch(self.media, self.alarms.raise_alarm, self.alarms.clear,
                                      self._record, self.parts.next_part_now,
                                      config.mirror.catch_up_mb_s * 1_000_000)

    @property
    def writer(self):
        """The open part's writer, None when no part is open."""
        return self.output.writer

    @property
    def part(self) -> Part | None:
        """The open part, None when no part is open."""
        return self.parts.part

    @property
    def frames_processed(self) -> int:
        return self.progress.frames

    # ----- life cycle -------------------------------------------------------------------
    def start(self) -> None:
        """Recover every day, pick up a day interrupted mid-recording, then start capturing.
        A data disk that refuses writes (read-only) leaves the recorder running with the
        alarm on, so the box says what is wrong instead of dying."""
        try:
            self._recover_and_resume()
        except OSError as err:
            log.error("recovery impossible: %s", err)
            self.disk_reactions.failed(err)
        self.supervisor.armed()
        self.participants_live.refresh_status(self.day)
        self._thread = threading.Thread(target=self._run, name="recorder-pipeline", daemon=True)
        self._thread.start()
        self.source.start(self.queue)

    def close(self) -> None:
        """Stop capture, write every block already captured, seal the open part. After the
        pipeline died only the part is sealed (recovery at the next start does the rest)."""
        self.source.stop()
        self._stopping.set()
        if self._thread:
            self._thread.join(timeout=60)
        if self.fatal is None:
            self._drain()
        self.parts.close("shutdown")
        self.media_watch.close()
        if self.day:
            self.day.close()

    def __enter__(self) -> Recorder:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _recover_and_resume(self) -> None:
        interrupted = None
        for day in load_days(self.media, self.config.data_dir):
            try:
                self.media_watch.after_recovery(day, recover_day(day))
            except OSError as err:  # a read-only disk: the day's intent still counts
                log.error("day %s not recovered: %s", day.dir.name, describe(err))
                self.disk_reactions.failed(err)
            if day.state in (State.RECORDING, State.PAUSED):
                if interrupted:
                    interrupted.close()
                interrupted = day
            else:
                day.close()
        if interrupted is None:
            return
        clock = self.clock.status()
        if clock.ok and clock.now.date() != interrupted.date:
            interrupted.record(Event.STOPPED, part=None, frame=None, reason="next_day")
            interrupted.close()
            return
        self.day, self.state = interrupted, interrupted.state
        self._record(Event.RECORDER_STARTED, version=__version__, pid=os.getpid(),
                     state=self.state.value)
        log.info("continuing day %s in state %s", interrupted.date, self.state)

    # ----- commands (any thread) --------------------------------------------------------
    def handle(self, cmd: str, at_frame: int | None = None, **args: Any) -> dict:
        """Run a session command in the pipeline thread and return its result. It acts at
        capture frame `at_frame` (a button's first contact), by default the frame captured
        now; a marker (participant, pause, stop) asked for at a frame already written is placed
        back there: a long press acts after the hold, but the examiner meant its first contact."""
        try:
            action = Action(cmd)
        except ValueError:
            raise StateError("recorder.unknown_command", cmd=cmd) from None
        frame = self.source.frames_captured if at_frame is None else at_frame
        return self.commands.submit(Command(action, args, frame))

    def run_in_pipeline(self, name: str, run, **args: Any) -> dict:
        """Run `run(**args)` on the pipeline thread (which owns the day) when the audio
        captured so far has been processed; refusals are journaled like session commands."""
        return self.commands.submit(Command(name, args, self.source.frames_captured, run=run))

    def apply_config(self, config: Config) -> dict:
        """Swap in settings that are read when used (see appliance/recorder/reload.py)."""
        self.config = config
        return self.status()

    def capture_sound_test(self, seat: str, seconds: float) -> SoundTestCapture:
        """Capture the next `seconds` of sound for the test recording (any session state; the
        day's record is not touched) and wait for it."""
        capture = SoundTestCapture(seat, int(seconds * self.format.rate_hz),
                                   self.format.channels)
        self.sound_tests.add(capture)
        if not capture.done.wait(seconds + self.commands.timeout_s):
            raise ControlError("recorder.timeout")
        return capture

    def not_recording(self) -> dict | None:
        """The supervisor's verdict now: the `not_recording` alarm, or None."""
        thread = self._thread
        return self.supervisor.verdict(self.state is State.RECORDING, self.writer is not None,
                                       thread is None or thread.is_alive())

    def status(self) -> dict:
        """The status object (appliance.contract.status), as the control socket sends it."""
        day, writer, part = self.day, self.writer, self.part
        recorded = (day.view.recorded_frames if day else 0) + (writer.frames if writer else 0)
        not_recording = self.not_recording()
        alarms = list(self.alarms.active.values())
        return Status(
            state=self.state,
            day=day.info.get("date") if day else None,
            part=part.number if part else None,
            file=self.parts.file if day and part else None,
            part_frames=writer.frames if writer else 0,
            elapsed_s=round(recorded / self.format.rate_hz, 3),
            captured_frames=self.source.frames_captured,
            participants=len(day.view.segments()) if day else 0,
            participant=self.participants_live.status(),
            levels=self.meter.levels.to_dict(),
            levels_time=self.meter.levels_time,
            meter=self.meter.ballistics.reading.to_dict(),
            alarms=[not_recording, *alarms] if not_recording else alarms,
            overflows=self.progress.overflows,
            device={"name": self.source.name, "present": self.device_present,
                    "detail": self.device_detail},
            clock=self._clock_status(),
            configured=self.config.site.is_complete(),
            rate_hz=self.format.rate_hz,
            channels=self.format.channels,
            free_bytes=self.disk.reading.free_bytes if self.disk.reading else None,
            disk=self.disk.reading.to_dict() if self.disk.reading else None,
            last_refusal=self.last_refusal,
            mirror=self.media.status(),
            version=__version__,
        ).to_json()

    def _clock_status(self) -> dict:
        """The clock's judgement for the status, worked out at most once a second of the clock
        (it names the time to the second; the page and the LEDs ask for it)."""
        clock = self.clock
        key = (int(clock.now_s()), clock.declared, clock.last_seen)
        cached = self._clock_shown
        if cached is None or cached[0] != key:
            cached = self._clock_shown = (key, clock.status().to_dict())
        return cached[1]

    # ----- pipeline thread --------------------------------------------------------------
    def _run(self) -> None:
        try:
            while not self._stopping.is_set():
                try:
                    self._step()
                except Exception as err:  # the top of the thread: log, journal, keep recording
                    log.exception("pipeline error")
                    self._last_error = time.monotonic()
                    self.alarms.raise_alarm("internal", i18n.text("recorder.internal", detail=err),
                                      i18n.text("recorder.internal.hint"))
        except BaseException as err:  # the pipeline cannot go on: the process must end
            log.critical("the recorder pipeline died: %r", err)
            self.fatal = err
            self._on_fatal()

    def _step(self) -> None:
        self._apply_due_commands()
        self._watchdog()
        self._housekeeping()
        try:
            item = self._next_item(timeout_s=IDLE_WAIT_S)
        except queue.Empty:
            return
        self._process(item)

    def _drain(self) -> None:
        while True:
            try:
                self._process(self._next_item(timeout_s=None))
            except queue.Empty:
                break
        self._apply_due_commands(force=True)

    def _wake(self) -> None:
        try:
            self.queue.put_nowait(WAKE)
        except queue.Full:  # the pipeline is busy: it sees the command before its next block
            pass

    def _next_item(self, timeout_s: float | None) -> CaptureItem:
        """The held item, else the queue's next (waiting up to `timeout_s`, None: not at all)."""
        item, self._held = self._held, None
        if item is not None:
            return item
        return self.queue.get(timeout=timeout_s) if timeout_s else self.queue.get_nowait()

    def _apply_due_commands(self, force: bool = False) -> None:
        self.commands.apply_due(self.frames_processed, self._apply_command, force)

    def _apply_command(self, command: Command) -> None:
        try:
            if command.run is not None:
                command.result = command.run(**command.args)
            else:
                command.result = self._apply(command.action, command.args, command.frame)
        except ApplianceError as err:
            command.error = err
            self._refused(command, err)
        except OSError as err:
            self.disk_reactions.failed(err)
            command.error = StorageError("recorder.storage_failed", detail=describe(err))
            self._refused(command, command.error)
        except Exception as err:
            command.error = ApplianceError("recorder.internal", detail=err)
            raise
        self.participants_live.refresh_status(self.day)

    def _process(self, item: CaptureItem) -> None:
        if item is WAKE:  # the commands it announced are applied before the next item
            return
        if item.kind is ItemKind.BLOCK:
            self._process_blocks(self._backlog(item))
        elif item.kind is ItemKind.DEVICE_LOST:
            self._device_lost(item.detail)
        else:
            self._device_present(item.detail)

    def _backlog(self, first: CaptureItem) -> list[CaptureItem]:
        """`first` and the blocks of its size queued right behind it (up to BATCH_BLOCKS): one
        block at real time, several when the pipeline is catching up after a stall."""
        batch = [first]
        while len(batch) < BATCH_BLOCKS:
            try:
                item = self.queue.get_nowait()
            except queue.Empty:
                break
            if item is WAKE:  # due commands are applied between the batch's blocks anyway
                continue
            if item.kind is not ItemKind.BLOCK or len(item.pcm) != len(first.pcm):
                self._held = item
                break
            batch.append(item)
        return batch

    def _process_blocks(self, batch: list[CaptureItem]) -> None:
        """Each block in order, exactly as if it came alone (commands due before it are
        applied first); only the levels are computed, in one join of the batch's audio, and
        the audio put into the part's file, for the whole batch at once."""
        pcm = batch[0].pcm if len(batch) == 1 else b"".join(item.pcm for item in batch)
        samples = np.frombuffer(pcm, dtype=np.int16).reshape(len(batch), -1,
                                                             self.format.channels)
        for n, (item, levels) in enumerate(zip(batch, levels_of_blocks(samples), strict=True)):
            if n:
                self._apply_due_commands()
            self._process_block(item, samples[n], levels)
        if self.output.flush() and self.state is State.RECORDING:
            self.supervisor.reached()

    def _process_block(self, item: CaptureItem, samples: np.ndarray, levels) -> None:
        if (self.state is State.RECORDING and self.writer is None and self.device_present
                and not self.disk.full and time.monotonic() >= self.parts.retry_open_at):
            self.parts.reopen()
        block = Block(item.pcm, samples, levels, item.start_frame, item.overflowed,
                      self.state is State.RECORDING)
        for sink in self.sinks:
            sink.feed(block)

    def _alarm_changed(self, change) -> None:
        frame = self.writer.frames if self.writer else None
        self.alarms.sound_changed(change, journaled=self.state is State.RECORDING)
        self.summary.alarm(change, frame)

    def _wrote(self, nbytes: int) -> None:
        self.disk.wrote(nbytes)

    def _device_lost(self, detail: str) -> None:
        self.device_present, self.device_detail = False, detail
        self.supervisor.blocked(Cause.NO_DEVICE, detail)
        self.alarms.raise_alarm("no_device", i18n.text("recorder.no_device"))
        self.parts.close("device_lost")
        self._record(Event.DEVICE_LOST, device=self.source.name, reason=detail)
        self.parts.reopen_label = "marker.after_device"

    def _device_present(self, detail: str) -> None:
        was_lost = not self.device_present and "no_device" in self.alarms
        self.device_present, self.device_detail = True, detail
        if was_lost:
            self._record(Event.DEVICE_RETURNED, device=self.source.name, reason=detail)
        self.alarms.clear("no_device")

    def _housekeeping(self) -> None:
        now = time.monotonic()
        if now - self._last_remember >= REMEMBER_CLOCK_S:
            self._last_remember = now
            self.clock.remember()
        if self.disk.due():
            self.disk_reactions.watch(self.state is State.RECORDING)
        if "internal" in self.alarms and now - self._last_error >= self.internal_clear_s:
            self.alarms.clear("internal")
        if now - self._last_supervise >= SUPERVISE_S:
            self._last_supervise = now
            self.verdicts.update(self.not_recording())
        self.media_watch.tick(self.day)

    # ----- session ----------------------------------------------------------------------
    def _apply(self, action: Action, args: dict, at_frame: int) -> dict:
        if action in (Action.START, Action.RESUME):
            self._check_can_record(action, args)
        if action is Action.MARK and self.state is State.RECORDING and self.writer is None:
            raise self._not_writing_error()
        new_state, effects = transition(self.state, action, self.config.recording.pause_mode)
        if action is Action.START:
            self._enter_day(args.get("date"))
        if action in STATE_EVENT:  # the intent is durable before anything that depends on it
            part, frame = self.markers.intent_position(self.part, effects, at_frame)
            self.day.record(STATE_EVENT[action], part=part, frame=frame,
                            source=args.get("source", "cli"))
            self.state = new_state
            if new_state is State.RECORDING:
                self.supervisor.armed()
        marker = None
        for effect in effects:
            if effect is Effect.OPEN_PART:
                if self.writer is None:
                    self.parts.open()
            elif effect is Effect.CLOSE_PART:
                self.parts.close(action.value)
            else:
                marker = self.markers.place(self.part, effect, label=args.get("label"),
                                            requested=args.get("participant"),
                                            at_frame=at_frame)
        self.last_refusal = None
        if action is Action.MARK:
            return {"marker": marker, "status": self.status()}
        return self.status()

    def _check_can_record(self, action: Action, args: dict) -> None:
        if not self.config.site.is_complete():
            raise StateError("recorder.not_configured")
        self.disk_reactions.watch(self.state is State.RECORDING)
        if not self.device_present or self.disk.full:
            raise self._not_writing_error()
        if action is Action.START and not args.get("date"):
            clock = self.clock.status()
            if not clock.ok:
                raise ClockError("recorder.clock_refused", reason=clock.reason)

    def _not_writing_error(self) -> ApplianceError:
        """Why nothing can be written now: the disk, else the microphone."""
        return self.disk_reactions.refusal() or StateError("recorder.no_device")

    def _enter_day(self, explicit_date: str | None) -> None:
        clock = self.clock.status()
        if explicit_date:
            try:
                date = dt.date.fromisoformat(explicit_date)
            except ValueError:
                raise StateError("recorder.bad_date", value=explicit_date) from None
            source = clock.source if clock.ok else "manual"
        else:
            date, source = clock.now.date(), clock.source
        if self.day and self.day.date == date:
            return
        if self.day:
            self.day.close()
        self.day = open_day(self.media, self.config.data_dir, date)
        if not self.day.info:
            site, rec = self.config.site, self.config.recording
            self.day.record(Event.DAY_OPENED, date=date.isoformat(), region=site.region,
                            msu=site.msu, school=site.school, room=site.room, naming=rec.naming,
                            pause_mode=rec.pause_mode, rate_hz=self.format.rate_hz,
                            channels=self.format.channels, clock_source=source,
                            keep_until=self._keep_until(date).isoformat(), version=__version__)

    def _journal_check(self, payload: dict | None) -> None:
        if payload is not None and self.day:
            self.day.record(Event.PARTICIPANT_CHECK, **payload)
            self.participants_live.refresh_status(self.day)

    def _refused(self, command: Command, err: ApplianceError) -> None:
        name = command.name
        self.last_refusal = {"command": name, "code": err.code,
                             "message": err.message(), "time": time.time()}
        self._record(Event.COMMAND_REFUSED, command=name,
                     source=command.args.get("source", "cli"), code=err.code,
                     message=err.message())

    def _keep_until(self, date: dt.date) -> dt.date:
        """The day's keep-until date by `[export]` (1 March of the next year by default)."""
        return RetentionRule.from_config(self.config.export).date_for(date)

    def _where(self) -> tuple[int | None, int | None]:
        """The open part and its frame now, for an alarm's journal line (Nones: none open)."""
        return (self.part.number if self.part else None,
                self.writer.frames if self.writer else None)

    def _record(self, event: Event, **data: object) -> bool:
        """Journal an event about the box (alarm, device, disk) if there is a day and the disk
        takes it; a refused line is logged (the alarm it reports is already on). False when
        refused."""
        if self.day is None:
            return True
        try:
            self.day.record(event, **data)
        except OSError as err:
            log.error("journal refused %s %s: %s", event.value, data.get("code", ""),
                      describe(err))
            return False
        return True

