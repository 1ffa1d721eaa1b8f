import os

import pytest

pytest_plugins = ["tests.webfixtures"]  # the web fixtures, one browser for the whole run


@pytest.fixture(autouse=True)
def russian_messages(monkeypatch):
    """Tests read the Russian messages users see, whatever the developer's environment says."""
    monkeypatch.setenv("APPLIANCE_LANG", "ru")
    monkeypatch.delenv("APPLIANCE_CONFIG", raising=False)
    yield


def pytest_configure(config):
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
