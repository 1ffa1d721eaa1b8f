import os

import pytest

from tests.feeds import JackClock

pytest_plugins = ["tests.webfixtures"]  # the web fixtures, one browser for the whole run


@pytest.fixture(autouse=True)
def russian_messages(monkeypatch):
    """Tests read the Russian messages users see, whatever the developer's environment says."""
    monkeypatch.setenv("APPLIANCE_LANG", "ru")
    monkeypatch.delenv("APPLIANCE_CONFIG", raising=False)
    yield


@pytest.fixture
def jack():
    """A private JACK server (dummy driver): the clock of a real-time feed, stopped after.
    Every test that uses it is marked `realtime` (select or skip them with -m)."""
    clock = JackClock().start()
    yield clock
    clock.stop()


def pytest_collection_modifyitems(items):
    for item in items:
        if "jack" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.realtime)


def pytest_configure(config):
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
