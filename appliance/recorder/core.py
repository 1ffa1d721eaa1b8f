"""The recorder: turns the capture stream into the day's parts, markers and journal.

One pipeline thread consumes the capture queue in order. A command (start, mark, pause, …)
records the frame count captured when it arrived and takes effect once every block captured
before it has been processed, so its position in the part is the moment it was given (to one
block), however far the writer lags behind. When the pipeline is caught up (the normal case),
commands take effect at once.

Threading: `handle` and `status` may be called from any thread; everything else runs on the
pipeline thread.
"""

from __future__ import annotations

import collections
import datetime as dt
import json
import logging
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from appliance import __version__, i18n
from appliance.capture.source import AudioSource, CaptureItem, ItemKind
from appliance.capture.wavfile import build_header
from appliance.capture.writer import WavPartWriter
from appliance.clock import ClockGuard
from appliance.config import Config
from appliance.dsp.alarms import AlarmMonitor
from appliance.dsp.levels import BlockLevels, block_levels, levels_of_blocks
from appliance.dsp.meter import MeterBallistics
from appliance.dsp.summary import PartSummary
from appliance.errors import ApplianceError, ClockError, ControlError, StateError, StorageError
from appliance.export.retention import keep_until_for
from appliance.fsutil import atomic_write_text
from appliance.journal import Event
from appliance.participants.flags import CheckLimits
from appliance.participants.live import ParticipantTracker
from appliance.recorder.day import PRIVATE, Day, PartRecord, find_days
from appliance.recorder.recovery import recover_day
from appliance.recorder.session import Action, Effect, State, transition
from appliance.recorder.storage import DiskGuard
from appliance.recorder.test_recording import TestCapture

log = logging.getLogger(__name__)

QUEUE_S = 120  # seconds of audio the pipeline may lag behind capture
BATCH_BLOCKS = 50  # queued blocks whose levels are computed together when catching up
COMMAND_TIMEOUT_S = 10.0
REMEMBER_CLOCK_S = 60.0
INTERNAL_CLEAR_S = 10.0  # an internal error's alarm clears after this long without another

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
    "recorder.disk_full": ("Недостаточно места на диске: свободно {free_mb} МБ",
                           "Not enough disk space: {free_mb} MB free"),
    "recorder.timeout": ("Регистратор не ответил вовремя", "The recorder did not answer in time"),
    "recorder.bad_date": ("Дата «{value}» не в формате ГГГГ-ММ-ДД",
                          "Date '{value}' is not in YYYY-MM-DD form"),
    "recorder.clock_refused": ("Начать запись нельзя. {reason}", "Cannot start. {reason}"),
    "recorder.unknown_command": ("Неизвестная команда «{cmd}»", "Unknown command '{cmd}'"),
    "marker.start": ("Начало записи", "Recording started"),
    "marker.pause": ("Пауза", "Pause"),
    "marker.resume": ("Продолжение", "Resumed"),
    "marker.stop": ("Конец записи", "Recording stopped"),
    "marker.after_restart": ("Продолжение после перезапуска", "Resumed after a restart"),
    "marker.after_device": ("Продолжение после отключения микрофона",
                            "Resumed after the microphone came back"),
    "marker.after_disk": ("Продолжение после освобождения места на диске",
                          "Resumed after disk space was freed"),
})

MARK_LABELS = {Effect.MARK_START: "marker.start", Effect.MARK_PAUSE: "marker.pause",
               Effect.MARK_RESUME: "marker.resume", Effect.MARK_STOP: "marker.stop"}
STATE_EVENT = {Action.START: Event.STARTED, Action.PAUSE: Event.PAUSED,
               Action.RESUME: Event.RESUMED, Action.STOP: Event.STOPPED}


@dataclass
class Command:
    action: Action | str
    args: dict
    frame: int
    done: threading.Event = field(default_factory=threading.Event)
    run: Any = None
    """For commands that are not session actions: a callable run on the pipeline thread."""
    result: dict | None = None
    error: ApplianceError | None = None


