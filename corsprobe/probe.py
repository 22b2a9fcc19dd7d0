"""Requests corsprobe sends for its own purposes, after the browser's: the probes.

- **Variants.** The exchange alone often cannot say why an origin was refused (Starlette and
  flask-cors just omit Access-Control-Allow-Origin). When the origin is refused, corsprobe
  repeats the failing step with close variants of the origin and reports which variant the
  server accepts, naming the exact difference.
- **Untrusted origins.** When the origin is echoed, origins an attacker could own, to find an
  allow list that is too broad.
- **The cache probe.** When a cache may stand in front (cache headers, or an echoed origin
  without ``Vary: Origin``), the same request from the page's origin and from a second,
  harmless origin (``https://corsprobe-cache-check.invalid``), in both orders, to prove a cache
  serving one origin's answer to another.

Every probe is an OPTIONS, GET or HEAD request without cookies or Authorization, and every
probe goes to its own URL: the target with ``corsprobe=<random>`` added to the query. A shared
cache keys on the URL, so what a probe leaves in the cache is stored under a key no one else
asks for, and no real user ever gets an answer meant for a probe's origin. If a fresh URL is
answered from the cache (the cache ignores the query string), corsprobe sends no request with
another origin at all, and says so.
"""

from __future__ import annotations

import secrets
from collections.abc import Generator
from dataclasses import replace
from urllib.parse import urlsplit, urlunsplit

from .fetch import access, preflight
from .fetch.urls import DEFAULT_PORTS, parse_origin
from .model import Exchange, HttpRequest, Probe, Trace, joined
from .stack import cache_hit, cache_indicators

_ORIGIN_ERRORS = {
    "MissingAllowOriginHeader", "AllowOriginMismatch",
    "PreflightMissingAllowOriginHeader", "PreflightAllowOriginMismatch",
}
_DEV_PORTS = (3000, 5173, 8080, 8000, 4200, 5000)
MAX_PROBES = 12
CACHE_PARAM = "corsprobe"  # the query parameter that gives every probe a URL of its own
SECOND_ORIGIN = "https://corsprobe-cache-check.invalid"  # .invalid: never a real page's origin


def variants(origin: str) -> list[tuple[str, str]]:
    """(variant origin, how it differs from ``origin``), most common mistakes first."""
    o = parse_origin(origin)
    if o.opaque:
        return []
    out: list[tuple[str, str]] = [(origin + "/", "with a trailing slash")]
    host = f"[{o.host}]" if ":" in o.host else o.host
    other = "http" if o.scheme == "https" else "https"
    default = DEFAULT_PORTS[o.scheme]
    port_part = "" if o.port == default else f":{o.port}"
    out.append((f"{other}://{host}{port_part}", f"with {other} instead of {o.scheme}"))
    if o.port == default:
        out.append((f"{o.scheme}://{host}:{default}", f"with the default port :{default} written out"))
    else:
        out.append((f"{o.scheme}://{host}", f"without the port :{o.port}"))
    loopback = {"localhost": "127.0.0.1", "127.0.0.1": "localhost", "::1": "localhost"}
    if o.host in loopback:
        alias = loopback[o.host]
        out.append((f"{o.scheme}://{alias}{port_part}", f"with {alias} instead of {o.host}"))
        for p in _DEV_PORTS:
            if p != o.port:
                out.append((f"{o.scheme}://{host}:{p}", f"on port {p} instead of {o.port}"))
    elif o.host.startswith("www."):
        out.append((f"{o.scheme}://{o.host[4:]}{port_part}", "without www."))
    elif not o.host.replace(".", "").isdigit():
        out.append((f"{o.scheme}://www.{o.host}{port_part}", "with www."))
    if o.host != o.host.upper():
        out.append((f"{o.scheme}://{host.upper()}{port_part}", "in upper case"))
    seen: set[str] = set()
    unique = []
    for v, why in out:
        if v != origin and v not in seen:
            seen.add(v)
            unique.append((v, why))
    return unique[:MAX_PROBES]


