"""`appliance recorder` (the daemon) and `appliance run` (recorder + web on one machine)."""

from __future__ import annotations

import importlib.util
import logging
import os
import signal
import subprocess
import sys
import time

from appliance import config as config_mod

SUPERVISED = ("recorder", "web")


def register(subparsers, common) -> None:
    rec = subparsers.add_parser("recorder", parents=[common],
                                help="служба записи: микрофон, кнопка, журнал")
    rec.add_argument("--simulate", action="store_true",
                     help="имитация микрофона и кнопки (без оборудования)")
    rec.set_defaults(func=run_recorder_command)
    run = subparsers.add_parser("run", parents=[common],
                                help="всё на одной машине: служба записи и веб-страница")
    run.add_argument("--simulate", action="store_true",
                     help="имитация микрофона и кнопки (без оборудования)")
    run.set_defaults(func=run_all)


def setup_logging() -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")


def run_recorder_command(args) -> int:
    from appliance.daemon.process import RESTART, run_recorder
    from appliance.recorder.cpu import keep_on_one_cpu
    setup_logging()
    cpu = keep_on_one_cpu()
    if cpu is not None:
        logging.getLogger(__name__).info("recorder threads kept on CPU %s", cpu)
    path = config_mod.resolve_path(args.config)
    code = run_recorder(config_mod.load(path), simulate=args.simulate, config_path=path)
    if code == RESTART:  # new audio or hardware settings: the same process, started afresh
        logging.getLogger(__name__).info("restarting with the new settings")
        os.execv(sys.executable, [sys.executable, "-m", "appliance", *sys.argv[1:]])
    return code


def run_all(args) -> int:
    """Start the recorder and the web page as separate processes; restart the web page if it
    dies (the recorder never depends on it). Ends both on SIGINT/SIGTERM."""
    setup_logging()
    config_mod.load(args.config)  # report config errors before starting anything
    config_args = ["--config", args.config] if args.config else []
    commands = {name: [sys.executable, "-m", "appliance", name, *config_args]
                + (["--simulate"] if args.simulate and name == "recorder" else [])
                for name in SUPERVISED if importlib.util.find_spec(f"appliance.commands.{name}")}
    children = {name: subprocess.Popen(cmd) for name, cmd in commands.items()}
    stopping = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.append(True))
    try:
        while not stopping:
            time.sleep(0.2)
            for name, child in children.items():
                if child.poll() is not None and not stopping:
                    logging.warning("%s exited with %s; restarting", name, child.returncode)
                    children[name] = subprocess.Popen(commands[name])
    finally:
        for child in children.values():
            child.send_signal(signal.SIGTERM)
        for child in children.values():
            child.wait(timeout=30)
    return 0