class Recorder:
    """The day session over one audio source. See the module docstring for threading."""

    def __init__(self, config: Config, source: AudioSource, clock: ClockGuard,
                 watchdog=None) -> None:
        self.config = config
        self.source = source
        self.format = source.format
        self.clock = clock
        self._watchdog = watchdog or (lambda: None)
        block_frames = getattr(source, "block_frames", self.format.rate_hz // 10)
        self.queue: queue.Queue[CaptureItem] = queue.Queue(
            maxsize=max(16, QUEUE_S * self.format.rate_hz // block_frames))
        self.state = State.IDLE
        self.day: Day | None = None
        self.writer: WavPartWriter | None = None
        self.part: PartRecord | None = None
        self.device_present = False
        self.device_detail = ""
        self.frames_processed = 0
        self.overflows = 0
        self.levels = block_levels(np.zeros((0, self.format.channels), np.int16))
        self.levels_time = 0.0
        self.meter = MeterBallistics(self.format.channels)
        self.alarms: dict[str, dict] = {}
        self.monitor = AlarmMonitor(config.checks, self.format.rate_hz, self.format.channels)
        self.summary: PartSummary | None = None
        self.tests: collections.deque[TestCapture] = collections.deque()
        self.participants_live = ParticipantTracker(
            CheckLimits.from_config(config.participants), self.format.rate_hz)
        self.last_refusal: dict | None = None
        self._reopen_label = "marker.after_restart"
        self._commands: collections.deque[Command] = collections.deque()
        self._held: CaptureItem | None = None
        """An item taken from the queue while gathering a batch, processed next."""
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_remember = 0.0
        self._last_error = 0.0
        self.internal_clear_s = INTERNAL_CLEAR_S
        rec = config.recording
        self.disk = DiskGuard(config.data_dir, self.format.rate_hz * self.format.frame_bytes * 3600,
                              rec.reserve_mb * 1_000_000, rec.disk_warn_hours)

    # ----- life cycle -------------------------------------------------------------------
    def start(self) -> None:
        """Recover every day, pick up a day interrupted mid-recording, then start capturing."""
        self._recover_and_resume()
        self.participants_live.refresh_status(self.day)
        self._thread = threading.Thread(target=self._run, name="recorder-pipeline", daemon=True)
        self._thread.start()
        self.source.start(self.queue)

    def close(self) -> None:
        """Stop capture, write every block already captured, seal the open part."""
        self.source.stop()
        self._stopping.set()
        if self._thread:
            self._thread.join(timeout=60)
        self._drain()
        if self.writer:
            self._close_part("shutdown")
        if self.day:
            self.day.close()

    def __enter__(self) -> Recorder:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _recover_and_resume(self) -> None:
        interrupted = None
        for directory in find_days(self.config.data_dir):
            day = Day.load(directory)
            recover_day(day)
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
        return self._wait(Command(action, args, frame))

    def run_in_pipeline(self, name: str, run, **args: Any) -> dict:
        """Run `run(**args)` on the pipeline thread (which owns the day) when the audio
        captured so far has been processed; refusals are journaled like session commands."""
        return self._wait(Command(name, args, self.source.frames_captured, run=run))

    def apply_config(self, config: Config) -> dict:
        """Swap in settings that are read when used (see appliance/recorder/reload.py)."""
        self.config = config
        return self.status()

    def _wait(self, command: Command) -> dict:
        self._commands.append(command)
        if not command.done.wait(COMMAND_TIMEOUT_S):
            raise ControlError("recorder.timeout")
        if command.error:
            raise command.error
        return command.result

    def test_recording(self, seat: str, seconds: float) -> TestCapture:
        """Capture the next `seconds` of sound for the test recording (any session state; the
        day's record is not touched) and wait for it."""
        capture = TestCapture(seat, int(seconds * self.format.rate_hz), self.format.channels)
        self.tests.append(capture)
        if not capture.done.wait(seconds + COMMAND_TIMEOUT_S):
            raise ControlError("recorder.timeout")
        return capture

    def status(self) -> dict:
        day, writer, part = self.day, self.writer, self.part
        recorded = (day.recorded_frames if day else 0) + (writer.frames if writer else 0)
        return {
            "state": self.state.value,
            "day": day.info.get("date") if day else None,
            "part": part.part if part else None,
            "file": str(day.path(part)) if day and part else None,
            "part_frames": writer.frames if writer else 0,
            "elapsed_s": round(recorded / self.format.rate_hz, 3),
            "captured_frames": self.source.frames_captured,
            "participants": day.participants if day else 0,
            "participant": self.participants_live.status(),
            "levels": self.levels.to_dict(),
            "levels_time": self.levels_time,
            "meter": self.meter.reading.to_dict(),
            "alarms": list(self.alarms.values()),
            "overflows": self.overflows,
            "device": {"name": self.source.name, "present": self.device_present,
                       "detail": self.device_detail},
            "clock": self.clock.status().to_dict(),
            "configured": self.config.site.is_complete(),
            "rate_hz": self.format.rate_hz,
            "channels": self.format.channels,
            "free_bytes": self.disk.reading.free_bytes if self.disk.reading else None,
            "disk": self.disk.reading.to_dict() if self.disk.reading else None,
            "last_refusal": self.last_refusal,
            "version": __version__,
        }

    # ----- pipeline thread --------------------------------------------------------------
    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self._step()
            except Exception as err:  # the top of the thread: log, journal, keep recording
                log.exception("pipeline error")
                self._last_error = time.monotonic()
                self._raise_alarm("internal", i18n.text("recorder.internal", detail=err),
                                  i18n.text("recorder.internal.hint"))

    def _step(self) -> None:
        self._apply_due_commands()
        self._watchdog()
        self._housekeeping()
        try:
            item = self._next_item(timeout_s=0.01)  # also how soon a command is seen
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

    def _next_item(self, timeout_s: float | None) -> CaptureItem:
        """The held item, else the queue's next (waiting up to `timeout_s`, None: not at all)."""
        item, self._held = self._held, None
        if item is not None:
            return item
        return self.queue.get(timeout=timeout_s) if timeout_s else self.queue.get_nowait()

    def _apply_due_commands(self, force: bool = False) -> None:
        while self._commands and (force or self._commands[0].frame <= self.frames_processed):
            command = self._commands.popleft()
            try:
                if command.run is not None:
                    command.result = command.run(**command.args)
                else:
                    command.result = self._apply(command.action, command.args, command.frame)
            except ApplianceError as err:
                command.error = err
                self._refused(command, err)
            self.participants_live.refresh_status(self.day)
            command.done.set()

    def _process(self, item: CaptureItem) -> None:
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
            if item.kind is not ItemKind.BLOCK or len(item.pcm) != len(first.pcm):
                self._held = item
                break
            batch.append(item)
        return batch

    def _process_blocks(self, batch: list[CaptureItem]) -> None:
        """Each block in order, exactly as if it came alone (commands due before it are
        applied first); only the levels are computed, and the audio put into the part's file,
        for the whole batch at once."""
        pcm = batch[0].pcm if len(batch) == 1 else b"".join(item.pcm for item in batch)
        blocks = np.frombuffer(pcm, dtype=np.int16).reshape(len(batch), -1,
                                                            self.format.channels)
        for n, (item, levels) in enumerate(zip(batch, levels_of_blocks(blocks), strict=True)):
            if n:
                self._apply_due_commands()
            self._process_block(item, blocks[n], levels)
        self._flush_part()

    def _process_block(self, item: CaptureItem, block: np.ndarray, levels: BlockLevels) -> None:
        if (self.state is State.RECORDING and self.writer is None and self.device_present
                and not self.disk.full):
            self._open_part()
            self._mark_effect(Effect.MARK_RESUME, label_key=self._reopen_label)
        if self.state is State.RECORDING and self.writer:
            self._write(item.pcm)
            self._journal_check(self.participants_live.feed(block))
        self.frames_processed = item.start_frame + block.shape[0]
        self.overflows += item.overflowed
        self.levels = levels
        self.levels_time = time.time()
        self.meter.update(levels, block.shape[0] / self.format.rate_hz)
        if self.summary and self.state is State.RECORDING:
            self.summary.feed(block, levels)
        for change in self.monitor.feed(block, levels, item.overflowed,
                                        speech_expected=self.state is State.RECORDING):
            self._alarm_changed(change)
        if self.tests:
            self._feed_tests(block)

    def _feed_tests(self, block: np.ndarray) -> None:
        while self.tests and self.tests[0].feed(block):
            self.tests.popleft()

    def _alarm_changed(self, change) -> None:
        alarm, frame = change.alarm, self.writer.frames if self.writer else None
        if change.active:
            self.alarms[alarm.code] = {**alarm.to_dict(), "since": time.time()}
        else:
            self.alarms.pop(alarm.code, None)
        if self.summary and frame is not None:
            self.summary.alarm(change, frame)
        if self.day and self.state is State.RECORDING:
            self.day.record(Event.ALARM if change.active else Event.ALARM_CLEARED,
                            code=alarm.code, message=alarm.message, value=round(alarm.value, 3),
                            part=self.part.part if self.part else None, frame=frame)

    def _write(self, pcm: bytes) -> None:
        view = memoryview(pcm)
        frame_bytes = self.format.frame_bytes
        while view:
            room = self.writer.room_frames()
            if room <= 0:
                self._close_part("rollover")
                self._open_part()
                continue
            chunk = min(room * frame_bytes, len(view))
            try:
                self.writer.write(view[:chunk])
            except OSError as err:
                self._disk_failed(err)
                return
            self.disk.wrote(chunk)
            view = view[chunk:]

    def _flush_part(self) -> None:
        """The audio of the batch into the part's file, in one system call."""
        if self.writer:
            try:
                self.writer.flush()
            except OSError as err:
                self._disk_failed(err)

    def _disk_failed(self, err: OSError) -> None:
        """The disk filled faster than the reserve could catch."""
        self._suspend_for_disk(f"{err.strerror} ({err.errno})")

    def _device_lost(self, detail: str) -> None:
        self.device_present, self.device_detail = False, detail
        if self.writer:
            self._close_part("device_lost")
        if self.day:
            self.day.record(Event.DEVICE_LOST, device=self.source.name, reason=detail)
        self._raise_alarm("no_device", i18n.text("recorder.no_device"))
        self._reopen_label = "marker.after_device"

    def _device_present(self, detail: str) -> None:
        was_lost = not self.device_present and "no_device" in self.alarms
        self.device_present, self.device_detail = True, detail
        if self.day and was_lost:
            self.day.record(Event.DEVICE_RETURNED, device=self.source.name, reason=detail)
        self._clear_alarm("no_device")

    def _housekeeping(self) -> None:
        now = time.monotonic()
        if now - self._last_remember >= REMEMBER_CLOCK_S:
            self._last_remember = now
            self.clock.remember()
        if self.disk.due():
            self._watch_disk()
        if "internal" in self.alarms and now - self._last_error >= self.internal_clear_s:
            self._clear_alarm("internal")

    def _watch_disk(self) -> None:
        reading = self.disk.check()
        if reading is None:
            return
        if reading.low and not reading.full:
            self._raise_alarm("disk_low", i18n.text("disk.low", hours=reading.hours_left),
                              i18n.text("disk.low.hint"))
        else:
            self._clear_alarm("disk_low")
        if reading.full and self.writer:
            self._suspend_for_disk(f"free {reading.free_bytes} B")
        elif not reading.full and "disk_full" in self.alarms:
            if self.day:
                self.day.record(Event.DISK_RECOVERED, free_bytes=reading.free_bytes)
            self._clear_alarm("disk_full")

    def _suspend_for_disk(self, detail: str) -> None:
        """Close the part while the reserve still holds its seal; resume when space returns."""
        self.disk.full = True
        if self.writer:
            self._close_part("disk_full")
        self._raise_alarm("disk_full", i18n.text("disk.full"), i18n.text("disk.full.hint"))
        if self.day:
            self.day.record(Event.DISK_FULL, detail=detail, capture_frame=self.frames_processed)
        self._reopen_label = "marker.after_disk"

    # ----- session ----------------------------------------------------------------------
    def _apply(self, action: Action, args: dict, at_frame: int) -> dict:
        if action in (Action.START, Action.RESUME):
            self._check_can_record(action, args)
        if action is Action.MARK and self.state is State.RECORDING and self.writer is None:
            raise self._not_writing_error()
        new_state, effects = transition(self.state, action, self.config.recording.pause_mode)
        if action is Action.START:
            self._enter_day(args.get("date"))
        marker = None
        for effect in effects:
            if effect is Effect.OPEN_PART:
                if self.writer is None:
                    self._open_part()
            elif effect is Effect.CLOSE_PART:
                if self.writer:
                    self._close_part(action.value)
            else:
                marker = self._mark_effect(effect, label=args.get("label"),
                                           requested=args.get("participant"),
                                           at_frame=at_frame)
        self.state = new_state
        if action in STATE_EVENT:
            where = marker or {"part": None, "frame": None}
            self.day.record(STATE_EVENT[action], part=where["part"], frame=where["frame"],
                            source=args.get("source", "cli"))
        self.last_refusal = None
        if action is Action.MARK:
            return {"marker": marker, "status": self.status()}
        return self.status()

    def _check_can_record(self, action: Action, args: dict) -> None:
        if not self.config.site.is_complete():
            raise StateError("recorder.not_configured")
        self._watch_disk()
        if not self.device_present or self.disk.full:
            raise self._not_writing_error()
        if action is Action.START and not args.get("date"):
            clock = self.clock.status()
            if not clock.ok:
                raise ClockError("recorder.clock_refused", reason=clock.reason)

    def _not_writing_error(self) -> ApplianceError:
        if self.disk.full and self.disk.reading:
            return StorageError("recorder.disk_full",
                                free_mb=self.disk.reading.free_bytes // 1_000_000)
        return StateError("recorder.no_device")

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
        self.day = Day.open(self.config.data_dir, date)
        if not self.day.info:
            site, rec = self.config.site, self.config.recording
            self.day.record(Event.DAY_OPENED, date=date.isoformat(), region=site.region,
                            msu=site.msu, school=site.school, room=site.room, naming=rec.naming,
                            pause_mode=rec.pause_mode, rate_hz=self.format.rate_hz,
                            channels=self.format.channels, clock_source=source,
                            keep_until=self._keep_until(date).isoformat(), version=__version__)

    def _open_part(self) -> None:
        day, number = self.day, self.day.next_part
        file = day.stem(number) + ".wav"
        bext = day.bext(number, self.clock.status().now, self.format)
        header = build_header(self.format, bext)
        day.record(Event.PART_OPENED, part=number, file=file, rate_hz=self.format.rate_hz,
                   channels=self.format.channels, capture_frame=self.frames_processed,
                   header=header.hex())
        self.part = day.parts[number]
        self.summary = PartSummary(self.format.rate_hz, self.format.channels)
        self.writer = WavPartWriter(day.path(self.part), self.format, bext,
                                    max_bytes=self.config.recording.max_part_mb * 1_000_000)

    def _journal_check(self, payload: dict | None) -> None:
        if payload is not None and self.day:
            self.day.record(Event.PARTICIPANT_CHECK, **payload)
            self.participants_live.refresh_status(self.day)

    def _close_part(self, reason: str) -> None:
        self._journal_check(self.participants_live.end())
        writer, part, summary = self.writer, self.part, self.summary
        self.writer = self.part = self.summary = None  # never write to a half-closed part
        writer.close(self.day.cues(part))
        self.day.seal(part, reason)
        summary_path = self.day.path(part).with_suffix(".summary.json")
        atomic_write_text(summary_path, json.dumps(summary.to_dict(), ensure_ascii=False,
                                                   indent=1), PRIVATE)

    def _mark_effect(self, effect: Effect, label: str | None = None,
                     label_key: str | None = None, requested: int | None = None,
                     at_frame: int | None = None) -> dict | None:
        if self.writer is None:
            return None
        participant = None
        self._journal_check(self.participants_live.end())
        if effect is Effect.MARK_PARTICIPANT:
            participant = self.participants_live.choose(self.day, requested)
            label = label or i18n.text("marker.participant", n=participant)
            kind = "participant"
        else:
            kind = effect.value
            label = label or i18n.text(label_key or MARK_LABELS[effect])
        late = max(0, self.frames_processed - at_frame) if at_frame is not None else 0
        frame = max(0, self.writer.frames - late)  # never before the part's first sample
        capture_frame = self.frames_processed - (self.writer.frames - frame)
        self.day.record(Event.MARKER, part=self.part.part, frame=frame, kind=kind, label=label,
                        participant=participant, capture_frame=capture_frame)
        self.day.write_sidecars(self.part)
        if participant is not None:
            self.participants_live.begin(participant, self.part.part, frame)
        return {"part": self.part.part, "frame": frame,
                "time_s": round(frame / self.format.rate_hz, 6), "kind": kind, "label": label,
                "participant": participant}

    def _refused(self, command: Command, err: ApplianceError) -> None:
        name = command.action if command.run is not None else command.action.value
        self.last_refusal = {"command": name, "code": err.code,
                             "message": err.message(), "time": time.time()}
        if self.day:
            self.day.record(Event.COMMAND_REFUSED, command=name,
                            source=command.args.get("source", "cli"), code=err.code,
                            message=err.message())

    def _keep_until(self, date: dt.date) -> dt.date:
        """The day's keep-until date by `[export]` (1 March of the next year by default)."""
        export = self.config.export
        return keep_until_for(date, export.keep_years, export.keep_until)

    def _raise_alarm(self, code: str, message: str, hint: str = "") -> None:
        if code in self.alarms:
            return
        self.alarms[code] = {"code": code, "message": message, "hint": hint,
                             "since": time.time()}
        if self.day:
            self.day.record(Event.ALARM, code=code, message=message,
                            part=self.part.part if self.part else None,
                            frame=self.writer.frames if self.writer else None)

    def _clear_alarm(self, code: str) -> None:
        if self.alarms.pop(code, None) and self.day:
            self.day.record(Event.ALARM_CLEARED, code=code, message="", part=None, frame=None)
