"""Several real boxes on one machine: a LAN of network namespaces (needs root and iproute2).

`SchoolNet` makes a "switch" namespace holding a Linux bridge, and for each box a namespace
joined to the bridge by a veth pair, with an address of 10.231.7.0/24 (made here, inside these
namespaces only; the machine's own network is not touched). Multicast, and so mDNS, flows over
the bridge like over a real switch. `Box` runs the real `appliance recorder --simulate` and
`appliance web` inside its namespace; `Box.http` is an HTTP session made from inside it.
`close()` ends the processes and deletes the namespaces (with them, every veth and the bridge).
"""

from __future__ import annotations

import ctypes
import os
import secrets
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.feeds import wait_for
from tests.recorder_process import RecorderProcess, write_config
from tests.webfixtures import HttpSession, WebProcess, set_password

SUBNET = "10.231.7"
WEB_PORT = 8080
CLONE_NEWNET = 0x40000000


def available() -> str:
    """"" when namespaces can be made here, else why not (the reason a test is skipped)."""
    if os.geteuid() != 0:
        return "needs root for ip netns"
    if not shutil.which("ip"):
        return "needs iproute2"
    return ""


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True)


def _in_ns(ns: str, *args: str) -> None:
    _ip("netns", "exec", ns, *args)


def _enter(ns: str) -> None:
    """Move the calling thread into namespace `ns` (only this thread: setns is per thread)."""
    fd = os.open(f"/run/netns/{ns}", os.O_RDONLY)
    try:
        if ctypes.CDLL(None, use_errno=True).setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns {ns}")
    finally:
        os.close(fd)


class NsHttp:
    """HTTP calls made from inside a namespace, on one thread that lives there."""

    def __init__(self, ns: str) -> None:
        self._pool = ThreadPoolExecutor(1, initializer=_enter, initargs=(ns,))

    def run(self, fn, *args):
        return self._pool.submit(fn, *args).result()

    def session(self, url: str) -> HttpSession:
        return self.run(lambda: HttpSession(url).login())

    def call(self, session: HttpSession, path: str, body: dict | None = None):
        return self.run(session.call, path, body)

    def get(self, url: str, headers: dict | None = None) -> tuple[int, bytes]:
        def fetch():
            request = urllib.request.Request(url, headers=headers or {})
            try:
                with urllib.request.urlopen(request, timeout=10) as reply:
                    return reply.status, reply.read()
            except urllib.error.HTTPError as err:
                with err:
                    return err.code, err.read()
        return self.run(fetch)

    def close(self) -> None:
        self._pool.shutdown()


