"""After a power cut the recorder recovers the day before systemd sees it ready.

appliance-recorder.service is Type=notify: systemd (and everything ordered after it) treats the
recorder as started only on READY=1, and the web page can only reach it through the control
socket. This runs the real `appliance recorder` under a NOTIFY_SOCKET of our own, the way
systemd starts it after an unclean stop, and checks what is already true when READY=1 arrives.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import pytest

from appliance.capture.wavfile import read_info
from tests.feeds import wait_for
from tests.recorder_process import RecorderProcess, journal, write_config


@pytest.fixture
def notify_socket(tmp_path):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(tmp_path / "notify.sock"))
    yield sock
    sock.close()


def next_message(sock: socket.socket, timeout_s: float) -> str:
    sock.settimeout(timeout_s)
    return sock.recv(4096).decode()


def test_ready_only_after_the_interrupted_day_is_recovered(tmp_path, notify_socket):
    config = write_config(tmp_path / "a.toml", tmp_path / "data")
    rec = RecorderProcess(config, simulate=True).start()
    rec.ctl("start")
    wait_for(lambda: rec.status()["elapsed_s"] >= 1.0, timeout_s=30, what="a second recorded")
    rec.kill()  # the power cut: the part is left open, its header unsealed
    (day_dir,) = rec.day_dirs
    opened = [e.data for e in journal(day_dir) if e.event == "part_opened"][-1]
    assert not [e for e in journal(day_dir) if e.event == "part_closed"]

    env = dict(rec.env, NOTIFY_SOCKET=notify_socket.getsockname())
    restarted = RecorderProcess(config, env=env, simulate=True)
    restarted.proc = subprocess.Popen(
        [sys.executable, "-m", "appliance", "recorder", "--config", str(config), "--simulate"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while next_message(notify_socket, deadline - time.monotonic()) != "READY=1":
        pass  # WATCHDOG=1 may come first: the capture loop runs before the socket opens
    closed = [e.data for e in journal(day_dir) if e.event == "part_closed"]
    assert [(c["part"], c["reason"]) for c in closed] == [(opened["part"], "recovered")]
    assert read_info(day_dir / opened["file"]).data_bytes > 0
    status = restarted.status()
    assert status["state"] == "recording", "the day goes on as the next part"

    beats = []
    deadline = time.monotonic() + 10
    while len(beats) < 2 and time.monotonic() < deadline:
        beats.append(next_message(notify_socket, 5))
    assert beats == ["WATCHDOG=1", "WATCHDOG=1"], "the capture loop feeds the watchdog"
    restarted.ctl("stop")
    restarted.terminate()
    assert restarted.proc.returncode == 0
