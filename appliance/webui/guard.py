"""What protects the page on a shared school network before any page code runs.

- Host allow-list: the page answers only to its own names (room-NNNN.local, the host name and
  host-name.local, its addresses, localhost, `[web] allowed_hosts`). A web page elsewhere on
  the network that rebinds its own DNS name to the box gets 421 and never a token or a status.
- Body size limits, checked on Content-Length before a byte of the body is read (413): small
  for forms and JSON, a few MB for the roster upload. Waitress refuses anything above the
  largest limit itself (`max_request_body_size`), so no body above it is ever buffered.
- Security headers on every reply: a Content-Security-Policy without inline script or style,
  no Referer to other sites, no framing, no sniffing, no caching.
"""

from __future__ import annotations

import ipaddress
import socket

import ifaddr
from flask import Response, request

from appliance import i18n
from appliance.errors import ApplianceError

FORM_LIMIT_BYTES = 64 * 1024
"""Every form and JSON request: settings, login, commands, a whole roster edited on the page."""
UPLOAD_LIMIT_BYTES = 4 * 1024 * 1024
"""The roster file upload (a 2 MB spreadsheet, base64 in JSON)."""
UPLOAD_ENDPOINTS = frozenset({"participants.import_roster"})
LARGEST_BODY_BYTES = UPLOAD_LIMIT_BYTES

CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; "
                           "img-src 'self'; media-src 'self'; object-src 'none'; "
                           "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}

i18n.register({
    "web.bad_host": ("Страница регистратора открывается только по его собственному имени или "
                     "адресу (например, http://{example}/)",
                     "The recorder's page opens only by its own name or address "
                     "(e.g. http://{example}/)"),
    "web.too_big": ("Слишком большой запрос: не больше {limit} КБ",
                    "The request is too large: at most {limit} kB"),
    "web.too_big.hint": ("Файл списка участников — не больше 2 МБ; остальные формы намного "
                         "меньше", "A roster file may be at most 2 MB; other forms are much "
                         "smaller"),
})


def own_addresses() -> set[str]:
    """Every address of the box's network interfaces, as written in a URL's host part."""
    found = set()
    for adapter in ifaddr.get_adapters():
        for ip in adapter.ips:
            found.add(ip.ip if isinstance(ip.ip, str) else ip.ip[0].split("%")[0])
    return found


def own_names(room: str, extra: list[str]) -> set[str]:
    """The names the box answers to (lower case, no port)."""
    host = socket.gethostname().lower()
    names = {"localhost", host, f"{host}.local", *extra}
    if room:
        names.add(f"room-{room}.local")
    return names


def host_of(header: str) -> str:
    """The host part of a Host header: no port, no IPv6 brackets, lower case."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:].partition("]")[0]
    return header.rpartition(":")[0] if header.count(":") == 1 else header


def host_allowed(header: str, room: str, extra: list[str]) -> bool:
    host = host_of(header)
    if not host:
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host.rstrip(".") in own_names(room, extra)
    return address.is_loopback or str(address) in own_addresses()


def body_limit(endpoint: str | None) -> int:
    return UPLOAD_LIMIT_BYTES if endpoint in UPLOAD_ENDPOINTS else FORM_LIMIT_BYTES


def refuse_foreign_host(config, text) -> Response | None:
    """A short 421 for a request naming a host that is not this box (no page, no session);
    `text(key, **params)` gives the message in the page language."""
    if host_allowed(request.host, config.site.room, config.web.allowed_hosts):
        return None
    example = f"room-{config.site.room}.local" if config.site.room else "localhost"
    return Response(text("web.bad_host", example=example) + "\n", 421, mimetype="text/plain")


def oversized_body() -> ApplianceError | None:
    """The refusal of a body over this endpoint's limit, judged on Content-Length before any
    of it is read; a body without a length is cut off at the limit while it is read."""
    limit = body_limit(request.endpoint)
    request.max_content_length = limit
    if (request.content_length or 0) > limit:
        return too_big(limit)
    return None


def too_big(limit: int | None = None) -> ApplianceError:
    return ApplianceError("web.too_big", limit=(limit or body_limit(request.endpoint)) // 1024)


def add_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
