"""Candidate attacker origins for ``corsprobe scan``, derived from the target and the trusted
origin. Pure: no I/O, standard library only.

Each candidate is only ever an ``Origin`` header *value* sent to the target; corsprobe never
connects to the hosts named in it. Candidates come in classes, one per kind of weak policy
(``CLASSES``, in the order they are tried). Within a class the most telling origin comes first,
so a scan can stop at the first one the server accepts; the *rare* ones (variants that seldom
catch what the others of their class miss) are tried only with ``--all``.

Some values are origins a browser can really be at (an attacker registers the domain); others
are spellings a browser never sends (upper case, ``user@host``, an explicit default port). The
second kind cannot be exploited as such, but shows that the server parses or compares origins
loosely; :attr:`Candidate.sendable` tells them apart.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from functools import lru_cache

from ..fetch.urls import DEFAULT_PORTS, InvalidInput, parse_origin, parse_url

ATTACKER = "attacker.invalid"  # a reserved name: nobody can own it, reports read clearly
SPECIAL_CHARS = ("_", "-", "`", "!", "$", "&", "'", "(", ")", "*", "+", ",", ";", "=", "~")
# valid in host names in every browser; the others are tried with --all (a pattern that lets
# one of them through but refuses both of these is rare)
COMMON_SPECIAL_CHARS = ("_", "-")
# where anyone can publish a page: playgrounds and shared hosting (a free subdomain)
DEV_HOSTS = (
    "https://corsprobe-attacker.github.io",
    "https://codepen.io",
    "https://jsfiddle.net",
    "http://jsbin.com",
    "https://repl.it",
    "http://www.webdevout.net",
    "https://corsprobe-attacker.netlify.app",
    "https://corsprobe-attacker.vercel.app",
)
RARE_DEV_HOSTS = ("https://corsprobe-attacker.herokuapp.com", "https://corsprobe-attacker.pages.dev")
LOCAL_PORTS = (3000,)
# second-level labels under which names are registered (example.co.uk): a small list, not the PSL
_SECOND_LEVEL = {"co", "com", "net", "org", "gov", "edu", "ac", "or", "ne", "go"}

CLASSES = (
    "reflect", "null", "prefix", "suffix", "unescaped-dot", "subdomain", "http", "special-chars",
    "userinfo", "port", "case", "localhost", "dev-host",
)
# classes whose every candidate an arbitrary-origin reflection would accept anyway
IMPLIED_BY_REFLECTION = frozenset(CLASSES) - {"reflect", "null"}


@dataclass(frozen=True)
class Candidate:
    cls: str  # one of CLASSES
    origin: str  # the Origin header value, exactly as sent
    why: str  # what a server that accepts it does wrong
    rare: bool = False  # tried only with --all: seldom finds what its class's others miss

    @property
    def sendable(self) -> bool:
        return sendable(self.origin)


@lru_cache(maxsize=4096)
def sendable(origin: str) -> bool:
    """A browser can be at this origin and sends exactly this value (it parses as an origin
    and serializes back to the same text)."""
    try:
        return parse_origin(origin).serialize() == origin
    except InvalidInput:
        return False


@dataclass(frozen=True)
class Base:
    """The origin the candidates are built around (the trusted one, else the target's)."""

    scheme: str
    host: str  # lower case; an IPv6 address in brackets
    port_part: str  # ":8443", or "" for the scheme's default port
    registrable: str | None  # example.com for app.example.com; None for an IP address

    @property
    def origin(self) -> str:
        return f"{self.scheme}://{self.host}{self.port_part}"


def registrable_domain(host: str) -> str | None:
    """The registered name of ``host`` (``example.co.uk`` for ``api.example.co.uk``): a
    heuristic without the public suffix list; None for an IP address or a single label."""
    try:
        ipaddress.ip_address(host.strip("[]"))
        return None
    except ValueError:
        pass
    labels = host.split(".")
    if len(labels) < 2:
        return None
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def base_for(url: str, trusted: str | None = None) -> Base:
    """The base origin: ``trusted`` when given, else the target URL's own origin.
    Raises InvalidInput (a usage error) for a bad URL or origin."""
    if trusted is not None:
        o = parse_origin(trusted)
        if o.opaque:
            raise InvalidInput("--origin null: the trusted origin must be scheme://host[:port]")
    else:
        o = parse_url(url).origin
    host = f"[{o.host}]" if ":" in o.host else o.host
    port_part = "" if DEFAULT_PORTS[o.scheme] == o.port else f":{o.port}"
    return Base(o.scheme, host, port_part, registrable_domain(o.host))


def candidates(url: str, trusted: str | None = None) -> list[Candidate]:
    """Every candidate for ``url`` (and ``trusted``), class by class in :data:`CLASSES` order,
    without duplicates and never the base origin itself."""
    b = base_for(url, trusted)
    target_https = parse_url(url).scheme == "https"
    s, h, p, reg = b.scheme, b.host, b.port_part, b.registrable
    out: list[Candidate] = []

    def add(cls: str, origin: str, why: str, rare: bool = False) -> None:
        out.append(Candidate(cls, origin, why, rare))

    add("reflect", f"{s}://{ATTACKER}", "reflects any origin it receives")
    add("null", "null", "trusts the opaque origin null (sandboxed iframes, data: URLs)")

    add("prefix", f"{s}://{h}.{ATTACKER}{p}",
        "matches the trusted origin as a prefix (a pattern not anchored at the end)")
    if reg and reg != h:
        add("prefix", f"{s}://{reg}.{ATTACKER}{p}",
            "matches the trusted domain as a prefix (a pattern not anchored at the end)")

    name = reg or h
    if not h.startswith("["):
        add("suffix", f"{s}://attacker{name}{p}",
            "matches the trusted name as a suffix without a dot boundary")
        add("suffix", f"{s}://attacker-{name}{p}",
            "matches the trusted name as a suffix without a dot boundary", rare=True)

    labels = h.split(".")
    if len(labels) >= 2 and not h.startswith("["):
        # each dot replaced by a letter: what an unescaped "." in a regex also matches
        # (the last and the first dot; the ones between with --all)
        for i in range(len(labels) - 1, 0, -1):
            dotless = ".".join(labels[:i - 1] + [labels[i - 1] + "x" + labels[i]] + labels[i + 1:])
            add("unescaped-dot", f"{s}://{dotless}{p}",
                "uses a regular expression with an unescaped dot ('.' matches any character)",
                rare=i not in (1, len(labels) - 1))

    if reg:
        add("subdomain", f"{s}://attacker.{reg}{p}",
            "trusts every subdomain (one subdomain takeover or XSS exposes this endpoint)")
    if reg != h:
        add("subdomain", f"{s}://attacker.{h}{p}", "trusts every subdomain of the trusted host")

    if s == "https" or target_https:
        add("http", f"http://{h}{p}",
            "trusts the plain-http origin (a network attacker can inject script into it)")
        if reg:
            add("http", f"http://attacker.{reg}", "trusts plain-http subdomains")

    for c in SPECIAL_CHARS:
        add("special-chars", f"{s}://{h}{c}.{ATTACKER}{p}",
            f"accepts '{c}' after the trusted host (some browsers allow it in a host name)",
            rare=c not in COMMON_SPECIAL_CHARS)

    add("userinfo", f"{s}://{ATTACKER}@{h}{p}",
        "accepts a user@ part before the trusted host (it parses the Origin as a URL, or "
        "matches only its end)")
    add("userinfo", f"{s}://{h}@{ATTACKER}",
        "accepts the trusted host followed by @ and another host (it matches only the start)",
        rare=True)

    default = DEFAULT_PORTS[s]
    other = 80 if s == "https" else 443
    add("port", f"{s}://{h}:{other}", "ignores the port (another service on the host is trusted)")
    add("port", f"{s}://{h}:8443" if p != ":8443" else f"{s}://{h}:9443",
        "ignores the port (another service on the host is trusted)", rare=True)
    if not p:
        add("port", f"{s}://{h}:{default}",
            f"accepts the default port :{default} written out (compares loosely)")

    if h != h.upper():
        add("case", f"{s}://{h.upper()}{p}", "compares origins case-insensitively "
            "(browsers always send lower case)")

    for origin in ("http://localhost", "http://127.0.0.1",
                   *(f"http://localhost:{port}" for port in LOCAL_PORTS)):
        add("localhost", origin, "trusts a local development origin (any program on the "
            "user's machine can serve it)")

    for origin in DEV_HOSTS:
        add("dev-host", origin, "trusts a public host where anyone can publish a page")
    for origin in RARE_DEV_HOSTS:
        add("dev-host", origin, "trusts a public host where anyone can publish a page", rare=True)

    seen = {b.origin}
    unique: list[Candidate] = []
    for candidate in out:
        if candidate.origin not in seen:
            seen.add(candidate.origin)
            unique.append(candidate)
    return unique


def by_class(items: list[Candidate]) -> dict[str, list[Candidate]]:
    groups: dict[str, list[Candidate]] = {cls: [] for cls in CLASSES}
    for c in items:
        groups[c.cls].append(c)
    return {cls: group for cls, group in groups.items() if group}
