"""The layers in front of the app (proxies, caches) and the app behind them, from the wire.

Production CORS failures are mostly born in a layer between the browser and the app: nginx
and the app both add Access-Control-Allow-Origin, a proxy answers an error or a redirect
itself, a cache serves one origin's answer to another. This module reads the evidence a
response carries (``Server``, ``Via``, cache headers, a proxy's house-style error page),
names the layers, and says which layer produced a response. It is pure: recorded exchanges
in, names and evidence out. The facts each signature rests on were observed on the real
servers of ``tests/stacks`` (nginx, Apache httpd, Caddy, Varnish from Debian).

The user can state layers the wire hides (``--stack nginx,django``); they come first, marked
as declared.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .errors import UsageError
from .frameworks import detect as framework
from .model import HttpResponse, Trace, header_index, header_values, joined, last_answer

# name -> (label, role); roles, front to back: "cache", "proxy", "app"
KNOWN: dict[str, tuple[str, str]] = {
    "cdn": ("a CDN", "cache"),
    "cloudflare": ("Cloudflare", "cache"),
    "cloudfront": ("Amazon CloudFront", "cache"),
    "fastly": ("Fastly", "cache"),
    "varnish": ("Varnish", "cache"),
    "cache": ("a shared cache", "cache"),
    "nginx": ("nginx", "proxy"),
    "apache": ("Apache httpd", "proxy"),
    "caddy": ("Caddy", "proxy"),
    "express": ("Express (cors)", "app"),
    "fastapi": ("FastAPI / Starlette", "app"),
    "django": ("Django (django-cors-headers)", "app"),
    "flask": ("Flask (flask-cors)", "app"),
}
_ORDER = {"cache": 0, "proxy": 1, "app": 2}
PROXIES = tuple(n for n, (_, role) in KNOWN.items() if role != "app")


@dataclass(frozen=True)
class Layer:
    name: str  # a key of KNOWN
    evidence: tuple[str, ...]  # what on the wire names it ("declared with --stack" if given)
    declared: bool = False

    @property
    def label(self) -> str:
        return KNOWN[self.name][0]

    @property
    def role(self) -> str:
        return KNOWN[self.name][1]


def parse(value: str | Iterable[str], option: str | None = None) -> tuple[str, ...]:
    """``"nginx,django"`` (or a list) -> ``("nginx", "django")``; a UsageError naming the
    known layers (after ``option``, e.g. ``--stack``, when given)."""
    text = value if isinstance(value, str) else ",".join(value)
    names = tuple(n.strip().lower() for n in text.split(",") if n.strip())
    unknown = [n for n in names if n not in KNOWN]
    if unknown:
        why = f"unknown layer {', '.join(map(repr, unknown))}; known: {', '.join(KNOWN)}"
        raise UsageError(f"{option}: {why}" if option else why, field="stack")
    return tuple(dict.fromkeys(names))


# -- caches ---------------------------------------------------------------------------------------

CACHE_HEADERS = ("age", "x-cache", "x-cache-status", "cf-cache-status", "x-varnish",
                  "x-served-by", "x-cache-hits", "x-proxy-cache", "cdn-cache", "x-drupal-cache")


def cache_indicators(response: HttpResponse) -> list[str]:
    """The headers that show a cache handled this response (``Age: 37``, ``X-Cache: HIT``)."""
    out = [f"{k}: {v}" for k, v in response.headers if k.lower() in CACHE_HEADERS]
    via = joined(response.headers, "via")
    if via:
        out.append(f"Via: {via}")
    return out


def cache_hit(response: HttpResponse) -> bool:
    """The response came out of a cache (not from the origin server, on this request)."""
    for name in ("x-cache", "x-cache-status", "cf-cache-status", "x-proxy-cache", "cdn-cache"):
        value = (joined(response.headers, name) or "").upper()
        if re.search(r"\bHIT\b", value) or value.startswith("STALE") or value == "UPDATING":
            return True
    if len((joined(response.headers, "x-varnish") or "").split()) >= 2:
        return True  # Varnish: the request's id, then the id of the request that stored it
    age = (joined(response.headers, "age") or "").strip()
    return age.isdigit() and int(age) > 0


# -- who made a response ---------------------------------------------------------------------------

def house_style(response: HttpResponse) -> str | None:
    """The proxy that wrote this response itself (its own error page or redirect), if its
    house style shows: the upstream app never answered."""
    body = response.body[:2000]
    servers = [v.lower() for v in header_values(response.headers, "server")]
    if b"<center>nginx" in body or b"<hr><center>openresty" in body:
        return "nginx"
    if b"<address>Apache" in body or b"<title>502 Proxy Error</title>" in body or (
            servers and servers[0].startswith("apache") and body.startswith(b"<!DOCTYPE HTML")
            and b"The server is temporarily unable to service" in body):
        return "apache"
    if b"Guru Meditation" in body:
        return "varnish"
    if servers == ["caddy"] and response.status >= 300 and not body:
        return "caddy"  # Caddy's own error or redirect: empty, and no app's Server after its own
    return None


# every header _votes reads: a response with none of them (and no proxy's own page) names no layer
_TELLING = frozenset({"server", "via", "x-varnish", "cf-cache-status", "cf-ray", "x-amz-cf-id",
                      "x-served-by", "x-cache-status", "x-cache", "age", "keep-alive",
                      "x-powered-by"})


def _votes(response: HttpResponse) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    if _TELLING.isdisjoint(header_index(response.headers)) and house_style(response) is None:
        return found

    def vote(name: str, why: str) -> None:
        if why not in found.setdefault(name, []):
            found[name].append(why)

    for server in header_values(response.headers, "server"):
        low = server.lower()
        for name, marker in (("nginx", "nginx"), ("nginx", "openresty"), ("apache", "apache"),
                             ("caddy", "caddy"), ("cloudflare", "cloudflare")):
            if low.startswith(marker):
                vote(name, f"Server: {server}")
    for via in header_values(response.headers, "via"):
        low = via.lower()
        for name, marker in (("varnish", "varnish"), ("caddy", "caddy"), ("cloudfront", "cloudfront"),
                             ("nginx", "nginx"), ("apache", "apache")):
            if marker in low:
                vote(name, f"Via: {via}")
    if joined(response.headers, "x-varnish"):
        vote("varnish", f"X-Varnish: {joined(response.headers, 'x-varnish')}")
    if joined(response.headers, "cf-cache-status") or joined(response.headers, "cf-ray"):
        vote("cloudflare", "CF-Cache-Status / CF-Ray")
    if joined(response.headers, "x-amz-cf-id"):
        vote("cloudfront", "X-Amz-Cf-Id")
    served = joined(response.headers, "x-served-by") or ""
    if served.startswith("cache-"):
        vote("fastly", f"X-Served-By: {served}")
    if joined(response.headers, "x-cache-status"):
        vote("cache", f"X-Cache-Status: {joined(response.headers, 'x-cache-status')}")
    elif joined(response.headers, "x-cache"):
        vote("cache", f"X-Cache: {joined(response.headers, 'x-cache')}")
    elif joined(response.headers, "age") is not None:
        vote("cache", f"Age: {joined(response.headers, 'age')}")
    made = house_style(response)
    if made:
        vote(made, f"{made}'s own {response.status} page")
    keep_alive = joined(response.headers, "keep-alive") or ""
    if "max=" in keep_alive:  # Apache's own format (timeout=5, max=100), proxied answers too
        vote("apache", f"Keep-Alive: {keep_alive}")
    if (joined(response.headers, "x-powered-by") or "").lower().startswith("express"):
        vote("express", "X-Powered-By: Express")
    return found


@last_answer
def detect(trace: Trace) -> tuple[Layer, ...]:
    """The layers, front (caches) to back (the app): declared ones and those the responses
    name. A generic "cache" is dropped when a named cache explains the same headers.
    (The rules and the report both ask, once each per check: the last answer is kept.)"""
    return _detect(trace)


def _detect(trace: Trace) -> tuple[Layer, ...]:
    tally: dict[str, list[str]] = {}
    for exchange in (*trace.preflights, *trace.actuals, *(p.exchange for p in trace.probes)):
        if exchange.response is None:
            continue
        for name, why in _votes(exchange.response).items():
            seen = tally.setdefault(name, [])
            for w in why:  # one piece of evidence per header (X-Varnish differs every time)
                if not any(w.split(":", 1)[0] == s.split(":", 1)[0] for s in seen):
                    seen.append(w)
    app = framework(trace)
    if app is not None and not any(KNOWN[n][1] == "app" for n in tally):
        tally[app[0]] = list(app[1])
    if "cache" in tally and any(n in tally for n in ("varnish", "cloudflare", "cloudfront", "fastly")):
        del tally["cache"]
    declared = trace.spec.stack
    layers = [Layer(n, tuple(tally.pop(n, ())) or ("declared with --stack",), True)
              for n in declared]
    apps = [n for n in tally if KNOWN[n][1] == "app"]
    if len(apps) > 1 or any(layer.role == "app" for layer in layers):
        for n in apps:  # two apps named: neither is sure; a declared one wins
            del tally[n]
    layers += [Layer(n, tuple(why)) for n, why in tally.items()]
    return tuple(sorted(layers, key=lambda layer: (not layer.declared, _ORDER[layer.role])))


def front(layers: tuple[Layer, ...]) -> tuple[Layer, ...]:
    """The layers in front of the app (proxies and caches)."""
    return tuple(layer for layer in layers if layer.role != "app")


def app(layers: tuple[Layer, ...]) -> Layer | None:
    return next((layer for layer in layers if layer.role == "app"), None)


def proxy_name(layers: tuple[Layer, ...]) -> str | None:
    """The proxy (not cache) in front, if one is known."""
    return next((layer.name for layer in layers if layer.role == "proxy"), None)


# -- the cache probe's proof ------------------------------------------------------------------------

@dataclass(frozen=True)
class CrossedCache:
    """A cache handed one origin's answer to another: the probe pair that proves it."""

    stored_for: str  # the origin whose answer was stored
    served_to: str  # the origin that got it
    fresh: int  # index (in trace.probes) of served_to's own answer, on a fresh URL
    served: int  # index of the answer served_to got after stored_for's
    page_allowed: bool  # the page's own origin is allowed, on an answer no cache stored


