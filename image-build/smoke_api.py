"""The smoke test's conversation with the booted image's web page, over the port forward.

Checks, each printed as PASS/FAIL: the page answers; the first-start password flow; a
recording started and stopped through the web API with the guest's simulated microphone.
The endpoints are the web page's JSON API (see docs/IMAGE.md, "Smoke test"); keep them in
step with appliance.webui.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import sys
import time
import urllib.error
import urllib.request

PASSWORD = "smoke-test-пароль-1"
SETUP, LOGIN, STATUS = "/api/setup", "/api/login", "/api/status"
START, STOP = "/api/recording/start", "/api/recording/stop"


class Page:
    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def call(self, path: str, body: dict | None = None) -> tuple[int, dict | str]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, headers={
            "Content-Type": "application/json", "Accept": "application/json"})
        try:
            with self.opener.open(request, timeout=30) as reply:
                status, raw = reply.status, reply.read()
        except urllib.error.HTTPError as err:
            status, raw = err.code, err.read()
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, raw.decode(errors="replace")[:200]


def wait_for_state(page: Page, wanted: set[str], timeout_s: float) -> dict | str:
    deadline = time.monotonic() + timeout_s
    reply: dict | str = ""
    while time.monotonic() < deadline:
        status, reply = page.call(STATUS)
        if status == 200 and isinstance(reply, dict) and reply.get("state") in wanted:
            return reply
        time.sleep(1)
    return reply


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="e.g. http://127.0.0.1:18080")
    args = parser.parse_args()
    page = Page(args.base)
    results = []

    def check(name: str, ok: bool, detail: object = "") -> bool:
        results.append(ok)
        print(f"{'PASS' if ok else 'FAIL'} {name}" + ("" if ok else f": {detail}"), flush=True)
        return ok

    status, reply = page.call(STATUS)
    check("status needs a login", status in (401, 403), (status, reply))
    status, reply = page.call(SETUP, {"password": PASSWORD})
    check("first-start password set", status in (200, 201, 204), (status, reply))
    status, reply = page.call(LOGIN, {"password": PASSWORD})
    if check("login", status in (200, 204), (status, reply)):
        status, reply = page.call(START, {})
        started = check("recording started through the API", status == 200, (status, reply))
        if started:
            reply = wait_for_state(page, {"recording"}, 60)
            check("recorder reports recording", isinstance(reply, dict)
                  and reply.get("state") == "recording", reply)
            time.sleep(3)  # a few seconds of simulated audio in the part
            status, reply = page.call(STOP, {})
            check("recording stopped through the API", status == 200, (status, reply))
            reply = wait_for_state(page, {"stopped", "idle"}, 60)
            check("recorder reports stopped", isinstance(reply, dict)
                  and reply.get("state") in ("stopped", "idle"), reply)
    print(f"api: {sum(results)} passed, {len(results) - sum(results)} failed")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
