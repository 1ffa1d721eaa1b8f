"""Run the real `appliance recorder` as a subprocess for integration tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import numpy as np
import tomli_w

from appliance.capture.wavfile import read_info
from appliance.contract.control import ControlClient
from appliance.errors import ControlError
from appliance.journal import read_entries
from tests.feeds import wait_for

SITE = {"region": "64", "msu": "01", "school": "640101", "room": "0005"}


def write_config(path: Path, data_dir: Path, device: str = "default", **sections) -> Path:
    raw = {"site": dict(SITE), "audio": {"device": device, "rate": 48000, "channels": 1},
           "recording": {"data_dir": str(data_dir),
                         "control_socket": f"/tmp/appl-{uuid.uuid4().hex[:12]}.sock"}}
    for section, values in sections.items():
        raw.setdefault(section, {}).update(values)
    path.write_text(tomli_w.dumps(raw), encoding="utf-8")
    return path


class RecorderProcess:
    """`appliance recorder` in its own process, with helpers to command and inspect it."""

    def __init__(self, config_path: Path, env: dict | None = None, simulate: bool = False):
        import appliance.config as config_mod
        self.config_path = config_path
        self.config = config_mod.load(config_path)
        self.env = env or dict(os.environ)
        self.simulate = simulate
        self.client = ControlClient(self.config.recording.socket_path(), timeout_s=20)
        self.proc: subprocess.Popen | None = None
        self.log_path = config_path.with_suffix(".log")

    def start(self, wait_device: bool = True) -> RecorderProcess:
        cmd = [sys.executable, "-m", "appliance", "recorder", "--config", str(self.config_path)]
        if self.simulate:
            cmd.append("--simulate")
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(cmd, env=self.env, stdout=log, stderr=log)
        log.close()
        wait_for(self._answers, timeout_s=30, what="recorder control socket")
        if wait_device:
            wait_for(lambda: self.status()["device"]["present"], timeout_s=30,
                     what="microphone present")
        return self

    def _answers(self) -> bool:
        if self.proc.poll() is not None:
            raise AssertionError(f"recorder exited: {self.log_path.read_text()[-2000:]}")
        try:
            self.status()
            return True
        except ControlError:
            return False

    def status(self) -> dict:
        return self.client.call("status")

    def ctl(self, cmd: str, **args):
        return self.client.call(cmd, source="test", **args)

    def terminate(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.kill()  # no stray recorder for the tests after this one
                raise AssertionError("the recorder did not stop on SIGTERM") from None

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    @property
    def day_dirs(self) -> list[Path]:
        return sorted((self.config.data_dir / "recordings").glob("*/"))


def journal(day_dir: Path) -> list:
    return read_entries(day_dir / "journal.jsonl")


def part_samples(path: Path) -> np.ndarray:
    info = read_info(path)
    with open(path, "rb") as f:
        f.seek(info.data_offset)
        data = f.read(info.data_bytes)
    return np.frombuffer(data, dtype=np.int16).reshape(-1, info.format.channels)
