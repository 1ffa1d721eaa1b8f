"""Asking the other boxes of the school for their summaries, all at once, read-only.

One `Peers` per process: `known()` asks every box found on the LAN (in parallel, each with a
short timeout) at most once per MIN_REFRESH_S however many pages watch, and remembers when each
box last answered, so a box that stops answering stays on the list as «нет связи N с».
"""

from __future__ import annotations

import dataclasses
import functools
import http.client
import json
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from appliance.school import trust
from appliance.school.lan import Found

log = logging.getLogger(__name__)

SUMMARY_PATH = "/api/school/summary"
TIMEOUT_S = 1.5
MIN_REFRESH_S = 0.5
WAIT_S = 0.8
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
        if response.status == 403:
            refused = True
            continue
        signature = response.getheader(trust.HEADER_SIGNATURE, "")
        if response.status != 200 or not trust.reply_valid(
                key, headers[trust.HEADER_NONCE], body, signature):
            refused = refused or response.status == 200  # signed with another key
            continue
        try:
            summary = json.loads(body)
            diff = float(summary["time"]) - (sent_at + received_at) / 2
        except (ValueError, TypeError, KeyError):
            continue
        return Reply(summary, round(diff, 3), address=address)
    return Reply(refused=refused)


class Peers:
    """The other boxes and their latest summaries (thread-safe).

    A refresh asks every box not already being asked and waits at most WAIT_S: a box that is
    slow or gone (its request runs into TIMEOUT_S) does not hold back the others' news; its
    answer is taken whenever it comes."""

    def __init__(self, found: Callable[[], list[Found]], key: Callable[[], bytes | None],
                 me: Callable[[], tuple[str, str]], now: Callable[[], float]) -> None:
        """`found()`: boxes on the LAN; `key()`: the pairing key or None; `me()`: this box's
        (id, school code); `now()`: this box's clock."""
        self._found, self._key, self._me, self._now = found, key, me, now
        self._known: dict[str, Known] = {}
        self._asking: dict[str, Future] = {}
        self._refresh_lock = threading.Lock()
        self._data_lock = threading.RLock()  # a done future calls back at once
        self._refreshed_at = float("-inf")
        self._pool = ThreadPoolExecutor(MAX_PARALLEL, thread_name_prefix="school-peer")

    def known(self) -> list[Known]:
        """Every other box of the school seen since this process started, freshly asked."""
        with self._refresh_lock:
            if time.monotonic() - self._refreshed_at >= MIN_REFRESH_S:
                self._refresh()
                self._refreshed_at = time.monotonic()
        with self._data_lock:
            return [dataclasses.replace(k) for k in self._known.values()]

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _refresh(self) -> None:
        own_id, school = self._me()
        key = self._key()
        with self._data_lock:
            for found in self._found():
                box = found.announcement
                if box.box_id == own_id or box.school != school:
                    continue
                self._known.setdefault(box.box_id, Known(found)).found = found
            if key is None:
                for known in self._known.values():
                    known.summary, known.refused = None, True
                return
            for box_id, known in self._known.items():
                if box_id not in self._asking:
                    future = self._pool.submit(ask, known.found, key, own_id, self._now)
                    self._asking[box_id] = future
                    future.add_done_callback(functools.partial(self._answered, box_id))
            asking = list(self._asking.values())
        wait(asking, timeout=WAIT_S)

    def _answered(self, box_id: str, future: Future) -> None:
        with self._data_lock:
            del self._asking[box_id]
            if future.cancelled():
                return
            if future.exception() is not None:  # a bug, not the network: ask() catches that
                log.error("asking box %s failed", box_id, exc_info=future.exception())
                return
            reply, known = future.result(), self._known[box_id]
            known.refused = reply.refused
            if reply.refused:
                known.summary = None
            if reply.summary is not None:
                known.summary, known.clock_diff_s = reply.summary, reply.clock_diff_s
                known.last_ok_at, known.address = time.time(), reply.address
