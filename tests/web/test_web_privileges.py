"""The web page works as an unprivileged user that cannot delete or change a recording.

The recorder runs as root here and owns the recordings; `appliance web` runs as a system user
that may read them (group read) and write only its own state dir and the audit journal, as
the image sets it up. Through the real page that user plays and downloads a part, cuts a
participant clip, has the recorder purge a day past its date and save the day's list and a
«незачет» mark, and every WAV it could not delete stays byte for byte the same. The user
itself is refused when it tries to write one.
"""

from __future__ import annotations

import base64
import datetime as dt
import grp
import hashlib
import os
import pwd
import shutil
import subprocess
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from appliance import config as config_mod
from appliance.contract.layout import find_days
from tests.export.export_daybuilder import PartSpec, build_day
from tests.feeds import wait_for
from tests.recorder_process import RecorderProcess
from tests.webfixtures import HttpSession, make_web_config, set_password

WEB_USER = "appliance-webtest"
REPO = Path(__file__).resolve().parents[2]
SITE_PACKAGES = next((REPO / ".venv" / "lib").glob("python3*/site-packages"))
OLD = dt.date.today().replace(year=dt.date.today().year - 2, day=1)

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root to add a user")


@pytest.fixture(scope="module")
def web_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(WEB_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--user-group", "--no-create-home",
                        "--shell", "/usr/sbin/nologin", WEB_USER], check=True)
        return pwd.getpwnam(WEB_USER)


@pytest.fixture
def box_root():
    root = Path(tempfile.mkdtemp(prefix="appl-priv-", dir="/tmp"))
    root.chmod(0o755)
    yield root
    shutil.rmtree(root, ignore_errors=True)


def _share_for_reading(path: Path, gid: int) -> None:
    """What the image does for the web's group: read the recordings, nothing more."""
    for item in [path, *path.rglob("*")]:
        os.chown(item, 0, gid)
        item.chmod(0o750 if item.is_dir() else 0o640)


def _give(path: Path, uid: int, gid: int, mode_dir: int = 0o700) -> None:
    path.mkdir(parents=True, exist_ok=True)
    for item in [path, *path.rglob("*")]:
        os.chown(item, uid, gid)
        if item.is_dir():
            item.chmod(mode_dir)


def _as_web_user(user, code: str) -> subprocess.CompletedProcess:
    return subprocess.run(["/usr/bin/python3", "-c", code], user=user.pw_uid,
                          group=user.pw_gid, extra_groups=[], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin"}, cwd="/")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_web_user_serves_the_page_but_cannot_touch_a_recording(web_user, box_root):
    config_path = make_web_config(box_root / "box")
    config = config_mod.load(config_path)
    data = config.data_dir
    set_password(config_path)
    gid = web_user.pw_gid
    recorder = RecorderProcess(config_path, simulate=True).start()
    web = None
    try:
        recorder.client.call("start", source="cli")
        wait_for(lambda: recorder.client.call("status")["elapsed_s"] >= 1.5, what="audio")
        recorder.client.call("mark", source="cli")
        wait_for(lambda: recorder.client.call("status")["elapsed_s"] >= 3.0, what="audio")
        recorder.client.call("stop", source="cli")
        build_day(data, [PartSpec(3.0, [1.0])], date=OLD)  # a day past its keep-until date
        os.chown(box_root / "box", 0, gid)
        (box_root / "box").chmod(0o750)
        for path in (config_path, data):
            os.chown(path, 0, gid)
            path.chmod(0o750 if path.is_dir() else 0o640)
        _share_for_reading(data / "recordings", gid)
        _give(data / "web", web_user.pw_uid, gid)
        _give(data / "audit", 0, gid, mode_dir=0o770)
        for item in (data / "audit").iterdir():
            item.chmod(0o660)
        socket_path = config.recording.socket_path()
        os.chown(socket_path, 0, gid)
        wavs = {p: _sha(p) for p in data.rglob("*.wav")}
        assert len(wavs) >= 2
        today_wav = next(p for p in wavs if OLD.isoformat() not in str(p))

        env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp",
               "PYTHONPATH": f"{SITE_PACKAGES}:{REPO}"}
        log = open(box_root / "web.log", "wb")
        web = subprocess.Popen(["/usr/bin/python3", "-m", "appliance", "web", "--config",
                                str(config_path)], user=web_user.pw_uid, group=gid,
                               extra_groups=[], env=env, stdout=log, stderr=log, cwd="/")
        log.close()
        url = f"http://{config.web.listen}"

        def answers() -> bool:
            assert web.poll() is None, (box_root / "web.log").read_text()[-2000:]
            try:
                with urllib.request.urlopen(url + "/api/session", timeout=2):
                    return True
            except OSError:
                return False
        wait_for(answers, timeout_s=30, what="the web page as its own user")
        assert pwd.getpwuid(os.stat(f"/proc/{web.pid}").st_uid).pw_name == WEB_USER

        session = HttpSession(url).login()
        date = today_wav.parent.name
        status, _ = session.call("/api/status")
        assert status == 200  # the control socket answers the web's group
        opener = session.opener
        download = f"{url}/recordings/{date}/download/{urllib.parse.quote(today_wav.name)}"
        with opener.open(download) as reply:
            assert hashlib.sha256(reply.read()).hexdigest() == wavs[today_wav]
        clip = urllib.request.Request(
            f"{url}/recordings/{date}/clip", data=b"participant=1&format=wav",
            headers={"X-CSRF-Token": session.csrf,
                     "Content-Type": "application/x-www-form-urlencoded"})
        with opener.open(clip) as reply:
            assert reply.status == 200 and reply.read(4) == b"RIFF"
        status, reply = session.call("/api/retention/purge", {"confirm": "УДАЛИТЬ"})
        assert status == 200, reply
        assert [done["date"] for done in reply["purged"]] == [OLD.isoformat()]
        assert [p.name for p in find_days(data)] == [date]  # the recorder deleted it
        listing = base64.b64encode("1;Иванов Иван Иванович;9А\n".encode()).decode()
        status, reply = session.call(f"/api/participants/import?date={date}",
                                     {"filename": "ИС-01.csv", "data_b64": listing})
        assert status == 200, reply
        status, reply = session.call(f"/api/participants/result?date={date}",
                                     {"participant": 1, "nezachet": True})
        assert (status, reply.get("nezachet")) == (200, [1]), reply
        for name in ("roster.json", "results.json"):  # written by the recorder (root)
            assert os.stat(data / "recordings" / date / name).st_uid == 0, name

        # the web's user itself cannot change or delete a recording
        wav = str(today_wav)
        for code in (f"open({wav!r}, 'r+b')", f"import os; os.unlink({wav!r})",
                     f"open({str(today_wav.parent / 'x.wav')!r}, 'wb')"):
            tried = _as_web_user(web_user, code)
            assert tried.returncode != 0 and "PermissionError" in tried.stderr, code
        for path, digest in wavs.items():
            if OLD.isoformat() not in str(path):
                assert _sha(path) == digest, path
        assert grp.getgrgid(os.stat(today_wav).st_gid).gr_gid == gid
    finally:
        if web is not None:
            web.terminate()
            web.wait(timeout=15)
        recorder.terminate()
