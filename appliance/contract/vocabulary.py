"""The recorder's control vocabulary: the names every process uses when it talks to it.

Command names on the control socket, session states and actions, the examiner's button
actions, LED pattern names, USB drive states and clock sources. The recorder, the CLI, the web
page, the LEDs and the serial panel all take them from here, so a name is spelled once; adding
a command is one line in `Command`.
"""

from __future__ import annotations

import enum

from appliance import i18n

i18n.register({
    "state.idle": ("ожидание", "idle"),
    "state.recording": ("идёт запись", "recording"),
    "state.paused": ("пауза", "paused"),
    "state.stopped": ("запись завершена", "stopped"),
    "session.action.start": ("Начать запись", "Start"),
    "session.action.mark": ("Следующий участник", "Next participant"),
    "session.action.pause": ("Пауза", "Pause"),
    "session.action.resume": ("Продолжить", "Resume"),
    "session.action.stop": ("Завершить день", "End the day"),
})


class State(enum.StrEnum):
    """The day session's state (`status["state"]`)."""

    IDLE = "idle"
    RECORDING = "recording"
    PAUSED = "paused"
    STOPPED = "stopped"

    @property
    def text(self) -> str:
        """The state as the user reads it."""
        return i18n.text(f"state.{self.value}")


class Action(enum.StrEnum):
    """Session commands: what the examiner's button and the page's controls do, in the page's
    order."""

    START = "start"
    MARK = "mark"
    PAUSE = "pause"
    RESUME = "resume"
    STOP = "stop"

    @property
    def text(self) -> str:
        """The command as its button is labelled."""
        return i18n.text(f"session.action.{self.value}")


class Command(enum.StrEnum):
    """Every other command the control socket answers (session commands are `Action`)."""

    STATUS = "status"
    DEVICES = "devices"
    SET_CLOCK = "set_clock"
    TEST = "test"
    CORRECT_MARKER = "correct_marker"
    PARTICIPANT_INFO = "participant_info"
    PURGE = "purge"
    SAVE_ROSTER = "save_roster"
    SET_NEZACHET = "set_nezachet"
    DRIVE = "drive"
    EXPORT = "export"
    BUTTON = "button"
    """Presses the simulated examiner's button (only with simulated GPIO)."""
    RELOAD_CONFIG = "reload_config"


class ButtonAction(enum.StrEnum):
    """What the `button` command does to the simulated button."""

    PRESS = "press"
    RELEASE = "release"


class LedPattern(enum.StrEnum):
    """What the two LEDs show (docs/LEDS.md); the serial panel and the page are told the name."""

    NOT_READY = "not_ready"
    READY = "ready"
    RECORDING = "recording"
    PAUSED = "paused"
    ALARM = "alarm"
    EXPORT_RUNNING = "export_running"
    EXPORT_FAILED = "export_failed"
    SAFE_TO_REMOVE = "safe_to_remove"
    FAULT = "fault"
    NOT_RECORDING = "not_recording"
    PRESSED = "pressed"
    LONG_REACHED = "long_reached"
    REFUSED = "refused"


class DriveState(enum.StrEnum):
    """The USB drive as the `drive` command reports it."""

    ABSENT = "absent"
    MOUNTED = "mounted"
    EXPORTING = "exporting"
    SAFE_TO_REMOVE = "safe_to_remove"
    FAILED = "failed"


class ClockSource(enum.StrEnum):
    """Where the box's time comes from (`status["clock"]["source"]`)."""

    NTP = "ntp"
    RTC = "rtc"
    BROWSER = "browser"
    UNKNOWN = "unknown"


TRUSTED_CLOCK_SOURCES = (ClockSource.NTP, ClockSource.RTC)

SEATS = ("participant", "examiner")
"""The two microphone seats a sound test records, participant first."""
