"""Fixtures of the settings, test and recordings page tests: a configured box with a recorded
day (the real journal and WAV writer), and a real recorder process for the control commands.

The recorder runs with `--simulate` (its speech-like source, in real time) while PortAudio
lists the ALSA devices of a per-test HOME that holds the `examfeed` file device, so the
`devices` command answers from real PortAudio.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path

import pytest

from appliance import config as config_mod
from appliance.contract.dayview import load_day
from appliance.webui import auth
from appliance.webui.app import create_app
from tests.feeds import make_fast_feed
from tests.recorder_process import RecorderProcess, write_config
from tests.web.pages_helpers import record_day
from tests.webfixtures import ClosingClient

PASSWORD = "proverka-zvuka-2027"


def make_site(root: Path) -> Path:
    """A configured box: site codes, its own data folder and control socket, 4 s test."""
    data_dir = root / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    return write_config(root / "appliance.toml", data_dir, device="examfeed",
                        checks={"test_duration_s": 4.0})


@pytest.fixture
def site_config(tmp_path) -> Path:
    return make_site(tmp_path / "site")


@pytest.fixture
def data_dir(site_config) -> Path:
    return config_mod.load(site_config).data_dir


@pytest.fixture
def day_dir(data_dir) -> Path:
    return record_day(data_dir)


@pytest.fixture
def day(day_dir):
    return load_day(day_dir)


@pytest.fixture(scope="module")
def live_recorder(tmp_path_factory):
    """A real `appliance recorder --simulate` on its own configured box, for the module."""
    root = tmp_path_factory.mktemp("recorder")
    config_path = make_site(root / "site")
    feed = make_fast_feed(root / "home", seconds=1)
    process = RecorderProcess(config_path, env=feed.process_env(), simulate=True).start()
    try:
        yield process
    finally:
        process.terminate()


def make_app(config_path: Path):
    """The real app on a box whose password is set (the first-start step is done)."""
    app = create_app(str(config_path), testing=True)
    config = config_mod.load(config_path)
    if auth.setup_needed(config):
        auth.set_password(config, PASSWORD)
    app.test_client_class = ClosingClient
    return app


def login_session(app) -> dict:
    """What the app keeps in the session of a technician who has just logged in."""
    config = config_mod.load(app.config["APPLIANCE_CONFIG_PATH"])
    return {"user": "technician", "expires": time.time() + 3600,
            "pw": auth.password_stamp(config), "csrf": secrets.token_urlsafe(24)}


def logged_in_client(app):
    client = app.test_client()
    data = login_session(app)
    with client.session_transaction() as session:
        session.update(data)
    client.csrf_token = data["csrf"]
    return client


@pytest.fixture
def page_client(site_config):
    return logged_in_client(make_app(site_config))


@pytest.fixture
def anonymous_client(site_config):
    """Someone on the network who has not logged in."""
    return make_app(site_config).test_client()


@pytest.fixture(scope="module")
def recorder_app(live_recorder):
    return make_app(live_recorder.config_path)


@pytest.fixture
def recorder_client(recorder_app):
    return logged_in_client(recorder_app)
