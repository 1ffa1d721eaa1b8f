"""The day session as a pure transition table: (state, action, pause mode) → (state, effects).

Effects are intents the recorder carries out in order; opening a part when one is open, or
closing one when none is, does nothing, so the table stays small and the device coming and
going (which closes and reopens parts outside this table) cannot confuse it.
"""

from __future__ import annotations

import enum

from appliance import i18n
from appliance.contract.vocabulary import Action, State
from appliance.errors import StateError

i18n.register({
    "session.refused": ("Команда «{action}» невозможна: сейчас {state}",
                        "Command '{action}' is not possible: the recorder is {state}"),
})


class Effect(enum.StrEnum):
    OPEN_PART = "open_part"
    CLOSE_PART = "close_part"
    MARK_START = "start"
    MARK_PARTICIPANT = "participant"
    MARK_PAUSE = "pause"
    MARK_RESUME = "resume"
    MARK_STOP = "stop"


SPLIT, CONTINUE = "split", "continue"
_BOTH = (SPLIT, CONTINUE)

TABLE: dict[tuple[State, Action, str], tuple[State, tuple[Effect, ...]]] = {}


def _add(state: State, action: Action, modes: tuple[str, ...], new: State,
         effects: tuple[Effect, ...]) -> None:
    for mode in modes:
        TABLE[(state, action, mode)] = (new, effects)


_add(State.IDLE, Action.START, _BOTH, State.RECORDING, (Effect.OPEN_PART, Effect.MARK_START))
_add(State.STOPPED, Action.START, _BOTH, State.RECORDING, (Effect.OPEN_PART, Effect.MARK_START))
_add(State.RECORDING, Action.MARK, _BOTH, State.RECORDING, (Effect.MARK_PARTICIPANT,))
_add(State.RECORDING, Action.PAUSE, (SPLIT,), State.PAUSED,
     (Effect.MARK_PAUSE, Effect.CLOSE_PART))
_add(State.RECORDING, Action.PAUSE, (CONTINUE,), State.PAUSED, (Effect.MARK_PAUSE,))
_add(State.PAUSED, Action.RESUME, _BOTH, State.RECORDING,
     (Effect.OPEN_PART, Effect.MARK_RESUME))
_add(State.RECORDING, Action.STOP, _BOTH, State.STOPPED, (Effect.MARK_STOP, Effect.CLOSE_PART))
_add(State.PAUSED, Action.STOP, _BOTH, State.STOPPED, (Effect.MARK_STOP, Effect.CLOSE_PART))


def transition(state: State, action: Action, pause_mode: str) -> tuple[State, tuple[Effect, ...]]:
    """The next state and the effects to carry out; StateError when the action is refused."""
    try:
        return TABLE[(state, action, pause_mode)]
    except KeyError:
        raise StateError("session.refused", action=action.text,
                         state=state.text) from None
