"""`appliance check FILE.wav [--json]`: the test-recording verdict for a WAV file.

Exit status: 0 pass, 1 pass with warnings, 3 fail (2 is kept for errors, as in every command).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from appliance import config as config_mod
from appliance import i18n
from appliance.dsp.verdict import channel_label, check_file
from appliance.errors import StorageError

EXIT_CODES = {"pass": 0, "warn": 1, "fail": 3}

i18n.register({
    "check.report.status": ("Итог проверки {file}: {status}", "Check of {file}: {status}"),
    "check.report.figures": (
        "Длительность {duration} с; пик {peak} дБFS; речь {speech} дБFS ({speech_s} с); "
        "шум {noise} дБFS; речь/шум {snr} дБ; фон {mains} Гц {hum} дБFS; полоса до {bw} Гц",
        "Duration {duration} s; peak {peak} dBFS; speech {speech} dBFS ({speech_s} s); "
        "noise {noise} dBFS; speech/noise {snr} dB; hum {mains} Hz {hum} dBFS; "
        "bandwidth up to {bw} Hz"),
    "check.report.severity.warn": ("замечание", "warning"),
    "check.report.severity.fail": ("ошибка", "error"),
    "check.report.hint": ("что сделать", "what to do"),
    "check.no_file": ("Файл {path} не найден", "File {path} not found"),
})


def register(subparsers, common) -> None:
    parser = subparsers.add_parser(
        "check", parents=[common], help="проверить пробную запись (WAV): годно или нет",
        description="Измеряет уровень, шум, фон сети, перегрузку, пропадания и разборчивость "
                    "речи; код выхода 0 — годно, 1 — годно с замечаниями, 3 — не годно.")
    parser.add_argument("file", metavar="FILE.wav", help="файл WAV PCM 16 бит")
    parser.add_argument("--json", action="store_true", help="вывести результат в JSON")
    parser.set_defaults(func=run_check)


def run_check(args) -> int:
    checks = config_mod.load(args.config).checks
    if not Path(args.file).is_file():
        raise StorageError("check.no_file", path=args.file)
    result = check_file(args.file, checks)
    if args.json:
        json.dump(result.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print(format_report(result))
    return EXIT_CODES[result.status]


def format_report(result) -> str:
    """The verdict as text for a person: status, key figures per channel, reasons, hints."""
    lines = [i18n.text("check.report.status", file=result.file,
                       status=i18n.text(f"check.status.{result.status}"))]
    for index, channel in enumerate(result.analysis.channels):
        lines.append(channel_label(index, i18n.text(
            "check.report.figures", duration=round(channel.duration_s, 1),
            peak=round(channel.peak_dbfs, 1), speech=round(channel.speech_level_dbfs, 1),
            speech_s=round(channel.speech_s, 1), noise=round(channel.noise_floor_dbfs, 1),
            snr=round(channel.snr_db, 1), mains=int(channel.mains_hz),
            hum=round(channel.hum_dbfs, 1), bw=int(channel.bandwidth_hz))))
    for reason in result.reasons:
        severity = i18n.text(f"check.report.severity.{reason.severity}")
        lines.append(f"- {severity}: {reason.message}")
        lines.append(f"  {i18n.text('check.report.hint')}: {reason.hint}")
    return "\n".join(lines)