def untrusted_variants(origin: str) -> list[tuple[str, str]]:
    """Origins an attacker could own that sloppy allow lists accept (for an echoed origin)."""
    o = parse_origin(origin)
    if o.opaque:
        return []
    port_part = "" if o.port == DEFAULT_PORTS[o.scheme] else f":{o.port}"
    out = [
        (f"{o.scheme}://evil.corsprobe.invalid{port_part}", "an unrelated origin (any origin is reflected)"),
        ("null", "the opaque origin null (sandboxed iframes, data: URLs)"),
        (f"{o.scheme}://{o.host}.corsprobe.invalid{port_part}",
         "the trusted host followed by an attacker's domain (a pattern not anchored at the end)"),
    ]
    labels = o.host.split(".")
    if len(labels) >= 2 and not o.host.replace(".", "").isdigit():
        registrable = ".".join(labels[-2:])
        out.append((f"{o.scheme}://evil-{registrable}{port_part}",
                    "an attacker's domain ending in the trusted name (an unescaped dot or a suffix "
                    "check without a dot boundary)"))
        if len(labels) >= 3:
            dotless = labels[0] + "x" + ".".join(labels[1:])
            out.append((f"{o.scheme}://{dotless}{port_part}",
                        "the trusted host with a dot replaced by a letter (an unescaped dot)"))
    if o.scheme == "https":
        out.append((f"http://{o.host}", "the plain-http version of the origin (readable by a network attacker)"))
    return out


def needed(trace: Trace) -> bool:
    """Probe only when the browser refused the origin itself (not after a tainting redirect)."""
    if trace.failure is None or trace.tainted:
        return False
    return trace.failure.error in _ORIGIN_ERRORS or _starlette_origin_refusal(trace)


def _starlette_origin_refusal(trace: Trace) -> bool:
    if trace.blocked_at != "preflight" or not trace.preflights:
        return False
    response = trace.preflights[-1].response
    return bool(response and response.status == 400 and b"Disallowed CORS origin" in response.body)


def fresh_url(url: str, key: str) -> str:
    """``url`` with ``corsprobe=key`` added to its query: a cache key no one else uses."""
    parts = urlsplit(url)
    query = f"{parts.query}&" if parts.query else ""
    return urlunsplit((parts.scheme, parts.netloc, parts.path, f"{query}{CACHE_PARAM}={key}", ""))


def _probe_request(template: HttpRequest, origin: str, key: str) -> HttpRequest:
    headers = tuple(
        (k, origin if k.lower() == "origin" else v)
        for k, v in template.headers
        if k.lower() not in ("cookie", "authorization", "host")
    )
    if template.method not in ("OPTIONS", "GET", "HEAD"):
        raise ValueError("probes are never sent with an unsafe method")
    return HttpRequest(template.method, fresh_url(template.url, key), headers, None)


def _cache_template(trace: Trace) -> HttpRequest | None:
    """The request to repeat for the cache probe, when a cache may stand in front: the actual
    GET/HEAD whose answer shows cache headers or echoes the origin without Vary: Origin, or
    else the preflight whose answer shows cache headers."""
    if trace.net_error is not None or trace.tainted:
        return None
    for exchange in (*trace.actuals[-1:], *trace.preflights[-1:]):
        r = exchange.response
        if r is None or exchange.request.method not in ("GET", "HEAD", "OPTIONS") or (
                300 <= r.status < 400):
            continue
        if cache_indicators(r):
            return exchange.request
        if exchange.request.method == "OPTIONS":
            continue  # caches store OPTIONS answers only where configured to: shown by its headers
        acao = (joined(r.headers, "access-control-allow-origin") or "").strip()
        vary = {v.strip().lower() for v in (joined(r.headers, "vary") or "").split(",")}
        if acao and acao != "*" and "origin" not in vary and "*" not in vary:
            return exchange.request
    return None