def _acao(response: HttpResponse | None) -> str | None:
    if response is None:
        return None
    value = joined(response.headers, "access-control-allow-origin")
    return value.strip() if value is not None else None


def cache_crossed(trace: Trace) -> CrossedCache | None:
    """What the cache probe (:func:`corsprobe.probe.cache_steps`) proved, if anything.

    The probe asks for URL 1 from the page's origin A and then from a second origin B, and for
    URL 2 from B and then A. Where B's answer on URL 1 equals A's and differs from B's own
    first answer (URL 2), or A's answer on URL 2 equals B's and differs from A's own first
    answer (URL 1), a cache served one origin's answer to the other: the app answers each
    origin differently, and the cache did not keep them apart.
    """
    indexed = [(i, p) for i, p in enumerate(trace.probes) if p.purpose == "cache"]
    if len(indexed) < 4 or any(p.exchange.response is None for _, p in indexed[:4]):
        return None
    (ia1, a1), (ib1, b1), (ib2, b2), (ia2, a2) = indexed[:4]
    a_own, b_own = _acao(a1.exchange.response), _acao(b2.exchange.response)
    if a_own == b_own:
        return None  # the same answer for both origins: nothing a cache could mix up
    if _acao(b1.exchange.response) == a_own:
        return CrossedCache(a1.origin, b1.origin, ib2, ib1, a1.accepted)
    if _acao(a2.exchange.response) == b_own:
        return CrossedCache(b2.origin, a2.origin, ia1, ia2, a1.accepted)
    return None


