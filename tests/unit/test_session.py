"""The session transition table, checked exhaustively."""

import itertools

import pytest

from appliance.errors import StateError
from appliance.recorder.session import Action, Effect, State, transition

E = Effect
ALLOWED = {
    (State.IDLE, Action.START): (State.RECORDING, {"split": (E.OPEN_PART, E.MARK_START),
                                                   "continue": (E.OPEN_PART, E.MARK_START)}),
    (State.STOPPED, Action.START): (State.RECORDING, {"split": (E.OPEN_PART, E.MARK_START),
                                                      "continue": (E.OPEN_PART, E.MARK_START)}),
    (State.RECORDING, Action.MARK): (State.RECORDING, {"split": (E.MARK_PARTICIPANT,),
                                                       "continue": (E.MARK_PARTICIPANT,)}),
    (State.RECORDING, Action.PAUSE): (State.PAUSED, {"split": (E.MARK_PAUSE, E.CLOSE_PART),
                                                     "continue": (E.MARK_PAUSE,)}),
    (State.PAUSED, Action.RESUME): (State.RECORDING, {"split": (E.OPEN_PART, E.MARK_RESUME),
                                                      "continue": (E.OPEN_PART, E.MARK_RESUME)}),
    (State.RECORDING, Action.STOP): (State.STOPPED, {"split": (E.MARK_STOP, E.CLOSE_PART),
                                                     "continue": (E.MARK_STOP, E.CLOSE_PART)}),
    (State.PAUSED, Action.STOP): (State.STOPPED, {"split": (E.MARK_STOP, E.CLOSE_PART),
                                                  "continue": (E.MARK_STOP, E.CLOSE_PART)}),
}


@pytest.mark.parametrize(("state", "action", "mode"),
                         list(itertools.product(State, Action, ["split", "continue"])))
def test_every_state_action_pair(state, action, mode):
    if (state, action) in ALLOWED:
        new_state, effects = ALLOWED[(state, action)]
        assert transition(state, action, mode) == (new_state, effects[mode])
    else:
        with pytest.raises(StateError, match="невозможна"):
            transition(state, action, mode)
