"""The recorder's control API: JSON lines over a Unix socket (see docs/FORMATS.md).

The web page, the CLI and tests talk to the recorder only through this socket, so they can
crash or restart without touching the audio. File permissions on the socket (0660, the
appliance group) are the access control.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import socketserver
import threading
from pathlib import Path
from typing import Any

from appliance import errors, i18n
from appliance.errors import ApplianceError, ControlError

log = logging.getLogger(__name__)

i18n.register({
    "control.unreachable": ("Регистратор не отвечает ({path}): {detail}. Запущена ли служба "
                            "appliance-recorder?", "The recorder does not answer ({path}): "
                            "{detail}. Is the appliance-recorder service running?"),
    "control.bad_request": ("Неверный запрос к регистратору: {detail}",
                            "Bad request to the recorder: {detail}"),
    "control.internal": ("Внутренняя ошибка регистратора: {detail}",
                         "Internal recorder error: {detail}"),
})

ERROR_CLASSES = {cls.__name__: cls for cls in (
    errors.ConfigError, errors.StateError, errors.ClockError, errors.StorageError,
    errors.ControlError, errors.ApplianceError)}


class ControlServer:
    """Serve `handlers[cmd](**args) -> dict` on a Unix socket, one thread per connection."""

    def __init__(self, path: str | os.PathLike, handlers: dict[str, Any]) -> None:
        self.path = Path(path)
        self.handlers = handlers
        if self.path.exists() or self.path.is_symlink():
            self.path.unlink()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        server = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                for line in self.rfile:
                    reply = server.dispatch(line)
                    self.wfile.write(json.dumps(reply, ensure_ascii=False).encode() + b"\n")

        self._server = socketserver.ThreadingUnixStreamServer(str(self.path), Handler)
        self._server.daemon_threads = True
        os.chmod(self.path, 0o660)
        self._thread = threading.Thread(target=self._server.serve_forever, name="control",
                                        daemon=True)

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self.path.unlink(missing_ok=True)

    def dispatch(self, line: bytes) -> dict:
        try:
            request = json.loads(line)
            cmd = request.pop("cmd")
            handler = self.handlers[cmd]
        except (ValueError, KeyError, AttributeError, TypeError) as err:
            return _error(ControlError("control.bad_request", detail=repr(err)))
        try:
            return {"ok": True, "result": handler(**request)}
        except ApplianceError as err:
            return _error(err)
        except Exception as err:  # top of a request: report, never kill the server
            log.exception("control command %s failed", cmd)
            return _error(ControlError("control.internal", detail=str(err)))


def _error(err: ApplianceError) -> dict:
    return {"ok": False, "error": {**err.to_dict(), "class": type(err).__name__}}


class ControlClient:
    """Call the recorder: `ControlClient(path).call("mark", label="…")`."""

    def __init__(self, path: str | os.PathLike, timeout_s: float = 15.0) -> None:
        self.path = Path(path)
        self.timeout_s = timeout_s

    def call(self, cmd: str, **args: Any) -> Any:
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(self.timeout_s)
                sock.connect(str(self.path))
                sock.sendall(json.dumps({"cmd": cmd, **args}).encode() + b"\n")
                reply = json.loads(_read_line(sock))
        except (OSError, ValueError) as err:
            raise ControlError("control.unreachable", path=self.path,
                               detail=getattr(err, "strerror", None) or err) from err
        if reply["ok"]:
            return reply["result"]
        raise _rebuild(reply["error"])


def _read_line(sock: socket.socket) -> bytes:
    chunks = []
    while not chunks or not chunks[-1].endswith(b"\n"):
        chunk = sock.recv(65536)
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


class RemoteError(ApplianceError):
    """An error raised in the recorder, carried over the socket with its message."""

    def __init__(self, code: str, text: str, params: dict) -> None:
        super().__init__(code, **params)
        self.text = text

    def message(self, lang: str | None = None) -> str:
        try:
            return super().message(lang)
        except KeyError:
            return self.text


def _rebuild(error: dict) -> ApplianceError:
    cls = ERROR_CLASSES.get(error.get("class"), ApplianceError)
    remote = type(f"Remote{cls.__name__}", (RemoteError, cls), {})
    return remote(error["code"], error["message"], error.get("params", {}))
