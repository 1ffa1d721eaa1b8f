"""The web page's only way to the recorder: its control socket (appliance.recorder.control).

The recorder owns the audio; the page asks and shows. A refusal or an unreachable recorder
raises ApplianceError, which the app's error handler shows in the page language.
"""

from __future__ import annotations

from typing import Any

from appliance.recorder.control import ControlClient

TIMEOUT_S = 15.0


def call(cmd: str, **args: Any) -> Any:
    """The recorder's reply to `cmd` (inside a request: uses the current settings)."""
    from appliance.webui.app import current_config
    return ControlClient(current_config().recording.socket_path(), TIMEOUT_S).call(cmd, **args)
