"""`appliance ctl …` and `appliance status`: talk to the running recorder."""

from __future__ import annotations

import json

from appliance import config as config_mod
from appliance import i18n
from appliance.contract.control import ControlClient
from appliance.contract.status import Status
from appliance.contract.vocabulary import Action, Command

i18n.register({
    "status.line": ("Состояние: {state}; день: {day}; часть: {part}; записано: {elapsed}; "
                    "уровень: {levels} дБFS; микрофон: {device}",
                    "State: {state}; day: {day}; part: {part}; recorded: {elapsed}; "
                    "level: {levels} dBFS; microphone: {device}"),
    "status.alarm": ("Тревога: {message}", "Alarm: {message}"),
    "status.clock": ("Часы: {reason}", "Clock: {reason}"),
    "status.mirror": ("Резервная копия: {text}", "Safety copy: {text}"),
    "status.present": ("подключён", "connected"),
    "status.not_recording": ("запись включена, но НЕ ИДЁТ", "recording on, but NOT RECORDING"),
    "status.absent": ("нет", "missing"),
    "test.say.participant": ("Шаг 1. Говорите с места участника {seconds:.0f} с: «раз-два-три, "
                             "Иванов Иван Иванович, вариант три»…",
                             "Step 1. Speak from the participant's seat for {seconds:.0f} s…"),
    "test.say.examiner": ("Шаг 2. Говорите с места экзаменатора-собеседника {seconds:.0f} с…",
                          "Step 2. Speak from the examiner's seat for {seconds:.0f} s…"),
    "test.overall": ("Итог пробной записи: {status}", "Test recording verdict: {status}"),
    "test.no_remarks": ("замечаний нет", "no remarks"),
    "test.severity.warn": ("замечание", "warning"),
    "test.severity.fail": ("не годно", "fail"),
    "test.seat.participant": ("место участника", "participant's seat"),
    "test.seat.examiner": ("место экзаменатора", "examiner's seat"),
    "ctl.marker": ("Метка «{label}»: часть {part}, {time_s:.3f} с",
                   "Marker '{label}': part {part}, {time_s:.3f} s"),
})


def register(subparsers, common) -> None:
    ctl = subparsers.add_parser("ctl", parents=[common], help="команда регистратору")
    ctl.add_argument("action", choices=[*Action, Command.TEST])
    ctl.add_argument("--label", help="подпись метки (для mark)")
    ctl.add_argument("--date", help="дата дня ГГГГ-ММ-ДД, если часы не установлены (для start)")
    ctl.add_argument("--seconds", type=float,
                     help="длительность пробной записи с каждого места, с (для test; по "
                          "умолчанию половина [checks] test_duration_s)")
    ctl.set_defaults(func=run_ctl)
    status = subparsers.add_parser("status", parents=[common], help="состояние регистратора")
    status.add_argument("--json", action="store_true", help="вывод в JSON")
    status.set_defaults(func=run_status)


def client(args) -> ControlClient:
    return ControlClient(config_mod.load(args.config).recording.socket_path())


def run_ctl(args) -> int:
    if args.action == Command.TEST:
        return run_test(args)
    extra = {k: v for k, v in (("label", args.label), ("date", args.date)) if v}
    result = client(args).call(args.action, source="cli", **extra)
    if isinstance(result, dict) and "marker" in result:
        print(i18n.text("ctl.marker", **result["marker"]))
        result = result["status"]
    print(format_status(Status.from_json(result)))
    return 0


def run_test(args) -> int:
    """The guided two-step test recording: participant's seat, then examiner's seat."""
    config = config_mod.load(args.config)
    seconds = args.seconds or config.checks.test_duration_s / 2
    recorder = ControlClient(config.recording.socket_path())
    recorder.timeout_s = seconds + 30
    result = None
    for seat in ("participant", "examiner"):
        print(i18n.text(f"test.say.{seat}", seconds=seconds), flush=True)
        result = recorder.call(Command.TEST, seat=seat, seconds=seconds, source="cli")
        print(format_verdict(result["verdict"]))
    overall = result["overall"]
    print(i18n.text("test.overall", status=overall["status_text"]))
    print(format_verdict(overall))
    return 0 if overall["status"] != "fail" else 1


def format_verdict(verdict: dict) -> str:
    """A line per reason: the severity in words, the seat (in the overall verdict), the
    message with its value and threshold, and what to do."""
    lines = []
    for reason in verdict["reasons"]:
        severity = i18n.text(f"test.severity.{reason['severity']}")
        seat = f" ({i18n.text('test.seat.' + reason['seat'])})" if reason.get("seat") else ""
        lines.append(f"  [{severity}]{seat} {reason['message']} — {reason['hint']}")
    return "\n".join(lines) or "  " + i18n.text("test.no_remarks")


def run_status(args) -> int:
    status = client(args).call(Command.STATUS)
    print(json.dumps(status, ensure_ascii=False, indent=1) if args.json
          else format_status(Status.from_json(status)))
    return 0


def format_status(status: Status) -> str:
    elapsed = int(status.elapsed_s)
    state = i18n.text("status.not_recording") if status.not_recording else status.state.text
    lines = [i18n.text(
        "status.line", state=state, day=status.day or "—", part=status.part or "—",
        elapsed=f"{elapsed // 3600}:{elapsed // 60 % 60:02d}:{elapsed % 60:02d}",
        levels=" / ".join(f"{p:.1f}" for p in status.levels["peak_dbfs"]),
        device=i18n.text("status.present" if status.device_present else "status.absent"))]
    lines += [i18n.text("status.alarm", message=a["message"]) for a in status.alarms]
    if status.clock.get("reason"):  # refused, or far ahead and to be confirmed
        lines.append(i18n.text("status.clock", reason=status.clock["reason"]))
    mirror = status.mirror or {}
    if mirror.get("state", "off") != "off":
        lines.append(i18n.text("status.mirror", text=mirror["text"]))
    return "\n".join(lines)
