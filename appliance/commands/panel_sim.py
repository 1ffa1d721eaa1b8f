"""`appliance panel-sim`: the reference serial panel on a pty or a serial port, driven from
stdin (`press`, `release`, `click`, `hold SECONDS`, `quit`), showing what the appliance sends."""

from __future__ import annotations

import sys
from pathlib import Path

from appliance import i18n
from appliance.hardware.panel_sim import PanelSimulator, PtyLine, SerialLine

CLICK_S = 0.2

i18n.register({
    "panel_sim.ready": ("Пульт на {path}. Команды: press, release, click, hold СЕКУНДЫ, quit",
                        "Panel on {path}. Commands: press, release, click, hold SECONDS, quit"),
    "panel_sim.unknown": ("Неизвестная команда «{line}»", "Unknown command '{line}'"),
})


def register(subparsers, common) -> None:
    sim = subparsers.add_parser("panel-sim", parents=[common],
                                help="имитатор последовательного пульта (для проверки)")
    where = sim.add_mutually_exclusive_group(required=True)
    where.add_argument("--pty", metavar="LINK", type=Path,
                       help="создать псевдотерминал; LINK — ссылка на него для serial.port")
    where.add_argument("--port", metavar="PATH",
                       help="открыть существующий порт (например, /dev/ttyUSB0)")
    sim.add_argument("--baudrate", type=int, default=115200)
    sim.set_defaults(func=run)


def show(text: str) -> None:
    print(text, flush=True)


def run(args) -> int:
    line = PtyLine(args.pty) if args.pty else SerialLine(args.port, args.baudrate)
    with PanelSimulator(line, show) as panel:
        show(i18n.text("panel_sim.ready", path=args.pty or args.port))
        for raw in sys.stdin:
            words = raw.split()
            if not words:
                continue
            if words[0] == "quit":
                break
            if not act(panel, words):
                show(i18n.text("panel_sim.unknown", line=raw.strip()))
    return 0


def act(panel: PanelSimulator, words: list[str]) -> bool:
    """Run one stdin command; False when it is not one."""
    if words == ["press"]:
        panel.press()
    elif words == ["release"]:
        panel.release()
    elif words == ["click"]:
        panel.hold(CLICK_S)
    elif words[0] == "hold" and len(words) == 2:
        try:
            panel.hold(float(words[1]))
        except ValueError:
            return False
    else:
        return False
    return True