class Box:
    """One room's box in its namespace: config, recorder, web page."""

    def __init__(self, net: SchoolNet, name: str, number: int, root: Path, room: str,
                 **sections) -> None:
        self.net, self.name, self.ns = net, name, f"{net.prefix}-{name}"
        self.address, self.room = f"{SUBNET}.{number}", room
        self.veth = f"{net.prefix[-6:]}{name}"[:15]
        self.root = root
        data_dir = root / "data"
        data_dir.mkdir(parents=True, exist_ok=True)
        self.config_path = write_config(
            root / "appliance.toml", data_dir, site={"room": room},
            web={"listen": f"0.0.0.0:{WEB_PORT}"}, **sections)
        set_password(self.config_path)
        self.url = f"http://{self.address}:{WEB_PORT}"
        self.recorder: RecorderProcess | None = None
        self.web: WebProcess | None = None
        self.http = NsHttp(self.ns)
        self.avahi: subprocess.Popen | None = None

    def command(self, *args: str) -> list[str]:
        return ["ip", "netns", "exec", self.ns, sys.executable, "-m", "appliance", *args,
                "--config", str(self.config_path)]

    def start(self) -> Box:
        self.recorder = RecorderProcess(self.config_path, simulate=True)
        with open(self.root / "recorder.log", "ab") as log:
            self.recorder.proc = subprocess.Popen(self.command("recorder", "--simulate"),
                                                  stdout=log, stderr=log)
        self.recorder.log_path = self.root / "recorder.log"
        wait_for(self.recorder._answers, timeout_s=60, what=f"recorder of {self.name}")
        self.start_web()
        return self

    def start_web(self) -> None:
        self.web = WebProcess(self.config_path)
        with open(self.web.log_path, "ab") as log:
            self.web.proc = subprocess.Popen(self.command("web"), stdout=log, stderr=log)
        wait_for(self._answers, timeout_s=60, what=f"web page of {self.name}")

    def _answers(self) -> bool:
        if self.web.proc.poll() is not None:
            raise AssertionError(self.web.log_path.read_text()[-2000:])
        try:
            return self.http.get(self.url + "/api/session")[0] == 200
        except OSError:
            return False

    def kill_web(self) -> None:
        self.web.kill()

    def pair(self, passphrase: str) -> str:
        done = subprocess.run(self.command("school", "--pair"), input=passphrase + "\n",
                              capture_output=True, text=True, check=True)
        return done.stdout

    def start_avahi(self) -> None:
        """The system's mDNS daemon in this namespace too, as on the SD image (it shares UDP
        port 5353 with the page's own announcer); no D-Bus, nothing published of its own."""
        conf = self.root / "avahi-daemon.conf"
        conf.write_text("[server]\nuse-ipv6=no\nenable-dbus=no\n[wide-area]\n"
                        "enable-wide-area=no\n[publish]\npublish-workstation=no\n")
        with open(self.root / "avahi.log", "ab") as log:
            self.avahi = subprocess.Popen(
                ["ip", "netns", "exec", self.ns, "avahi-daemon", "-f", str(conf),
                 "--no-drop-root", "--no-chroot", "--no-rlimits"], stdout=log, stderr=log)
        wait_for(lambda: b"Server startup complete" in (self.root / "avahi.log").read_bytes(),
                 timeout_s=30, what=f"avahi-daemon in {self.ns}")

    def link(self, up: bool) -> None:
        _in_ns(self.ns, "ip", "link", "set", "eth0", "up" if up else "down")

    def stop(self) -> None:
        if self.web:
            self.web.terminate()
        if self.recorder:
            self.recorder.terminate()
        if self.avahi:
            self.avahi.terminate()
            self.avahi.wait(timeout=15)
        self.http.close()


class SchoolNet:
    """The bridge namespace and the boxes on it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.prefix = f"sch{secrets.token_hex(3)}"
        self.switch = f"{self.prefix}-sw"
        self.boxes: list[Box] = []
        self._namespaces: list[str] = []
        self._mounts: list[Path] = []
        self._add_ns(self.switch)
        _in_ns(self.switch, "ip", "link", "add", "br0", "type", "bridge")
        _in_ns(self.switch, "ip", "link", "set", "br0", "up")

    def _add_ns(self, ns: str) -> None:
        _ip("netns", "add", ns)
        self._namespaces.append(ns)
        _in_ns(ns, "ip", "link", "set", "lo", "up")

    def add_box(self, name: str, room: str, tmpfs_mb: int = 0, **sections) -> Box:
        """A box in its own namespace; `tmpfs_mb`: its data dir on a tmpfs of that size (a
        small disk to fill)."""
        number = len(self.boxes) + 2
        if tmpfs_mb:
            data_dir = self.root / name / "data"
            data_dir.mkdir(parents=True)
            subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={tmpfs_mb}m", "tmpfs",
                            str(data_dir)], check=True)
            self._mounts.append(data_dir)
        box = Box(self, name, number, self.root / name, room, **sections)
        self._add_ns(box.ns)
        _ip("link", "add", box.veth, "netns", self.switch, "type", "veth", "peer", "name",
            "eth0", "netns", box.ns)
        _in_ns(self.switch, "ip", "link", "set", box.veth, "master", "br0", "up")
        _in_ns(box.ns, "ip", "addr", "add", f"{box.address}/24", "dev", "eth0")
        _in_ns(box.ns, "ip", "link", "set", "eth0", "up")
        self.boxes.append(box)
        return box

    def close(self) -> None:
        for box in self.boxes:
            box.stop()
        for ns in reversed(self._namespaces):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        for mount in self._mounts:
            subprocess.run(["umount", str(mount)], capture_output=True)
