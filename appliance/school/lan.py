"""Finding the boxes of the school on the LAN: mDNS/DNS-SD through python-zeroconf.

Each web process announces one `_appliance-rec._tcp` service whose TXT record holds the school
code, the room, the software version, the box id and the export key's fingerprint (when the box
has a key), and browses for the same service type. Discovery only says where a box is: whether
it is trusted is decided by the signed summary request (trust.py), never by what it announces.
"""

from __future__ import annotations

import ipaddress
import logging
import threading
from dataclasses import dataclass

import ifaddr
from zeroconf import ServiceBrowser, ServiceInfo, ServiceStateChange, Zeroconf

from appliance import __version__

log = logging.getLogger(__name__)

SERVICE_TYPE = "_appliance-rec._tcp.local."
RESOLVE_TIMEOUT_MS = 3000


@dataclass(frozen=True)
class Announcement:
    """What one box says about itself."""

    box_id: str
    school: str
    room: str
    port: int
    version: str = __version__
    fingerprint: str = ""

    def properties(self) -> dict[str, str]:
        return {"id": self.box_id, "school": self.school, "room": self.room,
                "version": self.version, "fp": self.fingerprint}


@dataclass
class Found:
    """A box seen on the LAN: its announcement and addresses. A box that says goodbye (a
    clean stop) stays found: it is shown as not answering."""

    announcement: Announcement
    addresses: list[str]


def local_addresses() -> list[str]:
    """This machine's IPv4 addresses other than loopback: where the others can reach it."""
    found = []
    for adapter in ifaddr.get_adapters():
        for ip in adapter.ips:
            if isinstance(ip.ip, str) and not ipaddress.ip_address(ip.ip).is_loopback:
                found.append(ip.ip)
    return found


def _service_info(me: Announcement, addresses: list[str]) -> ServiceInfo:
    label = f"appliance-{me.school or 'none'}-{me.room or 'none'}-{me.box_id[:6]}"
    return ServiceInfo(SERVICE_TYPE, f"{label}.{SERVICE_TYPE}", port=me.port,
                       properties=me.properties(), server=f"{label}.local.",
                       parsed_addresses=addresses)


def _announcement(info: ServiceInfo) -> Announcement | None:
    props = {(k or b"").decode(errors="replace"): (v or b"").decode(errors="replace")
             for k, v in (info.properties or {}).items()}
    if not props.get("id") or not info.port:
        return None
    return Announcement(box_id=props["id"], school=props.get("school", ""),
                        room=props.get("room", ""), port=info.port,
                        version=props.get("version", ""), fingerprint=props.get("fp", ""))


class SchoolLan:
    """Announces this box (optional) and keeps the directory of the boxes found.

    Threads: zeroconf's own; `found()` may be called from any thread."""

    def __init__(self, me: Announcement | None = None) -> None:
        self._zc = Zeroconf()
        self._lock = threading.Lock()
        self._found: dict[str, Found] = {}
        self._me = me
        self._info: ServiceInfo | None = None
        if me is not None:
            self._info = _service_info(me, local_addresses())
            self._zc.register_service(self._info, allow_name_change=True)
        self._browser = ServiceBrowser(self._zc, SERVICE_TYPE,
                                       handlers=[self._on_change])

    def announce(self, me: Announcement) -> None:
        """Say the new settings (room, school code) or addresses; no-op when unchanged."""
        addresses = local_addresses()
        if self._info is not None and me == self._me and \
                sorted(self._info.parsed_addresses()) == sorted(addresses):
            return
        self._me = me
        info = _service_info(me, addresses)
        if self._info is not None:
            self._zc.unregister_service(self._info)
        self._info = info
        self._zc.register_service(info, allow_name_change=True)

    def found(self) -> list[Found]:
        with self._lock:
            return [Found(f.announcement, list(f.addresses))
                    for f in self._found.values()]

    def close(self) -> None:
        self._browser.cancel()
        if self._info is not None:
            self._zc.unregister_service(self._info)
        self._zc.close()

    def __enter__(self) -> SchoolLan:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _on_change(self, zeroconf: Zeroconf, service_type: str, name: str,
                   state_change: ServiceStateChange) -> None:
        if state_change is ServiceStateChange.Removed:
            return
        info = zeroconf.get_service_info(service_type, name, timeout=RESOLVE_TIMEOUT_MS)
        if info is None:
            return
        announcement = _announcement(info)
        if announcement is None:
            log.info("ignoring %s: no box id in its TXT record", name)
            return
        with self._lock:
            self._found[announcement.box_id] = Found(
                announcement, [a for a in info.parsed_addresses() if ":" not in a])