# -- which layer added a header line ---------------------------------------------------------------

# Where a proxy writes the header lines it adds itself, relative to the lines the app sent:
# after them (True) or before them (False). Observed in tests/stacks.
# nginx appends its add_header lines; Apache's `Header always set` and Caddy's `header` come
# before the proxied lines.
ADDS_AFTER_UPSTREAM: dict[str, bool] = {"nginx": True, "apache": False, "caddy": False}


def attribute(lines: list[str], layers: tuple[Layer, ...]) -> list[str] | None:
    """Who added each of a response's duplicated header ``lines``: the proxy in front or the
    app, by where the proxy writes its own lines; None when no known proxy is in front."""
    proxy = next((layer for layer in layers if layer.name in ADDS_AFTER_UPSTREAM), None)
    if proxy is None or len(lines) < 2:
        return None
    behind = app(layers)
    them = f"the app ({behind.label})" if behind else "the app"
    mine = f"{proxy.label}" if proxy.declared else f"probably {proxy.label}"
    if ADDS_AFTER_UPSTREAM[proxy.name]:
        return [them] * (len(lines) - 1) + [mine]
    return [mine] + [them] * (len(lines) - 1)


def attributed(lines: list[str], layers: tuple[Layer, ...]) -> tuple[str, list[str] | None]:
    """The lines as a message shows them (``'*' (probably nginx) and 'https://…' (the
    app)`` where :func:`attribute` can tell, else quoted), and who added each."""
    who = attribute(lines, layers)
    if who is None:
        return ", ".join(repr(v) for v in lines), None
    return " and ".join(f"'{v}' ({w})" for v, w in zip(lines, who, strict=True)), who
