"""One exam room for end-to-end days: the real recorder process on a real ALSA device, its
data directory on a file system of its own (so the disk can really fill up), and the checks
on the audio that every scenario ends with."""

from __future__ import annotations

import http.cookiejar
import json
import re
import subprocess
import sys
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from appliance.journal import verify_chain
from tests.feeds import Feed, find_offset, wait_for
from tests.recorder_process import RecorderProcess, journal, part_samples, write_config

RATE_HZ = 48000


def appliance(*args, env=None, check=True, **kwargs) -> subprocess.CompletedProcess:
    """Run an `appliance` command as a user would, in its own process."""
    result = subprocess.run([sys.executable, "-m", "appliance", *map(str, args)],
                            capture_output=True, text=True, env=env, **kwargs)
    if check and result.returncode != 0:
        raise AssertionError(f"appliance {' '.join(map(str, args))} failed "
                             f"({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def mount_tmpfs(path: Path, size_mb: int) -> None:
    """A data partition of its own (tmpfs needs root, as CI and the image build have)."""
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m,mode=0750", "tmpfs",
                    str(path)], check=True)


def unmount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], check=False)


@dataclass
class Room:
    """The appliance of one room: config, feed, recorder process."""

    work: Path
    feed: Feed
    config_path: Path
    recorder: RecorderProcess

    @classmethod
    def create(cls, work: Path, feed: Feed, data_dir: Path, **sections) -> Room:
        config = write_config(work / "appliance.toml", data_dir, device=feed.device, **sections)
        return cls(work, feed, config, RecorderProcess(config, env=feed.process_env()))

    @property
    def data_dir(self) -> Path:
        return self.recorder.config.data_dir

    def status(self) -> dict:
        return self.recorder.status()

    def alarm_codes(self) -> set[str]:
        return {a["code"] for a in self.status()["alarms"]}

    def wait_recorded(self, seconds: float, timeout_s: float = 120) -> None:
        wait_for(lambda: self.status()["elapsed_s"] >= seconds, timeout_s=timeout_s,
                 interval_s=0.01, what=f"{seconds} s recorded")

    def restart_recorder(self) -> None:
        self.recorder = RecorderProcess(self.config_path, env=self.feed.process_env()).start()

    def day_dir(self) -> Path:
        (day,) = self.recorder.day_dirs
        return day

    def entries(self) -> list:
        return journal(self.day_dir())

    def events(self, name: str) -> list[dict]:
        return [e.data for e in self.entries() if e.event == name]

    def check_audio(self, min_part_s: float = 0.0) -> list[dict]:
        """Every part is a valid WAV whose samples are one exact stretch of the fed audio;
        the day's journal chain is intact. Returns the opened parts."""
        day = self.day_dir()
        assert verify_chain(day / "journal.jsonl") is None
        opened = self.events("part_opened")
        for part in opened:
            path = day / part["file"]
            for tool in (["sox", "--i", str(path)], ["ffprobe", "-v", "error", str(path)]):
                subprocess.run(tool, check=True, capture_output=True)
            samples = part_samples(path)
            assert len(samples) >= min_part_s * RATE_HZ, part["file"]
            start = part["capture_frame"]
            if not np.array_equal(samples, self.feed.samples[start:start + len(samples)]):
                start = find_offset(self.feed.samples, samples)  # the device was reopened
                assert start is not None, f"{part['file']} is not a stretch of the fed audio"
                assert np.array_equal(samples, self.feed.samples[start:start + len(samples)])
        return opened


class WebUser:
    """The technician's browser session against a running `appliance web`, over real HTTP:
    logs in through the form and sends the CSRF token with every change."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.csrf = ""

    def first_start(self, code: str, password: str) -> WebUser:
        """The setup page: the one-time code (read off the box) and a new password."""
        token = _csrf(self._get("/setup"))
        form = urllib.parse.urlencode({"code": code, "password": password,
                                       "password2": password, "csrf_token": token}).encode()
        self.opener.open(urllib.request.Request(self.url + "/setup", data=form), timeout=10)
        self.csrf = _csrf(self._get("/"))
        return self

    def post(self, path: str, body: dict, timeout_s: float = 30) -> dict:
        request = urllib.request.Request(
            self.url + path, data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "X-CSRF-Token": self.csrf})
        with self.opener.open(request, timeout=timeout_s) as reply:
            return json.loads(reply.read())

    def login(self, password: str) -> WebUser:
        token = _csrf(self._get("/login"))
        form = urllib.parse.urlencode({"password": password, "csrf_token": token}).encode()
        self.opener.open(urllib.request.Request(self.url + "/login", data=form), timeout=10)
        self.csrf = _csrf(self._get("/"))
        return self

    def _get(self, path: str) -> str:
        with self.opener.open(self.url + path, timeout=10) as reply:
            return reply.read().decode()

    def status(self) -> dict:
        return json.loads(self._get("/api/status"))

    def control(self, cmd: str, **args) -> dict:
        return self.post(f"/api/control/{cmd}", args)


def _csrf(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
