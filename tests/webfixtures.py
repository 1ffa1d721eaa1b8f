"""Fixtures of the web page tests, a plugin of every test (tests/conftest.py), so one browser
serves the whole session:

- `web_config` -> Path: a configured box (site codes, own data dir and control socket) whose
  `[web] listen` is a free port on 127.0.0.1. `web_data_dir` -> its data dir.
- `web_app` -> Flask app (create_app(testing=True)) on that box with the password PASSWORD set;
  `web_client` -> an anonymous test client; `web_authed_client` -> a test client logged in
  through the real /login form, with `.csrf` (send it as the X-CSRF-Token header).
- `sim_recorder` -> tests.recorder_process.RecorderProcess: `appliance recorder --simulate` on
  that box, running (real time, speech-like sound).
- `web_process` -> WebProcess: a real `appliance web` subprocess (waitress) on that box, with
  `.url`, `.kill()` (SIGKILL), `.start()`, `.terminate()` (`wrapper=` runs it under a command
  such as `unshare`); `web_server` = sim_recorder + web_process, password already set.
- `chromium` (session scope) -> a Playwright Browser on Debian's /usr/bin/chromium;
  `logged_in_page` -> a Playwright Page logged in through the login form of `web_server`,
  failing the test on any JavaScript error. `screenshot(page, name)` saves to
  tests/artifacts/screenshots/NAME.png.
- `HttpSession(url).login()` -> a logged-in HTTP client for a served page (no browser):
  `.call(path, body=None)` -> (status, parsed JSON), POSTing JSON with the CSRF header.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import re
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from appliance import config as config_mod
from appliance.webui import auth
from tests.feeds import wait_for
from tests.recorder_process import RecorderProcess, write_config

PASSWORD = "экзамен-2027-пароль"
SCREENSHOT_DIR = Path(__file__).resolve().parent / "artifacts" / "screenshots"
BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update",
                "--no-first-run"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_web_config(root: Path, **sections) -> Path:
    """A configured box under `root` listening on a free local port."""
    data_dir = root / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    web = {"listen": f"127.0.0.1:{free_port()}", **sections.pop("web", {})}
    return write_config(root / "appliance.toml", data_dir, web=web, **sections)


def set_password(config_path: Path, password: str = PASSWORD) -> None:
    auth.set_password(config_mod.load(config_path), password)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def screenshot(page, name: str) -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


class HttpSession:
    """A script's session with a served page: cookies, CSRF header, JSON replies."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.csrf = ""

    def login(self, password: str = PASSWORD) -> HttpSession:
        self.csrf = self.call("/api/session")[1]["csrf_token"]
        status, reply = self.call("/login", {"password": password})
        assert status == 200, reply
        self.csrf = reply["csrf_token"]
        return self

    def call(self, path: str, body: dict | None = None) -> tuple[int, dict]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, headers={
            "Content-Type": "application/json", "Accept": "application/json",
            "X-CSRF-Token": self.csrf})
        try:
            with self.opener.open(request, timeout=30) as reply:
                return reply.status, json.loads(reply.read())
        except urllib.error.HTTPError as err:
            with err:
                return err.code, json.loads(err.read())


class WebProcess:
    """`appliance web --config PATH` as a subprocess (the production server, waitress);
    `wrapper` is a command that ends by executing its arguments (e.g. `unshare ...`)."""

    def __init__(self, config_path: Path, env: dict | None = None,
                 wrapper: tuple[str, ...] = ()) -> None:
        self.config_path = config_path
        self.config = config_mod.load(config_path)
        self.url = f"http://{self.config.web.listen}"
        self.env = env
        self.wrapper = wrapper
        self.proc: subprocess.Popen | None = None
        self.log_path = config_path.with_name("web-process.log")

    def start(self) -> WebProcess:
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [*self.wrapper, sys.executable, "-m", "appliance", "web", "--config",
                 str(self.config_path)],
                env=self.env, stdout=log, stderr=log)
        wait_for(self._answers, timeout_s=30, what="appliance web answering")
        return self

    def _answers(self) -> bool:
        if self.proc.poll() is not None:
            raise AssertionError(f"appliance web exited: {self.log_path.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(self.url + "/api/session", timeout=2):
                return True
        except OSError:
            return False

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def terminate(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture
def web_config(tmp_path) -> Path:
    return make_web_config(tmp_path / "box")


@pytest.fixture
def web_data_dir(web_config) -> Path:
    return config_mod.load(web_config).data_dir


class ClosingClient(FlaskClient):
    """A test client that reads and closes every response, so served files are closed."""

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        response.get_data()
        response.close()
        return response


def make_app(config_path: Path):
    from appliance.webui.app import create_app
    app = create_app(config_path, testing=True)
    app.test_client_class = ClosingClient
    return app


@pytest.fixture
def web_app(web_config):
    set_password(web_config)
    return make_app(web_config)


@pytest.fixture
def web_client(web_app):
    return web_app.test_client()


def login_client(client, password: str = PASSWORD):
    """Log `client` in through the real form; sets `client.csrf`."""
    token = csrf_of(client.get("/login").get_data(as_text=True))
    reply = client.post("/login", data={"password": password, "csrf_token": token})
    assert reply.status_code == 302, reply.get_data(as_text=True)
    client.csrf = csrf_of(client.get("/").get_data(as_text=True))
    return client


@pytest.fixture
def web_authed_client(web_app):
    return login_client(web_app.test_client())


@contextlib.contextmanager
def running_box(config_path: Path):
    """The password set, `appliance recorder --simulate` and `appliance web` running; yields
    (recorder, web) and stops both."""
    set_password(config_path)
    recorder = RecorderProcess(config_path, simulate=True).start()
    web = WebProcess(config_path)
    try:
        web.start()
        yield recorder, web
    finally:
        web.terminate()
        recorder.terminate()


@pytest.fixture
def sim_recorder(web_config):
    recorder = RecorderProcess(web_config, simulate=True).start()
    yield recorder
    recorder.terminate()


@pytest.fixture
def web_process(web_config):
    process = WebProcess(web_config)
    yield process
    process.terminate()


@pytest.fixture
def web_server(sim_recorder, web_process):
    set_password(web_process.config_path)
    return web_process.start()


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=BROWSER_ARGS)
        yield browser
        browser.close()


def new_page(chromium, base_url: str, viewport: dict | None = None, enforce_csp: bool = False):
    """A fresh browser context and tab; JavaScript errors collect in `page.js_errors`.
    Playwright's own `wait_for_function` evaluates strings, which the page's CSP forbids, so
    the CSP is enforced only where asked (the page walk, which waits without it)."""
    context = chromium.new_context(base_url=base_url, accept_downloads=True,
                                   viewport=viewport or {"width": 1100, "height": 900},
                                   bypass_csp=not enforce_csp)
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda error: page.js_errors.append(str(error)))
    return page


def login_page(page, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.fill("#password", password)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


@contextlib.contextmanager
def logged_in_tab(chromium, base_url: str):
    """A fresh tab logged in through the login form; any JavaScript error fails the test."""
    page = new_page(chromium, base_url)
    login_page(page)
    yield page
    page.context.close()
    assert not page.js_errors, page.js_errors


@pytest.fixture
def logged_in_page(chromium, web_server):
    with logged_in_tab(chromium, web_server.url) as page:
        yield page