def cache_steps(trace: Trace, nonce: str) -> Generator[HttpRequest, Exchange, tuple[Probe, ...]]:
    """The page's origin then a second origin on one fresh URL, the second origin then the
    page's on another: a cache that ignores Origin hands one of them the other's answer."""
    template = _cache_template(trace)
    if template is None:
        return ()
    a, b = trace.origin_sent, SECOND_ORIGIN
    plan = ((a, "1", "the page's origin, on a fresh URL"),
            (b, "1", "a second origin, same URL: a cache ignoring Origin serves it the first answer"),
            (b, "2", "the second origin first, on another fresh URL"),
            (a, "2", "the page's origin after it: a cache ignoring Origin serves it the second origin's answer"))
    probes: list[Probe] = []
    for origin, key, why in plan:
        exchange: Exchange = yield _probe_request(template, origin, f"{nonce}-c{key}")
        r = exchange.response
        accepted = r is not None and access.cors_check(r.headers, origin, False) is None
        probes.append(Probe(origin, why, exchange, accepted, "cache"))
        if r is None:
            break
        if not probes[1:] and cache_hit(r):
            break  # a URL never asked for came out of the cache: it ignores the query string
    return tuple(probes)


def ignores_query(probes: tuple[Probe, ...]) -> bool:
    """The first cache probe, on a URL no one had asked for, was a cache hit."""
    first = next((p for p in probes if p.purpose == "cache"), None)
    return bool(first and first.exchange.response is not None and cache_hit(first.exchange.response))


def echoes_origin(trace: Trace) -> bool:
    """The request passed and the server answered with the page's exact origin (not ``*``)."""
    if trace.tainted or trace.failure is not None:
        return False
    exchanges = trace.actuals or trace.preflights
    if not exchanges or exchanges[-1].response is None:
        return False
    acao = (joined(exchanges[-1].response.headers, "access-control-allow-origin") or "").strip()
    return acao == trace.origin_sent


IGNORES_QUERY_NOTE = (
    "a cache in front answered a URL no one had asked for (the cache probe's fresh "
    "corsprobe= query) from its store: it ignores the query string, so corsprobe sent no "
    "request with another origin (it could have been served to real users)")


def steps(trace: Trace, nonce: str | None = None) -> Generator[HttpRequest, Exchange, Trace]:
    """Yield each probe request, receive its exchange; return the trace with the probes.

    First the cache probe, when a cache may stand in front. Then, when the origin was
    refused: close variants of it, to name the configuration's typo; when the origin was
    echoed: origins an attacker could own, to find a too-broad allow list. ``nonce`` makes
    the probes' URLs unique (random by default).
    """
    nonce = nonce or secrets.token_hex(6)
    cached = yield from cache_steps(trace, nonce)
    if cached:
        trace = replace(trace, probes=cached)
        if ignores_query(cached):
            return replace(trace, notes=(*trace.notes, IGNORES_QUERY_NOTE))
    if cached and cached[0].accepted and trace.failure is not None:
        return trace  # the origin is allowed on a fresh answer: the cache is the cause, not a typo
    if needed(trace):
        candidates, stop_at_first = variants(trace.origin_sent), True
        exchanges = trace.preflights if trace.blocked_at == "preflight" else trace.actuals
    elif echoes_origin(trace):
        candidates, stop_at_first = untrusted_variants(trace.origin_sent), False
        exchanges = trace.actuals if trace.actuals and trace.actuals[-1].request.method in (
            "GET", "HEAD") else trace.preflights
    else:
        return trace
    if not exchanges:
        return trace
    template = exchanges[-1].request
    if template.method not in ("OPTIONS", "GET", "HEAD"):
        return trace
    probes = list(trace.probes)
    for number, (origin, why) in enumerate(candidates):
        exchange: Exchange = yield _probe_request(template, origin, f"{nonce}-{number}")
        accepted = False
        if exchange.response is not None:
            r = exchange.response
            ok_status = 200 <= r.status <= 299 or template.method != "OPTIONS"
            echoed = (joined(r.headers, "access-control-allow-origin") or "").strip() == origin
            accepted = echoed and ok_status and access.cors_check(r.headers, origin, False) is None
            if template.method == "OPTIONS" and preflight.is_redirect(r):
                accepted = False
        probes.append(Probe(origin, why, exchange, accepted, "variant" if stop_at_first else "untrusted"))
        if accepted and stop_at_first:
            break
        if exchange.error is not None and exchange.error.kind == "timeout":
            break  # the server stopped answering: more probes would only wait as long again
    return replace(trace, probes=tuple(probes))
