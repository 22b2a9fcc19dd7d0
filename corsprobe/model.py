"""Frozen data shared by every layer. Standard library only.

Headers are always an ordered tuple of ``(name, value)`` pairs, exactly as sent or
received: duplicates and the original letter case are kept. Joining them (as a
browser does when it reads one header) is the job of :func:`header_values` and
:func:`joined`, never of the recording.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, TypeVar

HeaderList = tuple[tuple[str, str], ...]
T = TypeVar("T")
R = TypeVar("R")
Severity = Literal["error", "warning", "info"]  # ordered and compared in corsprobe.policy
# "mixed-content", "local-network-access": gates the browser applies before CORS
# "request-mode": fetch(url, {mode: "same-origin"}) to another origin, refused before sending
BlockedAt = Literal["preflight", "actual", "redirect", "mixed-content", "local-network-access",
                    "request-mode"]


# Rules and the report ask one response for dozens of names in turn: the last few header
# lists read are indexed by name (by identity; each entry holds its list, so its id cannot
# be reused while it is cached).
_INDEXES: dict[int, tuple[HeaderList, dict[str, list[str]]]] = {}


def header_index(headers: HeaderList) -> dict[str, list[str]]:
    """Every value of each header, by lower-cased name (cached: read it, never change it)."""
    found = _INDEXES.get(id(headers))
    if found is not None and found[0] is headers:
        return found[1]
    index: dict[str, list[str]] = {}
    for k, v in headers:
        key = k.lower()
        if key in index:
            index[key].append(v)
        else:
            index[key] = [v]
    if len(_INDEXES) >= 16:
        _INDEXES.clear()
    _INDEXES[id(headers)] = (headers, index)
    return index


def header_values(headers: HeaderList, name: str) -> list[str]:
    """Every value of header ``name`` (case-insensitive), in order."""
    return list(header_index(headers).get(name.lower(), ()))


def joined(headers: HeaderList, name: str) -> str | None:
    """The header as a browser reads it: all lines joined with ", ", or None if absent."""
    values = header_index(headers).get(name.lower())
    return ", ".join(values) if values else None


def last_answer(func: Callable[[T], R]) -> Callable[[T], R]:
    """``func`` of one frozen argument, keeping its last answer: the rules and the report
    ask the same question of one trace in turn. The argument is kept with the answer (one
    reference, swapped whole, so threads never see a mixed pair), and compared by identity."""
    last: list[tuple[object, R]] = []

    @functools.wraps(func)
    def asked(arg: T) -> R:
        kept = last[0] if last else None
        if kept is not None and kept[0] is arg:
            return kept[1]
        answer = func(arg)
        last[:] = [(arg, answer)]
        return answer

    return asked


@dataclass(frozen=True)
class RequestSpec:
    """What the page asks for: ``fetch(url, {method, headers, body, credentials})`` from ``origin``."""

    url: str
    origin: str
    method: str = "GET"
    headers: HeaderList = ()
    body: bytes | None = None
    credentials: bool = False
    send_actual: bool | None = None  # None: only for GET/HEAD/OPTIONS
    expect_headers: tuple[str, ...] = ()
    browser: str = "chrome"
    max_redirects: int = 20
    cookies: HeaderList = ()  # Cookie lines the browser's jar would add (only with credentials)
    secret_headers: tuple[str, ...] = ()  # header names whose values are redacted in reports
    third_party_cookies: str = "allow"  # the user's setting in Chrome: "allow" | "block"
    # Local Network Access: "public" | "private" | "local"; None: derived from the hosts
    page_space: str | None = None  # where the page is served from
    target_space: str | None = None  # where the URL's host is (default: its address)
    stack: tuple[str, ...] = ()  # layers the user declares (--stack), front to back
    # the kind of request (corsprobe.fetch.kinds): fetch | xhr | eventsource | img | font |
    # script | module | stylesheet | beacon; fetch's mode (None: cors); an element's
    # crossorigin attribute (None: absent). With a kind, ``credentials`` is the page's
    # withCredentials / credentials: 'include'; the kind may decide it instead (an <img>).
    kind: str = "fetch"
    mode: str | None = None
    crossorigin: str | None = None


@dataclass(frozen=True)
class HttpRequest:
    method: str
    url: str
    headers: HeaderList
    body: bytes | None = None


@dataclass(frozen=True)
class HttpResponse:
    status: int
    reason: str
    headers: HeaderList
    body: bytes = b""  # a capped excerpt, never the whole body
    http_version: str = "HTTP/1.1"
    body_truncated: bool = False
    wire_notes: tuple[str, ...] = ()  # what the transport forgave, as the browser forgives it


@dataclass(frozen=True)
class NetError:
    """A transport failure: no usable HTTP response."""

    kind: str  # dns, connect, tls, timeout, protocol, too_large, unsafe_redirect, ...
    message: str


@dataclass(frozen=True)
class Exchange:
    request: HttpRequest
    response: HttpResponse | None = None
    error: NetError | None = None
    elapsed_ms: float = 0.0


@dataclass(frozen=True)
class CorsFailure:
    """The browser's refusal: a DevTools ``Network.CorsError`` name and its hint."""

    error: str
    hint: str | None = None


@dataclass(frozen=True)
class Probe:
    """One extra safe request (OPTIONS/GET/HEAD) with a close variant of the refused origin."""

    origin: str
    difference: str
    exchange: Exchange
    accepted: bool
    purpose: str = "variant"  # "variant": a refused origin's near-miss; "untrusted": an attacker's


@dataclass(frozen=True)
class Trace:
    """Everything that happened on the wire, and the browser's verdict on it."""

    spec: RequestSpec
    origin_sent: str
    preflight_required: bool
    preflight_reasons: tuple[str, ...]
    preflights: tuple[Exchange, ...] = ()
    actuals: tuple[Exchange, ...] = ()
    actual_sent: bool = False
    why_not_sent: str | None = None
    allowed: bool | None = None
    blocked_at: BlockedAt | None = None
    failure: CorsFailure | None = None
    net_error: NetError | None = None
    # the CDP Network.BlockedReason name when a gate before CORS blocked it (no CorsError)
    blocked_reason: str | None = None
    final_url: str | None = None
    tainted: bool = False
    readable_headers: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    probes: tuple[Probe, ...] = ()
    request_mode: str = "cors"  # the Fetch request mode the kind used
    # the Fetch response type the page gets when allowed: "basic" (same-origin), "cors",
    # "opaque" (no-cors to another origin: it loads, but the page cannot read it)
    response_type: str | None = None

    @property
    def opaque(self) -> bool:
        return self.response_type == "opaque"


@dataclass(frozen=True)
class Finding:
    rule: str
    name: str
    severity: Severity
    message: str
    evidence: dict[str, object] = field(default_factory=dict)
    fix: dict[str, str] = field(default_factory=dict)
    # exploitability beyond the three severities (critical, high, medium, low, info): set by
    # the scan rules, whose severity follows it; None for every other rule
    risk: str | None = None
