"""What every transport shares: the options, the limits, and importing httpx cheaply."""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass

# The default cap on the body excerpt kept for the report (TransportOptions.body_cap).
BODY_CAP = 64 * 1024
# Chromium refuses a response head over 256 KB (net::ERR_RESPONSE_HEADERS_TOO_BIG).
MAX_HEAD = 256 * 1024
# Once the headers are in, the body is only an excerpt for the report: wait this long for it.
BODY_WAIT = 0.5


def import_httpx() -> types.ModuleType:
    """``import httpx`` without its command-line module (the only way net/ imports httpx)."""
    # httpx's package __init__ imports its own command-line module, which pulls in click,
    # rich and pygments (~40 ms). corsprobe never uses that entry point: give httpx an
    # empty one so importing it costs only what the client needs.
    if "httpx" not in sys.modules and "httpx._main" not in sys.modules:
        stub = types.ModuleType("httpx._main")

        def main() -> None:  # pragma: no cover - never called
            raise SystemExit("httpx's command line is not available inside corsprobe")

        vars(stub)["main"] = main
        sys.modules["httpx._main"] = stub
    import httpx

    return httpx


@dataclass(frozen=True)
class TransportOptions:
    """How every transport connects: timeout, TLS trust, curl-like address overrides."""

    timeout: float = 10.0
    insecure: bool = False
    cacert: str | None = None
    resolve: tuple[tuple[str, int, str], ...] = ()  # (host, port, address), like curl
    # (host, port, host2, port2), like curl's --connect-to: connect to host2:port2 instead,
    # keeping the URL and Host header (``har --replay`` of a file recorded on another port)
    connect_to: tuple[tuple[str, int, str, int], ...] = ()
    body_cap: int = BODY_CAP


def address_of(host: str, port: int, options: TransportOptions) -> str | None:
    """The address a transport would connect to for ``host:port``: a ``--resolve`` or
    ``--connect-to`` entry (when it names an address), else the first address DNS gives;
    None when the name does not resolve."""
    import ipaddress
    import socket

    host = host.strip("[]")
    for r_host, r_port, r_addr in options.resolve:
        if r_host.lower() in (host.lower(), "*") and r_port == port:
            return r_addr.strip("[]")
    for c_host, c_port, c_host2, _ in options.connect_to:
        if c_host.lower() in (host.lower(), "*") and c_port == port:
            host = c_host2.strip("[]")
            break
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    try:
        # a name already in ASCII (parse_url's punycode) goes as bytes: for a str, socket
        # would load the idna codec to encode it again
        infos = socket.getaddrinfo(host.encode() if host.isascii() else host, port,
                                   type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return None
    return str(infos[0][4][0]) if infos else None
