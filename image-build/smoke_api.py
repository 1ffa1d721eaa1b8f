"""The smoke test's conversation with the booted image's web page, over the port forward.

Checks, each printed as PASS/FAIL: the page answers and wants a login; the first-start flow
refuses a wrong setup code and accepts the one read from the card's boot partition (passed
in by smoke-test.sh); a recording started and stopped through the web API with the guest's
simulated microphone; the day's participant list and a «незачет» mark saved from the
participants page (the web's user may only read the day folder: the recorder writes them).
Endpoints as in appliance.webui (access.py, dashboard.py, participants.py).
"""

from __future__ import annotations

import argparse
import base64
import http.cookiejar
import json
import sys
import time
import urllib.error
import urllib.request

PASSWORD = "smoke-test-пароль-1"
CSRF_HEADER = "X-CSRF-Token"


class Page:
    """A browser session: cookies, the CSRF token, JSON both ways."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.csrf = ""
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def call(self, path: str, body: dict | None = None,
             accept: str = "application/json") -> tuple[int, dict | str]:
        data = None if body is None else json.dumps(body).encode()
        headers = {"Accept": accept, CSRF_HEADER: self.csrf}
        if data is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.base + path, data=data, headers=headers)
        try:
            with self.opener.open(request, timeout=60) as reply:
                status, raw = reply.status, reply.read()
        except urllib.error.HTTPError as err:
            status, raw = err.code, err.read()
        try:
            reply = json.loads(raw)
        except ValueError:
            return status, raw.decode(errors="replace")
        if isinstance(reply, dict) and reply.get("csrf_token"):
            self.csrf = reply["csrf_token"]
        return status, reply


def wait_for_state(page: Page, wanted: str, timeout_s: float) -> dict | str:
    deadline = time.monotonic() + timeout_s
    reply: dict | str = ""
    while time.monotonic() < deadline:
        status, reply = page.call("/api/status")
        if status == 200 and isinstance(reply, dict) and reply.get("state") == wanted:
            return reply
        time.sleep(1)
    return reply


def participants(page: Page, check, query: str) -> None:
    """The recorded day's list imported and a «незачет» mark set, as the technician does."""
    listing = base64.b64encode("1;Иванов Иван Иванович;9А\n".encode()).decode()
    status, reply = page.call(f"/api/participants/import{query}",
                              {"filename": "ИС-01.csv", "data_b64": listing})
    check("participant list saved from the page (the recorder writes it)", status == 200,
          (status, reply))
    status, reply = page.call(f"/api/participants/result{query}",
                              {"participant": 1, "nezachet": True})
    check("«незачет» mark saved from the page (the recorder writes it)", status == 200
          and isinstance(reply, dict) and reply.get("nezachet") == [1], (status, reply))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="e.g. http://127.0.0.1:18080")
    parser.add_argument("--setup-code", required=True, help="read from the boot partition")
    args = parser.parse_args()
    page = Page(args.base)
    results = []

    def check(name: str, ok: bool, detail: object = "") -> bool:
        results.append(ok)
        print(f"{'PASS' if ok else 'FAIL'} {name}" + ("" if ok else f": {str(detail)[:300]}"),
              flush=True)
        return ok

    status, reply = page.call("/", accept="text/html")
    check("the page answers (the first-start page)", status == 200 and isinstance(reply, str)
          and "<form" in reply, (status, reply))
    status, reply = page.call("/api/status")
    check("status needs a login", status == 401, (status, reply))
    status, reply = page.call("/api/session")
    check("first start: a password must be set", status == 200 and isinstance(reply, dict)
          and reply.get("setup_needed") is True, (status, reply))
    status, reply = page.call("/setup", {"code": "WRONG-CODE", "password": PASSWORD})
    check("a wrong setup code is refused", status == 401, (status, reply))
    status, reply = page.call("/setup", {"code": args.setup_code, "password": PASSWORD})
    if not check("password set with the code from the boot partition", status == 200,
                 (status, reply)):
        return 1
    status, reply = page.call("/api/control/start", {})
    if check("recording started through the web API", status == 200, (status, reply)):
        reply = wait_for_state(page, "recording", 60)
        check("web reports recording", isinstance(reply, dict)
              and reply.get("state") == "recording", reply)
        time.sleep(3)  # a few seconds of simulated audio in the part
        status, reply = page.call("/api/control/stop", {})
        check("recording stopped through the web API", status == 200, (status, reply))
        reply = wait_for_state(page, "stopped", 60)
        check("web reports stopped", isinstance(reply, dict)
              and reply.get("state") == "stopped", reply)
        day = reply.get("day") if isinstance(reply, dict) else None
        participants(page, check, f"?date={day}" if day else "")
    print(f"api: {sum(results)} passed, {len(results) - sum(results)} failed")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
