import pytest

from tests.feeds import JackClock


@pytest.fixture
def jack():
    """A private JACK server (dummy driver): the clock of a real-time feed, stopped after."""
    clock = JackClock().start()
    yield clock
    clock.stop()
