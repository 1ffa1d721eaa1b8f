"""`appliance clip`: one participant's segment (or a time range) as WAV or MP3."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from appliance import config as config_mod
from appliance import i18n
from appliance.contract.audit import AuditEvent, log_event
from appliance.contract.dayview import load_day
from appliance.contract.layout import find_days
from appliance.errors import StateError
from appliance.export.clips import participant_range, time_range, write_clip

i18n.register({
    "clip.no_day": ("Нет записей за {date}", "No recordings of {date}"),
    "clip.no_days": ("Записей пока нет (в {path})", "No recordings yet (in {path})"),
    "clip.need_range": ("Укажите --participant N или --part P --from С --to С",
                        "Give --participant N or --part P --from S --to S"),
    "clip.done": ("Фрагмент: {path} ({seconds:.3f} с)", "Clip: {path} ({seconds:.3f} s)"),
})


def register(subparsers, common) -> None:
    parser = subparsers.add_parser("clip", parents=[common],
                                   help="вырезать фрагмент участника (WAV или MP3)")
    parser.add_argument("--date", type=dt.date.fromisoformat,
                        help="день ГГГГ-ММ-ДД (по умолчанию последний записанный)")
    parser.add_argument("--participant", type=int, help="номер участника по меткам")
    parser.add_argument("--part", type=int, help="номер части (с --from и --to)")
    parser.add_argument("--from", dest="start_s", type=float, help="начало, с от начала части")
    parser.add_argument("--to", dest="end_s", type=float, help="конец, с от начала части")
    parser.add_argument("--mp3", action="store_true", help="MP3 вместо WAV")
    parser.add_argument("--out", default=".", help="куда сохранить (по умолчанию текущая папка)")
    parser.set_defaults(func=run)


def day_dir(data_dir: Path, date: dt.date | None) -> Path:
    days = [p for p in find_days(data_dir) if date is None or p.name == date.isoformat()]
    if not days and date is None:
        raise StateError("clip.no_days", path=data_dir / "recordings")
    if not days:
        raise StateError("clip.no_day", date=date.isoformat())
    return days[-1]


def run(args) -> int:
    config = config_mod.load(args.config)
    day = load_day(day_dir(config.data_dir, args.date))
    if args.participant is not None:
        clip = participant_range(day, args.participant)
    elif None not in (args.part, args.start_s, args.end_s):
        clip = time_range(day, args.part, args.start_s, args.end_s)
    else:
        raise StateError("clip.need_range")
    path = write_clip(day, clip, Path(args.out), "mp3" if args.mp3 else "wav",
                      config.export.mp3_bitrate)
    seconds = (clip.end_frame - clip.start_frame) / clip.part.rate_hz
    log_event(config.data_dir, AuditEvent.CLIP_MADE, date=day.date.isoformat(),
              part=clip.part.number, start_frame=clip.start_frame, end_frame=clip.end_frame,
              file=path.name, source="cli")
    print(i18n.text("clip.done", path=path, seconds=seconds))
    return 0
