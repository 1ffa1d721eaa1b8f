"""Asking the other boxes of the school for their summaries, all at once, read-only.

One `Peers` per process: `rows()` asks every box found on the LAN (in parallel, each with a
short timeout) at most once per MIN_REFRESH_S however many pages watch, and remembers when each
box last answered, so a box that stops answering stays on the list as «нет связи N с».
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from appliance.school import trust
from appliance.school.lan import Found

SUMMARY_PATH = "/api/school/summary"
TIMEOUT_S = 1.5
MIN_REFRESH_S = 0.5
MAX_PARALLEL = 8
MAX_REPLY_BYTES = 64 * 1024


@dataclass
class Reply:
    """The outcome of one request: a summary with the clock difference, or why not."""

    summary: dict | None = None
    clock_diff_s: float | None = None
    refused: bool = False
    address: str = ""


@dataclass
class Known:
    """What this box remembers of another box between requests."""

    found: Found
    summary: dict | None = None
    clock_diff_s: float | None = None
    refused: bool = False
    last_ok_at: float | None = None
    first_seen_at: float = field(default_factory=time.time)
    address: str = ""


def ask(found: Found, key: bytes, sender: str, now: Callable[[], float]) -> Reply:
    """One signed summary request to the box, trying each of its addresses."""
    refused = False
    for address in found.addresses:
        headers = trust.request_headers(key, sender, SUMMARY_PATH, now())
        conn = http.client.HTTPConnection(address, found.announcement.port, timeout=TIMEOUT_S)
        try:
            sent_at = now()
            conn.request("GET", SUMMARY_PATH, headers={**headers, "Accept": "application/json"})
            response = conn.getresponse()
            body = response.read(MAX_REPLY_BYTES + 1)
            received_at = now()
        except (OSError, http.client.HTTPException):
            continue
        finally:
            conn.close()
        signature = response.getheader(trust.HEADER_SIGNATURE, "")
        if response.status != 200 or not trust.reply_valid(
                key, headers[trust.HEADER_NONCE], body, signature):
            refused = True
            continue
        try:
            summary = json.loads(body)
        except ValueError:
            continue
        diff = float(summary.get("time", 0)) - (sent_at + received_at) / 2
        return Reply(summary, round(diff, 3), address=address)
    return Reply(refused=refused)


class Peers:
    """The other boxes and their latest summaries (thread-safe)."""

    def __init__(self, found: Callable[[], list[Found]], key: Callable[[], bytes | None],
                 me: Callable[[], tuple[str, str]], now: Callable[[], float]) -> None:
        """`found()`: boxes on the LAN; `key()`: the pairing key or None; `me()`: this box's
        (id, school code); `now()`: this box's clock."""
        self._found, self._key, self._me, self._now = found, key, me, now
        self._known: dict[str, Known] = {}
        self._lock = threading.Lock()
        self._refreshed_at = float("-inf")
        self._pool = ThreadPoolExecutor(MAX_PARALLEL, thread_name_prefix="school-peer")

    def known(self) -> list[Known]:
        """Every other box of the school seen since this process started, freshly asked."""
        with self._lock:
            if time.monotonic() - self._refreshed_at >= MIN_REFRESH_S:
                self._refresh()
                self._refreshed_at = time.monotonic()
            return list(self._known.values())

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _refresh(self) -> None:
        own_id, school = self._me()
        key = self._key()
        for found in self._found():
            box = found.announcement
            if box.box_id == own_id or box.school != school:
                continue
            known = self._known.setdefault(box.box_id, Known(found))
            known.found = found
        if key is None:
            for known in self._known.values():
                known.summary, known.refused = None, True
            return
        boxes = list(self._known.values())
        replies = self._pool.map(lambda k: ask(k.found, key, own_id, self._now), boxes)
        for known, reply in zip(boxes, replies, strict=True):
            known.refused = reply.refused
            if reply.refused:
                known.summary = None
            if reply.summary is not None:
                known.summary, known.clock_diff_s = reply.summary, reply.clock_diff_s
                known.last_ok_at, known.address = time.time(), reply.address
